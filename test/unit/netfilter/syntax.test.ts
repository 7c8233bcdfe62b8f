import * as assert from 'assert';
import { ScenarioError } from '../../../src/scenario/types';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { runIptablesRestore } from '../../../src/scenario/netfilter/iptables';
import { T, errAt, line, nfEvents, run, runExample, threeHosts } from './helpers';
import { buildWorld } from '../../../src/scenario/build';
import { parseScenario } from '../../../src/scenario/parse';
import { udp_sendmsg } from '../../../src/model/net/ipv4/udp';
import { ipToNum } from '../../../src/model/proto/addr';

describe('netfilter: rule syntax and error positions', () => {
  it('an unknown word in an nft rule names its column', () => {
    const l = 'nft add rule ip filter forward tcp dport 22 frob';
    const e = errAt(threeHosts({ router: ['nft add table ip filter', "nft add chain ip filter forward '{ type filter hook forward priority 0; }'", l] }, T));
    assert.deepStrictEqual([e.file, e.line, e.col], ['nf.yaml', line(3), 5 + l.indexOf('frob')]);
  });

  it('an error inside a quoted chain spec points inside the quotes', () => {
    const l = "nft add chain ip filter input '{ type filter hook inptu priority 0; }'";
    const e = errAt(threeHosts({ router: ['nft add table ip filter', l] }, T));
    assert.deepStrictEqual([e.line, e.col], [line(2), 5 + l.indexOf('inptu')]);
    assert.match(e.detail, /unknown hook/);
  });

  it('a rule for a missing chain, a jump to a missing chain, dnat in a filter chain', () => {
    const l1 = 'nft add rule ip filter nope accept';
    assert.strictEqual(errAt(threeHosts({ router: ['nft add table ip filter', l1] }, T)).col, 5 + l1.indexOf('nope'));
    const l2 = 'nft add rule ip filter c jump missing';
    assert.strictEqual(errAt(threeHosts({ router: ['nft add table ip filter', 'nft add chain ip filter c', l2] }, T)).col, 5 + l2.indexOf('missing'));
    const l3 = 'nft add rule ip filter f dnat to 10.0.2.2';
    const e3 = errAt(threeHosts({ router: ['nft add table ip filter', "nft add chain ip filter f '{ type filter hook prerouting priority 0; }'", l3] }, T));
    assert.strictEqual(e3.col, 5 + l3.indexOf('dnat'));
    assert.match(e3.detail, /type nat/);
  });

  it('iptables: unknown option and a target in the wrong table', () => {
    const l = 'iptables -A FORWARD -p tcp --dportt 22 -j DROP';
    assert.strictEqual(errAt(threeHosts({ router: [l] }, T)).col, 5 + l.indexOf('--dportt'));
    const l2 = 'iptables -A INPUT -j MASQUERADE';
    assert.strictEqual(errAt(threeHosts({ router: [l2] }, T)).col, 5 + l2.indexOf('MASQUERADE'));
    const l3 = 'iptables -A FORWARD --dport 22 -j DROP';
    assert.match(errAt(threeHosts({ router: [l3] }, T)).detail, /-p tcp/);
  });

  it('errors in a rules file name the file, line and column; nothing of the file is applied', () => {
    const file = 'table ip filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 22 acept\n\t}\n}\n';
    const e = errAt(threeHosts({ router: ['nft -f rules.nft'] }, T), { 'rules.nft': file });
    assert.deepStrictEqual([e.file, e.line, e.col], ['rules.nft', 4, 16]);
    const w = new World();
    const net = w.addHost('h');
    assert.throws(() => runNft(net, fromFile(file, 'rules.nft')), ScenarioError);
    assert.strictEqual(NfEngine.of(net).tables.length, 0, 'the transaction was rolled back');
    assert.strictEqual(NfEngine.of(net).hasChains('NF_INET_LOCAL_IN'), false);
  });

  it('iptables-save dumps: errors by line, and a missing COMMIT applies nothing', () => {
    const w = new World();
    const net = w.addHost('h');
    assert.throws(() => runIptablesRestore(net, '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -j FROB\nCOMMIT\n', 'r.v4'), (e: ScenarioError) => e.pos.line === 3 && e.pos.col === 20);
    assert.throws(() => runIptablesRestore(net, '*filter\n:INPUT DROP [0:0]\n', 'r.v4'), /COMMIT/);
    assert.strictEqual(NfEngine.of(net).tables.length, 0);
    runIptablesRestore(net, '*filter\n:INPUT DROP [3:180]\n-A INPUT -p udp -m udp --dport 53 -j ACCEPT\nCOMMIT\n', 'r.v4');
    const c = NfEngine.of(net).table('ip', 'filter')!.chains.get('INPUT')!;
    assert.deepStrictEqual([c.base!.policy, c.base!.priority, c.packets, c.rules.length], ['drop', 0, 3, 1]);
  });

  it('the same rules in nft and in iptables give the same trace (hooks, chains, rule order, verdicts, fates)', () => {
    const a = runExample('nf-same-rules-nft.yaml');
    const b = runExample('nf-same-rules-iptables.yaml');
    const key = (t: typeof a): string[] => t.events.filter((e) => e.hook).map((e) => [e.host, e.packet, e.fn, e.hook!.hook, e.hook!.family, e.hook!.table, e.hook!.chain, e.hook!.priority, e.hook!.ruleIndex, e.hook!.verdict].join(' '));
    assert.ok(key(a).length > 10);
    assert.deepStrictEqual(key(a), key(b));
    assert.deepStrictEqual(a.packets.map((p) => p.fate), b.packets.map((p) => p.fate));
    // the ping is rejected with admin-prohibited in both, and the error carries the ping's conntrack entry
    const err = a.packets.find((p) => /administratively prohibited/.test(p.summary))!;
    assert.strictEqual(err.fate.host, 'client');
    const ct = a.events.find((e) => e.packet === err.id && e.fn === 'nf_conntrack_in')!;
    assert.strictEqual(ct.skb!.ct, 'IP_CT_RELATED_REPLY');
  });

  it('iptables-nft chain counters count only what the policy decided (nft_update_chain_stats)', () => {
    const { world } = buildWorld(parseScenario(threeHosts({ router: ['iptables -A FORWARD -p udp --dport 9 -j ACCEPT'] }, 'listen:\n  - server: udp 9\ntraffic: []\n'), 'c.yaml'));
    const client = world.hosts.get('client')!;
    udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 9, payload: 'hello' });
    world.settle();
    udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 10, payload: 'hello' });
    world.settle();
    const chain = NfEngine.of(world.hosts.get('router')!).table('ip', 'filter')!.chains.get('FORWARD')!;
    assert.deepStrictEqual(chain.rules[0].counter, { packets: 1, bytes: 33 });
    // the second datagram and the ICMP port unreachable coming back fall through to the policy
    assert.deepStrictEqual([chain.packets, chain.bytes], [2, 33 + 61]);
  });

  it('rule and chain counters count as the kernel does', () => {
    const t = run(
      threeHosts(
        {
          router: [
            'nft add table ip filter',
            "nft add chain ip filter forward '{ type filter hook forward priority 0; policy accept; }'",
            'nft add rule ip filter forward udp dport 9 counter',
            'nft add rule ip filter forward meta length 100-200 counter accept',
            'nft add rule ip filter forward ip saddr 10.0.1.0/24 log prefix \'"fwd: "\'',
          ],
        },
        'traffic:\n  - from: client\n    send: udp to 10.0.2.2:9 payload hello\n  - from: client\n    send: udp to 10.0.2.2:9 size 150\n',
      ),
    );
    const log = t.events.filter((e) => e.fn === 'nf_log_ip_packet');
    assert.strictEqual(log.length, 1);
    assert.match(log[0].what, /fwd: IN=eth0 OUT=eth1 SRC=10\.0\.1\.2 DST=10\.0\.2\.2 LEN=33 .*PROTO=UDP SPT=\d+ DPT=9/);
    const udp = t.packets.filter((p) => /UDP/.test(p.summary)).map((p) => p.id);
    const acc = nfEvents(t, 'router').filter((e) => e.hook!.ruleIndex === 2 && udp.includes(e.packet));
    assert.deepStrictEqual(acc.map((e) => e.hook!.verdict), ['NFT_BREAK', 'NF_ACCEPT']);

    // the counters themselves, read from the engine after the same traffic
    const { world } = buildWorld(parseScenario(threeHosts({ router: ['nft add table ip filter', "nft add chain ip filter forward '{ type filter hook forward priority 0; policy accept; }'", 'nft add rule ip filter forward udp dport 9 counter', 'nft add rule ip filter forward meta length 100-200 counter accept'] }, 'listen:\n  - server: udp 9\ntraffic: []\n'), 'c.yaml'));
    const client = world.hosts.get('client')!;
    udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 9, payload: 'hello' });
    world.settle();
    udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 9, size: 150 });
    world.settle();
    const chain = NfEngine.of(world.hosts.get('router')!).table('ip', 'filter')!.chains.get('forward')!;
    assert.deepStrictEqual(chain.rules.map((r) => r.counter), [
      { packets: 2, bytes: 33 + 150 },
      { packets: 1, bytes: 150 },
    ]);
    // an nft base chain has no counters unless made with them (nft add chain does not ask for them)
    assert.deepStrictEqual([chain.packets, chain.bytes], [0, 0]);
  });
});
