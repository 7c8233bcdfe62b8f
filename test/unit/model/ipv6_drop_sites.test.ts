// Where the model frees IPv6 packets, as the kernel's drop tracer sees it (Linux v6.12): the
// frag_list of a datagram ip6_frag_reasm put back together (inet_frag_reasm_finish with
// try_coalesce) or conntrack's defrag put together (every fragment chained; ip6_fragment's fast
// path sends them on), freed with it in skb_release_data; and an unknown option handled by
// ip6_tlvopt_unknown (net/ipv6/exthdrs.c), by the two high bits of its type.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { modelDrops } from '../../../src/fidelity/observe';
import { REASM_CLONE } from '../../../src/model/net/ipv4/ip_fragment';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
function run(rel: string): Trace {
  const file = path.join(ROOT, rel);
  return runScenario(parseScenario(fs.readFileSync(file, 'utf8'), file));
}

describe('IPv6 drop sites (ip6_frag_reasm frag_list, ip6_tlvopt_unknown)', () => {
  it('a reassembled IPv6 ping frees its chained fragment with it, not the clone of the completing one', () => {
    const t = run('examples/ipv6-fragmentation-reassembly.yaml');
    const rel = t.events.filter((e) => e.fn === 'skb_release_data');
    // 2960 bytes in 1448-byte pieces: offsets 0, 1448 and 2896; the head keeps offset 0, 1448 is too
    // big for its tailroom, so 1448 and the completing 2896 (as inet_frag_reasm_prepare's clone) are chained
    for (const host of ['server', 'client']) {
      const mine = rel.filter((e) => e.host === host);
      assert.strictEqual(mine.length, 2, `${host}: two chained fragments`);
      const clone = mine.filter((e) => t.packets.find((p) => p.id === e.packet)!.fate.detail?.endsWith(REASM_CLONE));
      assert.strictEqual(clone.length, 1, `${host}: one of them is the completing fragment's clone`);
      assert.ok(mine.every((e) => e.drop === 'SKB_DROP_REASON_NOT_SPECIFIED'), 'freed by __kfree_skb: NOT_SPECIFIED');
    }
    // the tracer cannot place the clone's free: only the middle fragment is compared, on each host
    const compared = modelDrops(t).filter((d) => d.fn === 'skb_release_data');
    assert.deepStrictEqual(compared.map((d) => [d.host, / frag 1448\+$/.test(d.id.key)]), [['server', true], ['client', true]]);
  });

  it("the echo reply's list goes although ping's raw socket holds a clone of the datagram (its read frees the data)", () => {
    const t = run('examples/ipv6-fragmentation-reassembly.yaml');
    const client = t.events.filter((e) => e.host === 'client' && (e.fn === 'icmpv6_rcv' || e.fn === 'skb_release_data') && e.drop).map((e) => `${e.fn} ${e.drop}`);
    assert.deepStrictEqual(client, ['icmpv6_rcv SKB_DROP_REASON_NO_SOCKET', 'skb_release_data SKB_DROP_REASON_NOT_SPECIFIED', 'skb_release_data SKB_DROP_REASON_NOT_SPECIFIED']);
  });

  it("conntrack's defrag chains the fragments: a forward whose geometry fits sends them on (fast path), a drop frees them", () => {
    const fwd = run('examples/ipv6-nf-defrag-forward.yaml');
    assert.ok(fwd.events.some((e) => e.host === 'router' && e.fn === 'nf_ct_frag6_reasm'), 'the router reassembles');
    // the forwarded datagrams' lists go out as they came (ip6_fragment's fast path): nothing freed
    // but the clone on the list of the echo request the firewall drops (which the tracer cannot place)
    assert.deepStrictEqual(modelDrops(fwd).filter((d) => d.host === 'router').map((d) => `${d.fn} ${d.reason}`), ['nft_do_chain NETFILTER_DROP']);
    const rel = fwd.events.filter((e) => e.host === 'router' && e.fn === 'skb_release_data');
    assert.strictEqual(rel.length, 1);
    assert.ok(fwd.packets.find((p) => p.id === rel[0].packet)!.fate.detail?.endsWith(REASM_CLONE));
    const big = run('examples/ipv6-nf-defrag-packet-too-big.yaml');
    const router = modelDrops(big).filter((d) => d.host === 'router');
    // the datagram is too big for the next link: it is freed, and its chained fragment at 1448 with it
    // (the one that completed it is the head; its clone on the list is not placed by the tracer)
    assert.deepStrictEqual(
      router.map((d) => `${d.fn} ${d.reason}${/ frag (\d+\+?)$/.exec(d.id.key)?.[0] ?? ''}`),
      ['ip6_forward PKT_TOO_BIG', 'skb_release_data NOT_SPECIFIED frag 1448+'],
    );
    assert.strictEqual(big.events.filter((e) => e.host === 'router' && e.fn === 'skb_release_data').length, 2, 'the clone is freed too, in the model as in the kernel');
  });

  it('a packet routed into a blackhole is freed in dst_discard_out (dst_discard is its inline wrapper)', () => {
    const t = run('test/fidelity/found/fix-ipv6-blackhole-dst-discard.yaml');
    const drops = t.events.filter((e) => e.drop);
    assert.deepStrictEqual(drops.map((e) => `${e.host} ${e.fn} ${e.drop}`), ['b dst_discard_out SKB_DROP_REASON_NOT_SPECIFIED', 'b dst_discard_out SKB_DROP_REASON_NOT_SPECIFIED']);
    assert.ok(drops.every((e) => e.stack!.slice(-3).join(' ') === 'ip6_rcv_finish dst_discard dst_discard_out'), drops.map((e) => e.stack!.join('<')).join('; '));
  });

  it('unknown options: 01 and 11 to multicast are freed in ip6_tlvopt_unknown, 10 and 11 through icmpv6_param_prob_reason, 00 skipped', () => {
    const t = run('test/fidelity/found/fix-ipv6-tlvopt-unknown.yaml');
    const sent = t.packets.filter((p) => p.fate.host === 'b').filter((p) => /^2001:db8:1::1 > (2001:db8:1::2|ff02::1): next header (0|60|43)/.test(p.summary));
    const fates = sent.map((p) => `${p.fate.fn} ${p.fate.kind === 'dropped' ? p.fate.reason : p.fate.kind}`);
    assert.deepStrictEqual(fates, [
      'ip6_tlvopt_unknown SKB_DROP_REASON_UNHANDLED_PROTO',
      'icmpv6_param_prob_reason SKB_DROP_REASON_UNHANDLED_PROTO',
      'ip6_tlvopt_unknown SKB_DROP_REASON_UNHANDLED_PROTO',
      'icmpv6_param_prob_reason SKB_DROP_REASON_UNHANDLED_PROTO',
      '__udp6_lib_rcv SKB_DROP_REASON_NO_SOCKET',
      'icmpv6_param_prob_reason SKB_DROP_REASON_NOT_SPECIFIED',
    ]);
    // icmpv6_param_prob_reason's free is a tail call: the drop tracer places it in its caller
    const stacks = t.events.filter((e) => e.fn === 'icmpv6_param_prob_reason' && e.drop).map((e) => e.stack!.at(-2));
    assert.deepStrictEqual(stacks, ['ip6_tlvopt_unknown', 'ip6_tlvopt_unknown', 'ipv6_rthdr_rcv']);
    // one parameter problem per 10/11 option to a unicast address (and the routing header), none for the multicast one
    assert.strictEqual(t.packets.filter((p) => /parameter problem/.test(p.summary)).length, 3);
  });

  it('an option of type 10xxxxxx gets its parameter problem even in a packet to a multicast address (opt_unrec)', () => {
    const t = run('test/fidelity/found/fix-icmpv6-param-prob-multicast.yaml');
    const crafted = t.packets.filter((p) => p.fate.host === 'h2' && /^2001:db8:1::1 > (ff02::1|2001:db8:1::2): next header (0|60)/.test(p.summary));
    assert.deepStrictEqual(crafted.map((p) => p.fate.fn), ['icmpv6_param_prob_reason', 'ip6_tlvopt_unknown', 'ip6_tlvopt_unknown', 'icmpv6_param_prob_reason']);
    const problems = t.packets.filter((p) => /parameter problem/.test(p.summary));
    const about = problems.map((p) => crafted.findIndex((c) => c.id === p.parent));
    assert.deepStrictEqual(about, [0, 3], 'the 10xxxxxx option to ff02::1 and the 11xxxxxx one to the host itself; not the 11xxxxxx or 01xxxxxx ones to ff02::1');
    // sent from the route's choice of source, as icmp6_send does when the destination is not ours
    assert.match(problems[0].summary, /^2001:db8:1::2 > 2001:db8:1::1: ICMP6, parameter problem/);
  });
});
