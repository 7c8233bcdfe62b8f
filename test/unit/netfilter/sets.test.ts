import * as assert from 'assert';
import { ScenarioError } from '../../../src/scenario/types';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { T, errAt, line, nfEvents, run, runExample, threeHosts } from './helpers';

const base = ['nft add table ip filter', "nft add chain ip filter input '{ type filter hook input priority 0; }'"];

describe('netfilter: named sets, maps, limit, ct mark', () => {
  it('named sets and verdict maps: each lookup, its element, and the fates', () => {
    const t = runExample('nf-named-sets.yaml');
    const fates = t.packets.map((p) => `${p.summary.split(' ')[0]} ${p.fate.kind}`);
    assert.deepStrictEqual(fates, ['192.168.1.10.40000 delivered', '192.168.1.5.40001 dropped', '192.168.1.66.40002 dropped', '192.168.1.77.40003 delivered', '192.168.1.200.40004 dropped', '192.168.1.50.40005 delivered']);
    const ev = (pkt: number): string[] => nfEvents(t, 'server', pkt).filter((e) => e.fn === 'nft_do_chain' && e.hook!.ruleIndex).map((e) => `${e.hook!.chain}:${e.hook!.ruleIndex}:${e.hook!.verdict}`);
    assert.deepStrictEqual(ev(1), ['input:1:NFT_BREAK', 'input:2:NFT_BREAK', 'input:3:NFT_JUMP', 'udp_in:1:NF_ACCEPT']);
    assert.deepStrictEqual(ev(2), ['input:1:NFT_BREAK', 'input:2:NFT_BREAK', 'input:3:NFT_JUMP', 'udp_in:1:NFT_BREAK', 'udp_in:2:NF_DROP']);
    assert.deepStrictEqual(ev(3), ['input:1:NF_DROP']);
    assert.deepStrictEqual(ev(5), ['input:1:NFT_BREAK', 'input:2:NF_DROP']);
    const say = (pkt: number, chain: string, i: number): string => nfEvents(t, 'server', pkt).find((e) => e.fn === 'nft_do_chain' && e.hook!.chain === chain && e.hook!.ruleIndex === i)!.what;
    assert.match(say(2, 'input', 2), /`ip saddr != @allowed` does not match \(the packet has ip saddr 192\.168\.1\.5, which is element 192\.168\.1\.0\/29 of @allowed\)/);
    assert.match(say(3, 'input', 1), /The lookup in map @by_source finds element 192\.168\.1\.66 : drop for ip saddr 192\.168\.1\.66/);
    assert.match(say(1, 'udp_in', 1), /The lookup in set @ports finds element 53 for udp dport 53/);
    assert.match(say(2, 'udp_in', 1), /udp dport 5353, which is in no element of @ports/, 'nft delete element took 5353 out');
    const rule = nfEvents(t, 'server', 1).find((e) => e.hook?.chain === 'input' && e.hook.ruleIndex === 3)!;
    assert.deepStrictEqual([rule.hook!.rule, rule.hook!.ruleAt?.file, rule.hook!.ruleAt?.line], ['meta l4proto vmap { tcp : drop, udp : jump udp_in }', 'examples/nf-rules/named-sets.nft', 24]);
  });

  it('limit with a burst (token bucket in simulated time) and connmark save/restore', () => {
    const t = runExample('nf-limit-connmark.yaml');
    const req = t.packets.filter((p) => /echo request/.test(p.summary) && p.summary.startsWith('10.0.1.2'));
    assert.deepStrictEqual(req.map((p) => p.fate.kind), ['consumed', 'consumed', 'dropped', 'dropped']);
    const lim = nfEvents(t, 'router', req[2].id).find((e) => e.hook?.chain === 'forward' && e.hook.ruleIndex === 1)!;
    assert.strictEqual(lim.hook!.verdict, 'NF_DROP');
    assert.match(lim.what, /less than the 60000000000 ns the packet costs: over the rate/);
    // the replies pass: their connection carries the mark the first request saved
    assert.strictEqual(t.packets.filter((p) => /echo reply/.test(p.summary) && p.fate.kind === 'delivered').length, 2);
    assert.ok(t.packets.some((p) => p.fate.detail === 'connection established'));
    const saved = t.events.find((e) => e.host === 'router' && e.fn === 'nft_ct_set_eval' && /from 0x0 to 0x1/.test(e.what));
    assert.ok(saved, 'ct mark set meta mark saved 0x1');
    const srv = t.packets.find((p) => p.summary.startsWith('10.0.2.2 > 10.0.1.2: ICMP echo request'))!;
    assert.strictEqual(srv.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
  });

  it('limit: the bucket refills with time, and byte rates cost by length', () => {
    const text = threeHosts(
      { server: [...base, 'nft add rule ip filter input udp dport 9 limit rate 2/second burst 1 packets accept', 'nft add rule ip filter input udp dport 9 drop', 'nft add rule ip filter input udp dport 10 limit rate over 1 kbytes/second burst 1 kbytes drop'] },
      `listen:\n  - server: udp 9\n  - server: udp 10\ntraffic:\n  - from: client\n    send: udp to 10.0.2.2:9 from :4000\n  - from: client\n    send: udp to 10.0.2.2:9 from :4000\n  - wait: 600ms\n  - from: client\n    send: udp to 10.0.2.2:9 from :4000\n  - from: client\n    send: udp to 10.0.2.2:10 from :4001 size 1000\n  - from: client\n    send: udp to 10.0.2.2:10 from :4001 size 1000\n  - from: client\n    send: udp to 10.0.2.2:10 from :4001 size 1000\n`,
    );
    const t = run(text);
    const to = (port: number): string[] => t.packets.filter((p) => new RegExp(`> 10\\.0\\.2\\.2\\.${port}:`).test(p.summary)).map((p) => p.fate.kind);
    assert.deepStrictEqual(to(9), ['delivered', 'dropped', 'delivered'], 'burst 1, then a token every 500 ms');
    // 1 kbytes/second with a 1 kbytes burst: the bucket holds 2 s of credit, a 1000-byte datagram costs 0.977 s
    assert.deepStrictEqual(to(10), ['delivered', 'delivered', 'dropped']);
  });

  it('ct mark matches; meta mark set ct mark without a connection breaks the rule', () => {
    const w = new World();
    const net = w.addHost('h');
    runNft(net, fromFile('table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\tct mark 0x00000001 counter accept\n\t\tct mark set meta mark\n\t\tmeta mark set ct mark\n\t\tct mark set 0x00000005\n\t}\n}\n', 'r.nft'));
    const c = NfEngine.of(net).table('ip', 't')!.chains.get('c')!;
    assert.deepStrictEqual(c.rules.map((r) => r.text), ['ct mark 0x00000001 counter accept', 'ct mark set meta mark', 'meta mark set ct mark', 'ct mark set 0x00000005']);
    assert.ok(c.rules.every((r) => r.exprs.some((e) => e.needsCt)), 'every ct mark rule needs conntrack');
  });

  it('errors: unknown set, type mismatch, element of the wrong type, prefix without interval, at their columns', () => {
    const l1 = 'nft add rule ip filter input ip saddr @nope accept';
    const e1 = errAt(threeHosts({ router: [...base, l1] }, T));
    assert.deepStrictEqual([e1.line, e1.col], [line(3), 5 + l1.indexOf('@nope')]);
    assert.match(e1.detail, /No such file or directory: no set nope/);
    const mk = "nft add set ip filter addrs '{ type ipv4_addr; }'";
    const l2 = 'nft add rule ip filter input tcp dport @addrs accept';
    const e2 = errAt(threeHosts({ router: [...base, mk, l2] }, T));
    assert.deepStrictEqual([e2.line, e2.col], [line(4), 5 + l2.indexOf('@addrs')]);
    assert.match(e2.detail, /datatype mismatch, expected IPv4 address, expression has type internet network service/);
    const l3 = "nft add element ip filter addrs '{ 10.0.0.1, 80x }'";
    const e3 = errAt(threeHosts({ router: [...base, mk, l3] }, T));
    assert.deepStrictEqual([e3.line, e3.col], [line(4), 5 + l3.indexOf('80x')]);
    assert.match(e3.detail, /not an IPv4 address/);
    const l4 = "nft add element ip filter addrs '{ 10.0.0.0/8 }'";
    const e4 = errAt(threeHosts({ router: [...base, mk, l4] }, T));
    assert.strictEqual(e4.col, 5 + l4.indexOf('10.0.0.0/8'));
    assert.match(e4.detail, /flags interval/);
    const l5 = "nft delete element ip filter addrs '{ 10.0.0.9 }'";
    const e5 = errAt(threeHosts({ router: [...base, mk, l5] }, T));
    assert.strictEqual(e5.col, 5 + l5.indexOf('10.0.0.9'));
    const l6 = 'nft add rule ip filter input ip saddr vmap @addrs';
    assert.match(errAt(threeHosts({ router: [...base, mk, l6] }, T)).detail, /is a set, not a verdict map/);
  });

  it('a rules file with a bad element applies nothing; a set in use cannot be deleted', () => {
    const file = 'table ip filter {\n\tset s {\n\t\ttype inet_service\n\t\telements = { 22, 80, http, sshh }\n\t}\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport @s accept\n\t}\n}\n';
    const net = new World().addHost('h');
    assert.throws(() => runNft(net, fromFile(file, 'r.nft')), (e: ScenarioError) => e.pos.line === 4 && e.pos.col === 30);
    assert.strictEqual(NfEngine.of(net).tables.length, 0);
    runNft(net, fromFile(file.replace(', sshh', ''), 'r.nft'));
    const s = NfEngine.of(net).table('ip', 'filter')!.sets!.get('s')!;
    assert.deepStrictEqual(s.elems.map((e) => e.text), ['22', '80'], 'http is 80: already there');
    assert.throws(() => runNft(net, fromFile('delete set ip filter s', 'l')), /Device or resource busy/);
    runNft(net, fromFile('add element ip filter s { 443 }\ndelete element ip filter s { 22 }', 'l'));
    assert.deepStrictEqual(NfEngine.of(net).table('ip', 'filter')!.sets!.get('s')!.elems.map((e) => e.text), ['80', '443']);
  });

  it('iptables: -m connmark --mark and CONNMARK --set-mark/--save-mark/--restore-mark', () => {
    const text = threeHosts(
      {
        router: [
          'iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark',
          'iptables -t mangle -A PREROUTING -i eth0 -m conntrack --ctstate NEW -j MARK --set-mark 0x2',
          'iptables -t mangle -A PREROUTING -j CONNMARK --save-mark',
          'iptables -P FORWARD DROP',
          'iptables -A FORWARD -m connmark --mark 0x2 -j ACCEPT',
        ],
      },
      'listen:\n  - server: tcp 80\ntraffic:\n  - from: client\n    send: tcp connect to 10.0.2.2:80\n  - from: server\n    send: icmp echo-request to 10.0.1.2\n',
    );
    const t = run(text);
    assert.ok(t.packets.some((p) => p.fate.detail === 'connection established'));
    const srv = t.packets.find((p) => p.summary.startsWith('10.0.2.2 > 10.0.1.2: ICMP echo request'))!;
    assert.strictEqual(srv.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.ok(t.events.some((e) => e.fn === 'connmark_tg_shift' && /restore-mark: skb->mark goes from 0x0 to 0x2/.test(e.what)));
  });
});
