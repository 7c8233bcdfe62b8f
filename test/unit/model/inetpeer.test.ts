// inet_peer's token bucket (net/ipv4/inetpeer.c, Linux v6.12) counts in jiffies, shared by
// icmpv4_xrlim_allow, icmpv6_xrlim_allow, ip_error and ip_rt_send_redirect.
import * as assert from 'assert';
import { inet_getpeer, inet_peer_xrlim_allow, type InetPeer } from '../../../src/model/net/ipv4/inetpeer';
import { jiffiesAt } from '../../../src/model/sim/scheduler';

describe('inet_peer: the per-address token bucket in jiffies', () => {
  const HZ = 250;

  it('a new peer starts with a minute of credit, capped at six timeouts: six pass at once, the seventh does not', () => {
    const peers = new Map<number, InetPeer>();
    const now = 1000;
    const p = inet_getpeer(peers, 7, now);
    const got = Array.from({ length: 7 }, () => inet_peer_xrlim_allow(p, HZ, now));
    assert.deepStrictEqual(got, [true, true, true, true, true, true, false]);
    assert.strictEqual(inet_getpeer(peers, 7, now + 5), p, 'the same address finds the same peer');
  });

  it('refills one jiffy per jiffy: an emptied bucket lets the next one through a whole timeout later, not a jiffy before', () => {
    const p = inet_getpeer(new Map<number, InetPeer>(), 1, 0);
    while (inet_peer_xrlim_allow(p, HZ, 0));
    assert.strictEqual(inet_peer_xrlim_allow(p, HZ, HZ - 1), false);
    // the refused call still moved rate_last and kept its jiffies
    assert.strictEqual(inet_peer_xrlim_allow(p, HZ, HZ), true);
  });

  it('counts jiffies crossed, not time: 996.5 ms across 250 jiffy edges earns a whole second, 999.9 ms within 249 does not', () => {
    // the model's clock starts on a jiffy's edge (4 ms at HZ 250)
    assert.strictEqual(jiffiesAt(3_999_999), 0);
    assert.strictEqual(jiffiesAt(4_000_000), 1);
    const edge = (t1ns: number, t2ns: number): boolean => {
      const p = inet_getpeer(new Map<number, InetPeer>(), 1, jiffiesAt(t1ns));
      while (inet_peer_xrlim_allow(p, HZ, jiffiesAt(t1ns)));
      return inet_peer_xrlim_allow(p, HZ, jiffiesAt(t2ns));
    };
    assert.strictEqual(edge(3_900_000, 1_000_400_000), true);
    assert.strictEqual(edge(100_000, 1_000_000_000 - 100), false);
  });

  it('a timeout of zero always passes; one whose six-fold overflows an int leaves the bucket uncapped', () => {
    const p = inet_getpeer(new Map<number, InetPeer>(), 1, 0);
    for (let i = 0; i < 20; i++) assert.strictEqual(inet_peer_xrlim_allow(p, 0, 0), true);
    // icmp_ratelimit at its largest (2147483647 ms → 536870912 jiffies): 6 × that wraps negative
    const big = 536_870_912;
    const q = inet_getpeer(new Map<number, InetPeer>(), 1, 0);
    assert.strictEqual(inet_peer_xrlim_allow(q, big, 0), false, 'a minute of credit is less than one timeout');
    assert.strictEqual(inet_peer_xrlim_allow(q, big, 7 * big), true);
    assert.strictEqual(inet_peer_xrlim_allow(q, big, 7 * big), true, 'credit beyond six timeouts was kept: no cap');
  });
});
