// pktinfo's object is reused (one per nesting depth, valid while its hook runs): a hook run
// inside another must not change what the outer one reads, and a refill must leave nothing of
// the packet before it.
import * as assert from 'assert';
import { pktinfo, pktinfoDone } from '../../../src/model/net/netfilter/nf_pktinfo';
import { pkt } from './helpers';

const udp = (sport: number, dport: number): number[] => [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 8, 0, 0];
const icmpEcho = [8, 0, 0, 0, 0x12, 0x34, 0, 1];

describe('nf_pktinfo: one object per hook depth', () => {
  it('a hook nested in another gets its own object; the outer one still reads its packet', () => {
    const outer = pktinfo(pkt(17, udp(1000, 53), { saddr: 0x0a000001 }), 'NF_INET_LOCAL_IN', null, null);
    try {
      const inner = pktinfo(pkt(1, icmpEcho, { saddr: 0x0a000009 }), 'NF_INET_LOCAL_OUT', null, null);
      try {
        assert.notStrictEqual(inner, outer);
        assert.notStrictEqual(inner.iph, outer.iph);
        assert.deepStrictEqual([inner.hook, inner.iph.saddr, inner.l4proto, inner.icmpId], ['NF_INET_LOCAL_OUT', 0x0a000009, 1, 0x1234]);
      } finally {
        pktinfoDone();
      }
      assert.deepStrictEqual([outer.hook, outer.iph.saddr, outer.l4proto, outer.sport, outer.dport], ['NF_INET_LOCAL_IN', 0x0a000001, 17, 1000, 53]);
    } finally {
      pktinfoDone();
    }
  });

  it('a refilled object keeps nothing of the packet before it', () => {
    const a = pktinfo(pkt(6, [0, 80, 0x1f, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0]), 'NF_INET_PRE_ROUTING', null, null);
    assert.deepStrictEqual([a.sport, a.dport, a.tcpFlags], [80, 8080, 0x02]);
    pktinfoDone();
    const b = pktinfo(pkt(1, icmpEcho, { ttl: 7 }), 'NF_INET_FORWARD', null, null);
    try {
      assert.strictEqual(b, a, 'the same depth reuses its object');
      assert.deepStrictEqual([b.sport, b.dport, b.tcpFlags, b.icmpType, b.iph.ttl, b.hook], [undefined, undefined, undefined, 8, 7, 'NF_INET_FORWARD']);
    } finally {
      pktinfoDone();
    }
  });
});
