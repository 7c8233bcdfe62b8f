import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, nfEvents, run, runExample, threeHosts } from './helpers';

describe('netfilter: hooks, chains, rules and verdicts', () => {
  it('a FORWARD rule drops the datagram: chain, rule text and position, verdict, drop reason, fate', () => {
    const t = runExample('nf-forward-drop.yaml');
    const p1 = t.packets.find((p) => p.id === 1)!;
    assert.deepStrictEqual([p1.fate.kind, p1.fate.host, p1.fate.fn, p1.fate.reason], ['dropped', 'router', 'nft_do_chain', 'SKB_DROP_REASON_NETFILTER_DROP']);
    const ev = nfEvents(t, 'router', 1);
    const rule = ev.find((e) => e.hook!.rule === 'udp dport 53 counter drop')!;
    assert.ok(rule, 'the rule is in the trace as written');
    assert.strictEqual(rule.hook!.hook, 'NF_INET_FORWARD');
    assert.strictEqual(rule.hook!.table, 'filter');
    assert.strictEqual(rule.hook!.chain, 'forward');
    assert.strictEqual(rule.hook!.family, 'ip');
    assert.strictEqual(rule.hook!.priority, 0);
    assert.strictEqual(rule.hook!.ruleIndex, 1);
    assert.strictEqual(rule.hook!.verdict, 'NF_DROP');
    const src = 'nft add rule ip filter forward udp dport 53 counter drop';
    const lines = fs.readFileSync(path.join(ROOT, 'examples', 'nf-forward-drop.yaml'), 'utf8').split('\n');
    assert.deepStrictEqual(rule.hook!.ruleAt, { file: 'examples/nf-forward-drop.yaml', line: lines.findIndex((l) => l.trim() === src) + 1, col: 5 + src.indexOf('udp') });
    // the ping does not match (NFT_BREAK) and passes on the policy; the server answers it
    const ping = t.packets.find((p) => /echo request/.test(p.summary))!;
    assert.deepStrictEqual(nfEvents(t, 'router', ping.id).filter((e) => e.fn === 'nft_do_chain').map((e) => e.hook!.verdict), ['NFT_BREAK', 'NF_ACCEPT']);
    assert.strictEqual(ping.fate.detail, 'answered with an echo reply');
  });

  it('base chains of one hook run in priority order, conntrack at -200, and later registration first at equal priority', () => {
    const t = run(
      threeHosts(
        {
          router: [
            'nft add table ip a',
            "nft add chain ip a f1 '{ type filter hook forward priority 0; }'",
            "nft add chain ip a m '{ type filter hook forward priority mangle; }'",
            "nft add chain ip a f2 '{ type filter hook forward priority 0; }'",
            "nft add chain ip a late '{ type filter hook forward priority filter + 10; }'",
            'nft add table inet b',
            "nft add chain inet b raw '{ type filter hook prerouting priority raw; }'",
            'nft add rule inet b raw ct state new counter',
            'nft add rule ip a f1 counter',
          ],
        },
        'traffic:\n  - from: client\n    send: udp to 10.0.2.2:9 payload x\n',
      ),
    );
    const chains = nfEvents(t, 'router', 1)
      .filter((e) => e.fn.startsWith('nft_do_chain_') || e.fn === 'nf_conntrack_in')
      .map((e) => `${e.hook!.hook} ${e.fn === 'nf_conntrack_in' ? 'conntrack' : `${e.hook!.family} ${e.hook!.table} ${e.hook!.chain}`} ${e.hook!.priority}`);
    assert.deepStrictEqual(chains, [
      'NF_INET_PRE_ROUTING inet b raw -300',
      'NF_INET_PRE_ROUTING conntrack -200',
      'NF_INET_FORWARD ip a m -150',
      'NF_INET_FORWARD ip a f2 0',
      'NF_INET_FORWARD ip a f1 0',
      'NF_INET_FORWARD ip a late 10',
    ]);
    // the raw chain ran before conntrack, so it saw no entry yet: ct state new did not match
    const raw = nfEvents(t, 'router', 1).find((e) => e.hook!.rule === 'ct state new counter')!;
    assert.strictEqual(raw.hook!.verdict, 'NFT_BREAK');
    assert.strictEqual(t.packets[0].fate.host, 'server');
  });

  it('jump, return and goto; the policy applies when no rule decides', () => {
    const t = run(
      threeHosts(
        {
          router: [
            'nft add table ip filter',
            "nft add chain ip filter forward '{ type filter hook forward priority 0; policy drop; }'",
            'nft add chain ip filter sub',
            'nft add chain ip filter deny',
            'nft add rule ip filter forward jump sub',
            'nft add rule ip filter forward udp dport 7 accept',
            'nft add rule ip filter sub udp dport 9 return',
            'nft add rule ip filter sub udp dport 8 goto deny',
            'nft add rule ip filter sub udp dport 8 accept',
            'nft add rule ip filter deny counter',
          ],
        },
        'listen:\n  - server: udp 7\ntraffic:\n  - from: client\n    send: udp to 10.0.2.2:9 payload x\n  - from: client\n    send: udp to 10.0.2.2:7 payload x\n  - from: client\n    send: udp to 10.0.2.2:8 payload x\n',
      ),
    );
    const seq = (pkt: number): string[] =>
      nfEvents(t, 'router', pkt)
        .filter((e) => e.fn === 'nft_do_chain')
        .map((e) => `${e.hook!.chain}:${e.hook!.ruleIndex ?? '-'}:${e.hook!.verdict}`);
    const udp = t.packets.filter((p) => /UDP/.test(p.summary));
    const [p9, p7, p8] = udp.map((p) => p.id);
    assert.deepStrictEqual(seq(p9), ['forward:1:NFT_JUMP', 'sub:1:NFT_RETURN', 'forward:2:NFT_BREAK', 'forward:-:NF_DROP']);
    assert.deepStrictEqual(seq(p7), ['forward:1:NFT_JUMP', 'sub:1:NFT_BREAK', 'sub:2:NFT_BREAK', 'sub:3:NFT_BREAK', 'sub:-:NFT_RETURN', 'forward:2:NF_ACCEPT']);
    // goto pushes nothing: the end of deny returns to where sub was jumped from, never to sub's rule 3
    assert.deepStrictEqual(seq(p8), ['forward:1:NFT_JUMP', 'sub:1:NFT_BREAK', 'sub:2:NFT_GOTO', 'deny:1:NFT_CONTINUE', 'deny:-:NFT_RETURN', 'forward:2:NFT_BREAK', 'forward:-:NF_DROP']);
    assert.strictEqual(t.packets.find((p) => p.id === p7)!.fate.kind, 'delivered');
    assert.strictEqual(t.packets.find((p) => p.id === p9)!.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
  });

  it('NF_QUEUE with no listener drops; with bypass the packet goes on', () => {
    const t = runExample('nf-queue-no-listener.yaml');
    assert.deepStrictEqual([t.packets[0].fate.kind, t.packets[0].fate.fn, t.packets[0].fate.reason], ['dropped', 'nf_queue', 'SKB_DROP_REASON_NOT_SPECIFIED']);
    const t2 = run(threeHosts({ server: ['nft add table ip filter', "nft add chain ip filter input '{ type filter hook input priority 0; }'", 'nft add rule ip filter input queue num 3 bypass'] }, 'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.2.2\n'));
    assert.strictEqual(t2.packets[0].fate.detail, 'answered with an echo reply');
  });

  it('reject sends ICMP host-prohibited (related to the connection) and drops the datagram', () => {
    const t = runExample('nf-reject-icmp.yaml');
    assert.strictEqual(t.packets[0].fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    const icmp = t.packets.find((p) => p.parent === 1 && /ICMP/.test(p.summary))!;
    assert.ok(icmp, 'an ICMP error is made from the rejected datagram');
    assert.match(icmp.summary, /code 10/);
    assert.strictEqual(icmp.fate.host, 'client');
    // the server does not track connections: no conntrack hook ran there
    assert.ok(!t.events.some((e) => e.host === 'server' && e.fn === 'nf_conntrack_in'));
    assert.strictEqual(t.counters.server.IcmpOutDestUnreachs, 1);
  });

  it('reject with tcp reset answers a SYN with RST|ACK', () => {
    const t = run(threeHosts({ server: ['nft add table ip filter', "nft add chain ip filter input '{ type filter hook input priority 0; }'", 'nft add rule ip filter input tcp dport 25 reject with tcp reset'] }, 'traffic:\n  - from: client\n    send: tcp connect to 10.0.2.2:25\n'));
    const rst = t.packets.find((p) => p.parent === 1 && /\[R\.\]/.test(p.summary));
    assert.ok(rst, t.packets.map((p) => p.summary).join('\n'));
    assert.strictEqual(rst!.fate.host, 'client');
  });
});
