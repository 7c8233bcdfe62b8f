// Issue 15: the model's `nft list ruleset` prints what it understood in nft's canonical form
// (nftables 1.0.6's listing, as its own tests expect it): lines of our own, each written the way
// people write them, with the form nft lists; and `netstack ruleset` on an example.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule, nftListRuleset, priorityText } from '../../../src/scenario/netfilter/nft_list';
import { main } from '../../../src/cli/netstack';
import { nfEvents, ROOT, run } from './helpers';

function listed(rule: string, fam = 'ip', numericProto = false): string {
  const net = new World().addHost('h');
  runNft(net, fromFile(`table ${fam} t {\n chain x {\n }\n chain c {\n  type filter hook output priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  const c = NfEngine.of(net).tables[0].chains.get('c')!;
  return listRule(c.rules[0], { numericProto, stateless: true });
}

describe('nft list ruleset: the canonical form (issue 15)', () => {
  const cases: [string, string][] = [
    // keys: iif/oif/iifname/oifname unqualified, the other meta keys with meta; names quoted
    ['meta iifname eth1 accept', 'iifname "eth1" accept'],
    ['meta oif lo', 'oif "lo"'],
    ['mark 7 drop', 'meta mark 0x00000007 drop'],
    ['pkttype broadcast', 'meta pkttype broadcast'],
    ['meta iifgroup 0', 'iifgroup "default"'],
    // values in their datatype's form
    ['ip saddr 172.16.5.9/12', 'ip saddr 172.16.0.0/12'],
    ['ip saddr 10.9.9.9/32 accept', 'ip saddr 10.9.9.9 accept'],
    ['tcp dport { https, ssh } accept', 'tcp dport { 22, 443 } accept'],
    ['ct state { related, established }', 'ct state { established, related }'],
    ['ct direction != { reply }', 'ct direction != reply'],
    ['udp dport vmap { 53:accept, 7 : drop }', 'udp dport vmap { 7 : drop, 53 : accept }'],
    ['meta l4proto { 50, tcp, 108 }', 'meta l4proto { tcp, esp, ipcomp }'],
    ['meta l4proto 6-17', 'meta l4proto 6-17'],
    ['@nh,8,8 16', '@nh,8,8 0x10'],
    ['meta l4proto udp @th,16,16 53', 'udp dport 53'],
    ['udp sport 5000-5000', 'udp sport 5000'],
    ['meta skgid daemon', 'meta skgid 1'],
    ['icmp type 0', 'icmp type echo-reply'],
    ['icmp type { time-exceeded, router-advertisement, 8 }', 'icmp type { echo-request, router-advertisement, time-exceeded }'],
    ['ct mark 0x2a', 'ct mark 0x0000002a'],
    ['meta length { 10-20, 21-30, 50 }', 'meta length { 10-30, 50 }'],
    ['ip saddr { { 10.1.0.0/16 }, 10.2.0.0/16 }', 'ip saddr { 10.1.0.0/16, 10.2.0.0/16 }'],
    // operators: symbols, == left out, the bitmask shortcuts
    ['ip ttl eq 3', 'ip ttl 3'],
    ['ip ttl == 3', 'ip ttl 3'],
    ['ip length ge 1400', 'ip length >= 1400'],
    ['meta mark and 0xf0 == 0x10', 'meta mark & 0x000000f0 == 0x00000010'],
    ['meta mark xor 0x5 != 0x1', 'meta mark != 0x00000004'],
    ['ct state related,new,established', 'ct state established,related,new'],
    ['tcp flags & (ack|syn) == syn', 'tcp flags syn / syn,ack'],
    // quota: `until` is not printed, amounts in the largest unit dividing them (nft 1.0.6)
    ['udp dport 53 quota until 300 bytes counter', 'udp dport 53 quota 300 bytes counter'],
    ['quota over 1048576 bytes drop', 'quota over 1 mbytes drop'],
    ['quota 2 kbytes used 1024 bytes', 'quota 2 kbytes used 1 kbytes'],
    ['quota 4096 kbytes', 'quota 4 mbytes'],
    ['quota 1500 bytes', 'quota 1500 bytes'],
    ['quota 0 bytes', 'quota 0 bytes'],
    ['quota 5 bytes used 0 bytes', 'quota 5 bytes'],
    ['tcp flags & (ack|syn) == (ack|syn)', 'tcp flags syn,ack / syn,ack'],
    ['ct mark set mark', 'ct mark set meta mark'],
    ['icmp sequence 7', 'icmp type { echo-reply, echo-request } icmp sequence 7'],
    ['icmp type echo-request icmp id 7', 'icmp type echo-request icmp id 7'],
    ['tcp flags == ack', 'tcp flags == ack'],
    ['ip saddr & 0xffffff00 == 0x0a000100', 'ip saddr 10.0.1.0/24'],
    // statements: defaults left out or written out, constants folded, comment last
    ['meta mark set 0x3 or 0x4', 'meta mark set 0x00000007'],
    ['log level warn prefix drops', 'log prefix "drops"'],
    ['log level info prefix "in: "', 'log prefix "in: " level info'],
    ['queue bypass num 2', 'queue flags bypass num 2'],
    ['queue', 'queue num 0'],
    ['reject with icmp type port-unreachable', 'reject'],
    ['reject with icmp type host-unreachable', 'reject with icmp host-unreachable'],
    ['counter packets 3 bytes 120 jump x', 'counter jump x'],
    ['tcp dport 80 accept comment "web"', 'tcp dport 80 accept comment "web"'],
    ['ct status ! snat', 'ct status ! snat'],
    // the dependency nft removes: the protocol match a header match of the same protocol implies
    ['ip protocol udp udp dport 53', 'udp dport 53'],
    ['meta l4proto tcp counter tcp dport 22', 'meta l4proto tcp counter tcp dport 22'],
  ];
  for (const [input, want] of cases) it(`${input} → ${want}`, () => assert.strictEqual(listed(input), want));

  it('nft -n and the family: protocol numbers; ip protocol is a dependency only in an ip table', () => {
    assert.strictEqual(listed('ip protocol icmp', 'ip', true), 'ip protocol 1');
    assert.strictEqual(listed('ip protocol icmp', 'ip'), 'ip protocol icmp');
    assert.strictEqual(listed('ip protocol tcp tcp dport 22', 'inet', true), 'ip protocol 6 tcp dport 22');
    assert.strictEqual(listed('meta l4proto tcp tcp dport 22', 'inet'), 'tcp dport 22');
  });

  it('icmp id and sequence have nft\'s echo dependency: another fixed type is refused, and only echo packets match', () => {
    assert.throws(() => listed('icmp type timestamp-request icmp id 5'), /incompatible icmp match: rule has 13, need 8/);
    assert.throws(() => listed('icmp type echo-request icmp mtu 1400'), /incompatible icmp match: rule has 8, need 3/);
    const dropped = (send: string): boolean => {
      const t = run(`name: t\nhosts:\n  a: |\n    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n    nft add table ip f\n    nft add chain ip f o '{ type filter hook output priority 0; }'\n    nft add rule ip f o icmp id != 12345 drop\n  b: |\n    ip addr add 10.0.0.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - from: a\n    send: ${send}\n`);
      return t.packets.some((p) => p.fate.fn === 'nft_do_chain');
    };
    assert.strictEqual(dropped('icmp echo-request to 10.0.0.2'), true, 'an echo request has an id, and it is not 12345');
    assert.strictEqual(dropped('udp to 10.0.0.2:9'), false, 'no icmp header: the dependency ends the rule');
  });

  it('priorities by name within 10 of a standard one, where the hook allows the name', () => {
    assert.deepStrictEqual(
      [priorityText(0, 'input'), priorityText(-5, 'input'), priorityText(-100, 'prerouting'), priorityText(-100, 'output'), priorityText(110, 'postrouting'), priorityText(200, 'input')],
      ['filter', 'filter - 5', 'dstnat', '-100', 'srcnat + 10', '200'],
    );
  });

  it('the whole ruleset: sets with their elements in canonical form, chains, counters with their values', () => {
    const net = new World().addHost('h');
    runNft(net, fromFile('table ip f {\n set m { type mark; elements = { 0x10, 7 } }\n chain in {\n  type filter hook input priority -150; policy drop;\n  meta mark @m counter packets 2 bytes 80 accept\n }\n}\n', 'r.nft'));
    assert.strictEqual(
      nftListRuleset(net),
      'table ip f {\n\tset m {\n\t\ttype mark\n\t\telements = { 0x00000007, 0x00000010 }\n\t}\n\n\tchain in {\n\t\ttype filter hook input priority mangle; policy drop;\n\t\tmeta mark @m counter packets 2 bytes 80 accept\n\t}\n}\n',
    );
  });

  // the .listed files are what `nft list ruleset` printed (nft 1.0.6, Debian 12) after `nft -f`
  // of the .nft beside them: elements in key order, the lines broken as calculate_delim breaks
  // them (two addresses or states a line, 16 integers, one of any other type), IPv6 addresses,
  // prefixes and ranges in their shortest form; server.nft is the nftables wiki's "simple ruleset
  // for a server", workstation.nft the Arch wiki's (service names from /etc/services, `meta
  // pkttype unicast` listed as host)
  // (ifnames.nft was loaded in a namespace with eth0 and eth1, a veth pair)
  for (const f of ['v4m', 'v6s', 'server', 'workstation', 'pkttype', 'ifnames']) {
    it(`named sets as nft lists them: ${f}.nft`, () => {
      const dir = join(ROOT, 'test', 'fixtures', 'nft-listing');
      const net = new World().addHost('h');
      net.addDevice('eth0', '02:00:00:00:00:01', 'veth', 1500, 1000);
      runNft(net, fromFile(readFileSync(join(dir, `${f}.nft`), 'utf8'), `${f}.nft`));
      assert.strictEqual(nftListRuleset(net), readFileSync(join(dir, `${f}.listed`), 'utf8'));
    });
  }

  it('the trace names the rule in its canonical form (what the debugger shows)', () => {
    const t = run(
      `name: t\nhosts:\n  a: |\n    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n    nft add table ip f\n    nft add chain ip f o '{ type filter hook output priority 0; }'\n    nft add rule ip f o meta l4proto udp udp dport domain meta oifname eth0 counter drop\n  b: |\n    ip addr add 10.0.0.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - from: a\n    send: udp to 10.0.0.2:53\n`,
    );
    const ev = nfEvents(t, 'a', t.packets[0].id).find((e) => e.hook?.ruleIndex === 1)!;
    assert.strictEqual(ev.hook!.rule, 'udp dport 53 oifname "eth0" counter drop');
  });

  it('netstack ruleset lists each host, or the one --host names', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const file = join(ROOT, 'examples', 'nf-stateful-firewall.yaml');
    assert.strictEqual(await main(['ruleset', file, '--host', 'router'], (s) => out.push(s), (s) => err.push(s)), 0, err.join('\n'));
    assert.match(out.join('\n'), /^# host router\ntable inet fw \{\n\tchain forward \{\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct state established,related counter packets 0 bytes 0 accept\n\t\tiifname "eth0" ct state new counter packets 0 bytes 0 accept\n/);
    assert.strictEqual(await main(['ruleset', file, '--host', 'nobody'], () => undefined, (s) => err.push(s)), 2);
    assert.match(err.join('\n'), /no host nobody/);
  });
});
