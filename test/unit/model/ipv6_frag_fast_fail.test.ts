// ip6_fragment's fast path (v6.12 net/ipv6/ip6_output.c): a datagram a local socket built larger
// than the path MTU is a frag_list of pieces (__ip6_append_data), sent one by one. When one is
// refused on the way down, the rest of the list is freed unsent (kfree_skb_list), the next piece
// with the header ip6_fraglist_prepare had given it; the head went out as the first fragment.
import * as assert from 'assert';
import { runScenarioText } from '../traffic_phase';

/** a's eth0 is 1500, b's 1280: veth refuses a's full-size fragments at b (__dev_forward_skb2) */
const text = (size: number): string => `name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 mtu 1280
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: udp to [2001:db8:1::2]:9000 size ${size}
  - from: a
    send: udp to [2001:db8:1::2]:9000 size ${size}
`;

describe('IPv6: a fragment refused on the way down in ip6_fragment\'s fast path', () => {
  it('frees the next piece of the frag_list (with its header), not the datagram, which counts as sent in part', () => {
    const t = runScenarioText(text(2000), 't.yaml');
    const frag = t.packets.filter((p) => p.origin === 'a' && /next header 44/.test(p.summary));
    const dgram = t.packets.filter((p) => p.origin === 'a' && /UDP, length 1952/.test(p.summary));
    assert.ok(dgram.length >= 1);
    // the last datagram (the neighbour resolved): fragment 1 refused at b, the rest freed at a
    const last = dgram[dgram.length - 1];
    assert.strictEqual(last.fate.kind, 'consumed', JSON.stringify(last.fate));
    const freed = frag.filter((p) => p.parent === last.id && p.fate.kind === 'dropped' && p.fate.fn === 'ip6_fragment');
    assert.strictEqual(freed.length, 1, frag.map((p) => `${p.parent} ${p.fate.kind} ${p.fate.fn}`).join('; '));
    assert.match(freed[0].summary, /frag offset|length/);
    // the first datagram waited on the neighbour and went out whole; the second failed
    assert.strictEqual(t.counters.a.Ip6FragFails, 1);
  });
});
