// The input route kept per next hop (nhc_rth_input, v6.12 net/ipv4/route.c __mkroute_input and
// ip_route_input_slow's local_input): packets through one next hop share one route, each keeps
// the destination it was routed for, a change of the FIB, addresses, links or sysctls expires
// the cached route (rt_cache_flush), and a next-hop exception for a destination gets its own.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { ipToNum } from '../../../src/model/proto/addr';
import { qdiscFor } from '../../../src/model/net/sched/sch_generic';
import { addrAdd, addrDel, linkSetMtu, linkSetUp, routeAdd, routeDel, ruleAdd } from '../../../src/model/net/ipv4/devinet';
import { ip_route_input_noref, isLocalAddr } from '../../../src/model/net/ipv4/route';
import { allocSkb, type SkBuff } from '../../../src/model/net/core/skbuff';
import { ETH_P_IP } from '../../../src/model/proto/ethernet';
import type { Net } from '../../../src/model/net/net_namespace';
import type { NetDevice } from '../../../src/model/net/core/netdevice';

/** a router: eth0 10.0.0.1/24 (in), eth1 10.0.1.1/24 (out, default via 10.0.1.254), forwarding on */
function router(): { net: Net; eth0: NetDevice; eth1: NetDevice } {
  const net = new World('fates').addHost('r');
  const dev = (name: string, n: number, addr: string): NetDevice => {
    const d = net.addDevice(name, `02:00:00:00:00:0${n}`, 'veth', 1500, 1000);
    d.qdisc = qdiscFor('noqueue', 1000);
    linkSetUp(net, d, true);
    addrAdd(net, d, ipToNum(addr), 24, 0);
    return d;
  };
  const eth0 = dev('eth0', 1, '10.0.0.1');
  const eth1 = dev('eth1', 2, '10.0.1.1');
  net.setSysctl('net.ipv4.ip_forward', 1);
  routeAdd(net, { type: 'RTN_UNICAST', dst: 0, plen: 0, gw: ipToNum('10.0.1.254'), dev: null, prefsrc: 0, metric: 0, table: 254, proto: 'boot', mtu: 0 }, false);
  return { net, eth0, eth1 };
}

/** a packet from 10.0.0.2 to `daddr` received on `dev`, routed */
function route(net: Net, dev: NetDevice, daddr: string): SkBuff {
  const skb = allocSkb(0, 20, 1);
  skb.protocol = ETH_P_IP;
  assert.strictEqual(ip_route_input_noref(net, skb, ipToNum(daddr), ipToNum('10.0.0.2'), 0, dev), 0);
  return skb;
}

describe('the input route cached per next hop (nhc_rth_input)', () => {
  it('gives packets through one next hop the same route, each with its own destination', () => {
    const { net, eth0, eth1 } = router();
    const a = route(net, eth0, '8.8.8.8');
    const b = route(net, eth0, '9.9.9.9');
    assert.strictEqual(a.dst, b.dst);
    assert.strictEqual(a.dst!.dev, eth1);
    assert.strictEqual(a.dst!.gateway, ipToNum('10.0.1.254'));
    assert.strictEqual(a.dst!.input.name, 'ip_forward');
    assert.deepStrictEqual([a.dstDaddr, b.dstDaddr], [ipToNum('8.8.8.8'), ipToNum('9.9.9.9')]);
    assert.strictEqual(a.dst!.describe(a.dstDaddr), 'unicast 8.8.8.8 via 10.0.1.254 dev eth1 (ip_forward)');
    assert.strictEqual(b.dst!.describe(b.dstDaddr), 'unicast 9.9.9.9 via 10.0.1.254 dev eth1 (ip_forward)');
    // a local destination: the local route's next hop keeps its own
    const l1 = route(net, eth0, '10.0.0.1');
    const l2 = route(net, eth0, '10.0.0.1');
    assert.strictEqual(l1.dst, l2.dst);
    assert.strictEqual(l1.dst!.input.name, 'ip_local_deliver');
    assert.notStrictEqual(l1.dst, a.dst);
  });

  it('makes the route anew after any change of routes, rules, addresses, links or sysctls (rt_cache_flush)', () => {
    const { net, eth0, eth1 } = router();
    const spare = net.addDevice('eth2', '02:00:00:00:00:03', 'veth', 1500, 1000);
    spare.qdisc = qdiscFor('noqueue', 1000);
    const changes: [string, () => void][] = [
      ['a route added', () => routeAdd(net, { type: 'RTN_UNICAST', dst: ipToNum('192.0.2.0'), plen: 24, gw: ipToNum('10.0.1.253'), dev: null, prefsrc: 0, metric: 0, table: 254, proto: 'boot', mtu: 0 }, false)],
      ['a route deleted', () => routeDel(net, { dst: ipToNum('192.0.2.0'), plen: 24, table: 254 })],
      ['a rule added', () => ruleAdd(net, { priority: 100, fwmark: { value: 7, mask: 0xffffffff }, table: 254, action: 'lookup' })],
      ['an address added', () => addrAdd(net, eth1, ipToNum('10.0.9.1'), 24, 0)],
      ['a link up', () => linkSetUp(net, spare, true)],
      ['an MTU changed', () => linkSetMtu(eth1, 1400)],
      ['a sysctl written', () => net.writeSysctl('net.ipv4.conf.eth0.rp_filter', '0')],
    ];
    let last = route(net, eth0, '8.8.8.8').dst;
    assert.strictEqual(route(net, eth0, '8.8.8.8').dst, last);
    for (const [name, change] of changes) {
      change();
      const now = route(net, eth0, '8.8.8.8').dst;
      assert.notStrictEqual(now, last, name);
      assert.strictEqual(route(net, eth0, '8.8.8.8').dst, now, `${name}: cached again`);
      last = now;
    }
  });

  it('gives a destination with a next-hop exception (a redirect) a route of its own, and leaves the cached one', () => {
    const { net, eth0 } = router();
    const shared = route(net, eth0, '8.8.8.8').dst!;
    const fib = net.fib.lookup({ daddr: ipToNum('9.9.9.9'), saddr: 0, iif: eth0.ifindex, oif: 0, mark: 0, tos: 0 });
    assert.ok('route' in fib);
    net.fnhe.set(ipToNum('9.9.9.9'), { route: fib.route, gw: ipToNum('10.0.1.253') });
    const own = route(net, eth0, '9.9.9.9').dst!;
    assert.notStrictEqual(own, shared);
    assert.strictEqual(own.gateway, ipToNum('10.0.1.253'));
    assert.strictEqual(route(net, eth0, '8.8.8.8').dst, shared);
    assert.strictEqual(shared.gateway, ipToNum('10.0.1.254'));
  });
});

describe('inet_lookup_ifaddr (isLocalAddr) over the namespace\'s addresses', () => {
  it('answers after an address is added and after it is removed', () => {
    const { net, eth1 } = router();
    const a = ipToNum('10.0.9.1');
    assert.strictEqual(isLocalAddr(net, ipToNum('10.0.1.1')), true);
    assert.strictEqual(isLocalAddr(net, a), false);
    addrAdd(net, eth1, a, 24, 0);
    assert.strictEqual(isLocalAddr(net, a), true);
    addrDel(net, eth1, a, 24);
    assert.strictEqual(isLocalAddr(net, a), false);
    assert.strictEqual(isLocalAddr(net, ipToNum('10.0.1.1')), true);
  });
});
