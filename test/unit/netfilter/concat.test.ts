// Concatenations `A . B` (v6.12 nft_set with a concatenated key): lines of our own, accepted and
// refused as nft 1.0.6 does, listed in its form, and the lookups' effect on packets.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule, nftListRuleset } from '../../../src/scenario/netfilter/nft_list';
import { errAt, run, threeHosts } from './helpers';

function load(text: string): World {
  const w = new World();
  runNft(w.addHost('h'), fromFile(text, 'r.nft'));
  return w;
}

function listed(rule: string, sets = ''): string {
  const w = new World();
  const net = w.addHost('h');
  runNft(net, fromFile(`table ip t {\n${sets}\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  const c = NfEngine.of(net).tables[0].chains.get('c')!;
  return listRule(c.rules[0], { stateless: true });
}

function refused(rule: string, sets = ''): string {
  try {
    listed(rule, sets);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`accepted: ${rule}`);
}

describe('nft concatenations (issue 15)', () => {
  it('lists anonymous sets, maps and named lookups in nft form', () => {
    assert.strictEqual(listed('ip saddr . tcp dport { 10.0.1.3 . http, 10.0.1.2 . ssh } accept'), 'ip saddr . tcp dport { 10.0.1.2 . 22, 10.0.1.3 . 80 } accept');
    assert.strictEqual(listed('ip saddr . tcp dport { 10.0.1.2 . 22 } accept'), 'ip saddr . tcp dport { 10.0.1.2 . 22 } accept');
    assert.strictEqual(listed('ip daddr . ip saddr != { 1.2.3.4 . 1.2.3.5, 1.1.1.1 . 2.2.2.2 } drop'), 'ip daddr . ip saddr != { 1.1.1.1 . 2.2.2.2, 1.2.3.4 . 1.2.3.5 } drop');
    assert.strictEqual(listed('mark . meta iifname { 1 . "lo", 2 . "eth0" }'), 'meta mark . iifname { 0x00000001 . "lo", 0x00000002 . "eth0" }');
    assert.strictEqual(listed('ip saddr . udp dport vmap { 10.0.1.3 . 53:drop, 10.0.1.2 . 53 : accept }'), 'ip saddr . udp dport vmap { 10.0.1.2 . 53 : accept, 10.0.1.3 . 53 : drop }');
    const sets = ' set s { type ipv4_addr . inet_service; elements = { 10.0.1.2 . ssh } }\n map m { type ipv4_addr . inet_service : verdict; elements = { 10.0.1.2 . 22 : accept } }';
    assert.strictEqual(listed('ip saddr . tcp dport != @s drop', sets), 'ip saddr . tcp dport != @s drop');
    assert.strictEqual(listed('ip saddr . tcp dport vmap @m', sets), 'ip saddr . tcp dport vmap @m');
    const w = load(`table ip t {\n${sets}\n set n { typeof ip daddr . meta mark; }\n}\n`);
    const out = nftListRuleset(w.hosts.get('h')!);
    assert.match(out, /set s \{\n\t\ttype ipv4_addr \. inet_service\n\t\telements = \{ 10\.0\.1\.2 \. 22 \}/);
    assert.match(out, /map m \{\n\t\ttype ipv4_addr \. inet_service : verdict\n\t\telements = \{ 10\.0\.1\.2 \. 22 : accept \}/);
    assert.match(out, /set n \{\n\t\ttypeof ip daddr \. meta mark\n/);
  });

  it('refuses what nft refuses, and what the model lacks, at its place', () => {
    assert.match(refused('ip saddr . tcp dport { 10.0.1.2 . 22, 10.0.1.3 } accept'), /invalid data type, expected concatenation of \(IPv4 address, internet network service\)/);
    assert.match(refused('ip saddr . tcp dport { 10.0.1.2 . 22 . 3 } accept'), /too many concatenation components/);
    assert.match(refused('ip saddr . tcp dport 10.0.1.2 . 22 accept'), /Use concatenations with sets and maps, not singleton values/);
    assert.match(refused('ip saddr . tcp dport < { 10.0.1.2 . 22 }'), /Relational expression \(<\) is undefined for concat expressions/);
    assert.match(refused('ip saddr . tcp dport { 10.0.1.2 . nosuchservice }'), /nosuchservice/);
    assert.match(refused('ip saddr . tcp dport { 10.0.1.0/24 . 22 }'), /ranges and prefixes in concatenated elements .* not modelled/);
    assert.match(refused('ip ttl . tcp dport { 1 . 22 }'), /"ip ttl" in a concatenation is not modelled/);
    const sets = ' set s { type ipv4_addr . inet_service; }';
    assert.match(refused('ip saddr . udp dport . ip daddr @s accept', sets), /datatype mismatch, expected concatenation of \(IPv4 address, internet network service\), expression has type concatenation of \(IPv4 address, internet network service, IPv4 address\)/);
    assert.match(refused('ip saddr @s accept', sets), /datatype mismatch, expected concatenation of \(IPv4 address, internet network service\), expression has type IPv4 address/);
    assert.match(refused('ip saddr . tcp dport vmap @s', sets), /is a set, not a verdict map/);
    assert.match(refused('ip saddr . udp dport { 1.2.3.4 . 5 }', ' set s { type ipv4_addr . inet_service; flags interval; }'), /flags interval with a concatenated type .* not modelled/);
    assert.throws(() => load('table ip t {\n set s { type ipv4_addr . inet_service; elements = { 10.0.1.2 } }\n}\n'), /invalid data type, expected concatenation/);
    const e = errAt(threeHosts({ server: ['nft add table ip f', "nft add chain ip f in '{ type filter hook input priority 0; }'", "nft add rule ip f in 'ip saddr . tcp dport { 10.0.1.2 . 22 . 1 }'"] }, 'traffic: []\n'));
    assert.match(e.detail, /too many concatenation components/);
  });

  it('a packet matches when every field equals one element; a missing field never matches', () => {
    const t = run(
      threeHosts(
        {
          server: [
            'nft add table ip f',
            "nft add chain ip f in '{ type filter hook input priority 0; }'",
            "nft add map ip f m '{ type ipv4_addr . inet_service : verdict; }'",
            "nft add element ip f m '{ 10.0.1.2 . 7000 : drop }'",
            "nft add rule ip f in 'ip saddr . udp dport vmap @m'",
            "nft add rule ip f in 'ip saddr . udp dport { 10.0.1.2 . 7001, 10.0.9.9 . 7002 } drop'",
            "nft add rule ip f in 'ip saddr . th dport != { 10.0.1.2 . 7003 } udp dport 7003-7004 drop'",
          ],
        },
        `listen:\n${[7000, 7001, 7002, 7003, 7004].map((p) => `  - server: udp ${p}\n`).join('')}traffic:\n` + [7000, 7001, 7002, 7003, 7004].map((p) => `  - from: client\n    send: udp to 10.0.2.2:${p} from :4000\n`).join(''),
      ),
    );
    const fate = (port: number): string => t.packets.find((p) => new RegExp(`> 10\\.0\\.2\\.2\\.${port}:`).test(p.summary))!.fate.kind;
    // 7000: the map's element drops it; 7001: the anonymous set's; 7002: the address differs;
    // 7003: != finds the element; 7004: != finds none, so the rule drops it
    assert.deepStrictEqual([7000, 7001, 7002, 7003, 7004].map(fate), ['dropped', 'dropped', 'delivered', 'delivered', 'dropped']);
  });
});

describe('nft leniencies nft 1.0.6 and v6.12 refuse (issue 15)', () => {
  it('tcp option NAME kind is a syntax error to nft 1.0.6', () => {
    assert.match(refused('tcp option maxseg kind 2'), /syntax error, unexpected newline/);
    assert.match(refused('tcp option sack kind 5 accept'), /syntax error, unexpected "accept"/);
    assert.strictEqual(listed('tcp option maxseg length 4'), 'tcp option maxseg length 4');
  });

  it('limit: a rate whose token arithmetic overflows u64 is refused as nft_limit_init refuses it', () => {
    assert.match(refused('limit rate 1023000 mbytes/second'), /Value too large for defined data type/);
    assert.match(refused('limit rate 1/week burst 4294967295 packets'), /Value too large for defined data type/);
    // 17180 MiB/s · 1e9 ns still fits in 64 bits; 4e9 packets/s with the default burst too
    assert.strictEqual(listed('limit rate 17180 mbytes/second'), 'limit rate 17180 mbytes/second');
    assert.strictEqual(listed('limit rate 4000000000/second'), 'limit rate 4000000000/second');
  });
});
