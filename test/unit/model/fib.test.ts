// Policy routing: rules are consulted in priority order whatever order they were added in, and
// a rule without a priority goes just before the first non-zero one, as iproute2/the kernel do.
import * as assert from 'assert';
import fc from 'fast-check';
import { World } from '../../../src/model/world';
import { inPrefix, ipToNum, prefixMask } from '../../../src/model/proto/addr';
import { Fib, type FibRoute } from '../../../src/model/net/ipv4/fib';
import type { RtnType } from '../../../src/model/net/ipv4/route_types';
import type { NetDevice } from '../../../src/model/net/core/netdevice';
import { qdiscFor } from '../../../src/model/net/sched/sch_generic';
import { addrAdd, linkSetUp, routeAdd, ruleAdd } from '../../../src/model/net/ipv4/devinet';

function host() {
  const net = new World('fates').addHost('h');
  const dev = net.addDevice('eth0', '02:00:00:00:00:01', 'veth', 1500, 1000);
  dev.qdisc = qdiscFor('noqueue', 1000);
  linkSetUp(net, dev, true);
  addrAdd(net, dev, ipToNum('10.0.0.1'), 24, 0);
  const via = (gw: string, table: number): void =>
    routeAdd(net, { type: 'RTN_UNICAST', dst: 0, plen: 0, gw: ipToNum(gw), dev: null, prefsrc: 0, metric: 0, table, proto: 'boot', mtu: 0 }, false);
  via('10.0.0.100', 100);
  via('10.0.0.200', 200);
  return net;
}

describe('FIB policy rules', () => {
  it('looks rules up in priority order, not in the order they were added', () => {
    const net = host();
    ruleAdd(net, { priority: 200, fwmark: { value: 1, mask: 0xffffffff }, table: 200, action: 'lookup' });
    ruleAdd(net, { priority: 100, fwmark: { value: 1, mask: 0xffffffff }, table: 100, action: 'lookup' });
    const r = net.fib.lookup({ daddr: ipToNum('8.8.8.8'), saddr: 0, iif: 1, oif: 0, mark: 1, tos: 0 });
    assert.ok('route' in r);
    assert.strictEqual(r.table, 100);
    assert.deepStrictEqual(net.fib.rules.map((x) => x.priority), [0, 100, 200, 32766, 32767]);
  });

  it('puts a rule without a priority just before the first non-zero one', () => {
    const net = host();
    ruleAdd(net, { fwmark: { value: 2, mask: 0xffffffff }, table: 200, action: 'lookup' });
    assert.deepStrictEqual(net.fib.rules.map((x) => x.priority), [0, 32765, 32766, 32767]);
    const r = net.fib.lookup({ daddr: ipToNum('8.8.8.8'), saddr: 0, iif: 1, oif: 0, mark: 2, tos: 0 });
    assert.ok('route' in r && r.route.gw === ipToNum('10.0.0.200'));
    const plain = net.fib.lookup({ daddr: ipToNum('8.8.8.8'), saddr: 0, iif: 1, oif: 0, mark: 0, tos: 0 });
    assert.deepStrictEqual(plain, { error: 101 });
  });
});

describe('fib_table_lookup over the routes kept per table, longest prefix first', () => {
  /** the choice as fib_table_lookup defines it: the longest prefix, then the lowest metric, then the first added */
  function reference(routes: FibRoute[], table: number, daddr: number, oif: number): FibRoute | undefined {
    let best: FibRoute | undefined;
    for (const r of routes) {
      if (r.table !== table || !inPrefix(daddr, r.dst, r.plen)) continue;
      if (r.dev && !r.dev.up) continue;
      if (oif && r.dev && r.dev.ifindex !== oif && r.type !== 'RTN_LOCAL') continue;
      if (!best || r.plen > best.plen || (r.plen === best.plen && r.metric < best.metric)) best = r;
    }
    return best;
  }

  it('chooses what a walk of every route chooses, after routes are added and removed, and a device goes down', () => {
    const devs = [1, 2, 3].map((i) => ({ ifindex: i, up: true }) as NetDevice);
    const route = fc.record({
      table: fc.constantFrom(254, 255, 100),
      dst: fc.constantFrom(0, 0x0a000000, 0x0a000100, 0x0a000102, 0xc0a80000),
      plen: fc.constantFrom(0, 8, 16, 24, 32),
      metric: fc.integer({ min: 0, max: 3 }),
      dev: fc.integer({ min: 0, max: 2 }),
      type: fc.constantFrom<RtnType>('RTN_UNICAST', 'RTN_LOCAL'),
    });
    const probe = fc.record({ table: fc.constantFrom(254, 255, 100), daddr: fc.constantFrom(0x0a000102, 0x0a000105, 0x0a0a0a0a, 0xc0a80001, 0x08080808), oif: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(route, { maxLength: 12 }), fc.array(probe, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 3 }), (specs, probes, down) => {
        const fib = new Fib();
        const check = (): void => {
          for (const p of probes) assert.strictEqual(fib.tableLookup(p.table, { daddr: p.daddr, saddr: 0, iif: 1, oif: p.oif, mark: 0, tos: 0 }), reference(fib.routes, p.table, p.daddr, p.oif));
        };
        for (const s of specs) {
          fib.add({ table: s.table, dst: (s.dst & prefixMask(s.plen)) >>> 0, plen: s.plen, type: s.type, dev: devs[s.dev], gw: 0, prefsrc: 0, metric: s.metric, scope: 'global', proto: 'boot', mtu: 0, nhc_rth_input: null });
          check();
        }
        fib.remove((r) => r.metric === down);
        check();
        devs[down % 3].up = false;
        check();
        devs[down % 3].up = true;
      }),
      { numRuns: 300 },
    );
  });
});
