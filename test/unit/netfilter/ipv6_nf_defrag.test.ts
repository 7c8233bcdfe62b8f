// nf_defrag_ipv6 (issue 14): ipv6_defrag → nf_ct_frag6_gather reassembles in its own queues
// before conntrack and the rules, passes what it cannot judge to ip6's reassembly, drops what
// it refuses, and leaves frag_max_size for ip6_forward and ip6_fragment.
import * as assert from 'assert';
import { run, runExample } from './helpers';
import type { Trace } from '../../../src/trace/contract';
import { find_prev_fhdr } from '../../../src/model/net/netfilter/nf_defrag_ipv6';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import { ip6_find_1stfragopt } from '../../../src/model/net/ipv6/ip6_fragment';

const byteAt = (hex: string, off: number): number => parseInt(hex.slice(off * 2, off * 2 + 2), 16);
const CT = ['nft add table ip6 f', "nft add chain ip6 f input '{ type filter hook input priority 0; policy accept; }'", 'nft add rule ip6 f input ct state new counter'];
const ind = (ls: string[]): string => ls.map((l) => `    ${l}\n`).join('');
/** host b tracks connections (or not); a and b on one link; crafted frames go into b:eth0 */
function onB(sends: string[], opts: { ct?: boolean; sysctl?: string[] } = {}): Trace {
  const b = ['ip -6 addr add 2001:db8:1::20/64 dev eth0 nodad', 'ip link set eth0 up', ...(opts.sysctl ?? []), ...(opts.ct === false ? [] : CT)];
  return run(`name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
    ip link set eth0 up
  b: |
${ind(b)}links:
  - a:eth0 b:eth0
listen:
  - b: udp [::]:7000
traffic:
${sends.map((s, i) => (s.startsWith('from') ? `  - from: a\n    send: ${s.slice(5)}\n` : `  - into: b:eth0\n${i > 0 ? '    at: +5ms\n' : ''}    send: ${s}\n`)).join('')}`);
}
const FROM = 'udp from [2001:db8:1::10]:40000 to [2001:db8:1::20]:7000';
const fns = (t: Trace, host: string): string[] => t.events.filter((e) => e.host === host).map((e) => e.fn);

describe('nf_defrag_ipv6 (nf_ct_frag6_gather)', () => {
  it('a fragmented ping to a tracking host: conntrack and the rule see one packet, ip6 never reassembles', () => {
    const t = onB(['from icmp echo-request to 2001:db8:1::20 size 3000']);
    const b = t.counters.b;
    assert.deepStrictEqual([b.Icmp6InEchos, b.Ip6ReasmReqds, b.Ip6ReasmOKs], [1, undefined, undefined]);
    assert.strictEqual(fns(t, 'b').filter((f) => f === 'nf_ct_frag6_queue').length, 2, 'two wait; the third completes the datagram');
    assert.strictEqual(fns(t, 'b').filter((f) => f === 'nf_ct_frag6_reasm').length, 1);
    assert.ok(!fns(t, 'b').includes('ipv6_frag_rcv'));
    // the rule's counter: one packet, the whole datagram (3000 bytes)
    const chain = t.events.filter((e) => e.host === 'b' && e.fn === 'nft_do_chain_ipv6');
    assert.strictEqual(chain.filter((e) => byteAt(e.skb!.bytes, e.skb!.network_header! + 6) === 44).length, 0, 'no fragment reaches the chain');
    assert.strictEqual(chain.filter((e) => e.skb!.len === 3000).length, 1, 'the whole datagram does');
    // without conntrack, ip6 reassembles as before
    const plain = onB(['from icmp echo-request to 2001:db8:1::20 size 3000'], { ct: false });
    assert.deepStrictEqual([plain.counters.b.Ip6ReasmReqds, plain.counters.b.Ip6ReasmOKs], [3, 1]);
  });

  it('a fragment with M whose end is not a multiple of 8 goes on untouched (-EPROTO), and ipv6_frag_rcv answers it', () => {
    const t = onB([`${FROM} size 1045 frag offset 0 more id 9`]);
    const b = t.counters.b;
    assert.deepStrictEqual([b.Icmp6OutParmProblems, b.Ip6ReasmReqds], [1, 1]);
    assert.ok(fns(t, 'b').includes('ipv6_frag_rcv'));
    assert.ok(t.events.some((e) => e.fn === 'nf_ct_frag6_queue' && /-EPROTO/.test(e.what)));
  });

  it('an overlapping fragment is NF_DROP and kills the queue; a duplicate is freed alone (DUP_FRAG)', () => {
    const t = onB([`${FROM} size 1048 frag offset 0 more id 9`, `${FROM} size 1048 frag offset 512 more id 9`]);
    const frag = (tr: Trace, n: number) => tr.packets.filter((p) => / next header 44/.test(p.summary))[n].fate;
    assert.strictEqual(frag(t, 1).reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.strictEqual(frag(t, 0).fn, 'inet_frag_rbtree_purge', 'the queue was killed: its fragment freed with it, no timeout');
    assert.strictEqual(t.counters.b.Ip6ReasmFails, undefined, 'nf_conntrack_reasm counts nothing');
    const d = onB([`${FROM} size 1048 frag offset 0 more id 9`, `${FROM} size 1048 frag offset 0 more id 9`]);
    assert.strictEqual(frag(d, 1).reason, 'SKB_DROP_REASON_DUP_FRAG');
    assert.strictEqual(frag(d, 0).fn, 'nf_ct_frag6_expire', 'the first stays queued until the timeout');
  });

  it('its own sysctls: nf_conntrack_frag6_timeout times the queue out (ICMPv6 time exceeded), high_thresh 0 refuses every fragment', () => {
    const t = onB([`${FROM} size 1048 frag offset 0 more id 9`], { sysctl: ['sysctl -w net.netfilter.nf_conntrack_frag6_timeout=5'] });
    const exp = t.events.find((e) => e.fn === 'nf_ct_frag6_expire' && e.host === 'b');
    assert.ok(exp, 'the nf queue expires');
    const start = t.events.find((e) => e.fn === 'nf_ct_frag6_queue')!.time;
    assert.strictEqual(exp.time - start, 5e9);
    assert.deepStrictEqual([t.counters.b.Ip6ReasmTimeout, t.counters.b.Icmp6OutTimeExcds], [1, 1]);
    const off = onB([`${FROM} size 1048 frag offset 0 more id 9`], { sysctl: ['sysctl -w net.netfilter.nf_conntrack_frag6_low_thresh=0', 'sysctl -w net.netfilter.nf_conntrack_frag6_high_thresh=0'] });
    assert.strictEqual(off.packets[0].fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.strictEqual(off.counters.b.Ip6ReasmFails, undefined);
  });

  it('ipv6-nf-defrag-forward: the router reassembles, tracks and refragments no larger than the biggest fragment', () => {
    const t = runExample('ipv6-nf-defrag-forward.yaml');
    const r = t.counters.router;
    assert.deepStrictEqual([r.Ip6ReasmReqds, r.Ip6OutForwDatagrams, r.Ip6FragOKs, r.Ip6FragCreates], [undefined, 4, 3, 9]);
    const out = t.events.filter((e) => e.host === 'router' && e.fn === 'ip6_finish_output2' && e.skb && byteAt(e.skb.bytes, e.skb.network_header! + 6) === 44);
    assert.strictEqual(out.length, 9);
    assert.ok(out.every((e) => e.skb!.tail - e.skb!.network_header! <= 1496), 'no fragment larger than the largest that came in');
    // the server's NEW ping from eth1 is dropped whole, after reassembly
    const dropped = t.packets.filter((p) => p.fate.reason === 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.strictEqual(dropped.length, 1);
    assert.match(dropped[0].summary, /echo request.*length 1960/);
  });

  it('ipv6-nf-defrag-packet-too-big: frag_max_size beyond the out MTU gets Packet Too Big; a datagram that fits passes', () => {
    const t = runExample('ipv6-nf-defrag-packet-too-big.yaml');
    const r = t.counters.router;
    assert.deepStrictEqual([r.Ip6InTooBigErrors, r.Ip6FragFails, r.Icmp6OutPktTooBigs], [1, 1, 1]);
    assert.ok(t.packets.some((p) => p.fate.reason === 'SKB_DROP_REASON_PKT_TOO_BIG'));
    assert.strictEqual(t.counters.client.Icmp6InEchoReplies, 1);
  });

  it('a reassembled datagram with a destination options header is refragmented behind it (ip6_find_1stfragopt)', () => {
    const router = ['sysctl -w net.ipv6.conf.all.forwarding=1', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad', 'ip -6 addr add 2001:db8:2::1/64 dev eth1 nodad', 'ip link set eth0 up', 'ip link set eth1 mtu 1400 up', 'nft add table ip6 f', "nft add chain ip6 f forward '{ type filter hook forward priority 0; }'", 'nft add rule ip6 f forward ct state new counter'];
    const S = 'udp from [2001:db8:1::10]:40000 to [2001:db8:2::20]:7000';
    const t = run(`name: t
hosts:
  r: |
${ind(router)}  c: |
    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
    ip link set eth0 up
  s: |
    ip -6 addr add 2001:db8:2::20/64 dev eth0 nodad
    ip link set eth0 mtu 1400 up
    ip -6 route add default via 2001:db8:2::1
links:
  - c:eth0 r:eth0
  - r:eth1 s:eth0
traffic:
  - into: r:eth0
    send: ${S} size 1360 ext dst:0x1e frag offset 0 more id 4
  - into: r:eth0
    at: +5ms
    send: ${S} size 1360 ext dst:0x1e frag offset 1304 id 4
`);
    const out = t.events.filter((e) => e.host === 'r' && e.fn === 'ip6_finish_output2' && byteAt(e.skb!.bytes, e.skb!.network_header! + 6) !== 58);
    assert.strictEqual(out.length, 2);
    for (const e of out) {
      const nh = e.skb!.network_header!;
      assert.strictEqual(byteAt(e.skb!.bytes, nh + 6), 60, 'the destination options stay in front');
      assert.strictEqual(byteAt(e.skb!.bytes, nh + 40), 44, 'and name the Fragment header');
      assert.ok(e.skb!.tail - nh <= 1360);
    }
  });

  it('find_prev_fhdr and ip6_find_1stfragopt walk the headers', () => {
    const skb = new SkBuff(128, 1);
    const b = skb.buf;
    b[0] = 0x60;
    b[6] = 0; // hop-by-hop
    b[40] = 60; // → destination options
    b[41] = 0;
    b[48] = 44; // → fragment
    b[49] = 0;
    b[56] = 17;
    skb.network_header = 0;
    skb.tail = 72;
    skb.len = 72;
    assert.deepStrictEqual(find_prev_fhdr(skb), { nhoff: 48, fhoff: 56 });
    b[48] = 17;
    assert.strictEqual(find_prev_fhdr(skb), null);
    b[48] = 43; // a routing header, then destination options: those are fragmentable
    b[56] = 60;
    b[57] = 0;
    b[64] = 17;
    assert.deepStrictEqual(ip6_find_1stfragopt(skb), { hlen: 64, prevhdr: 56 });
  });
});
