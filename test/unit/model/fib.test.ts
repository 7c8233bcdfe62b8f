// Policy routing: rules are consulted in priority order whatever order they were added in, and
// a rule without a priority goes just before the first non-zero one, as iproute2/the kernel do.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { ipToNum } from '../../../src/model/proto/addr';
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
