// Applying a scenario to the model: what the kernel refuses is an error at the right place, all
// errors are reported together, and nothing runs.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { ScenarioErrors } from '../../../src/scenario/types';

function errorsOf(text: string): string[] {
  try {
    runScenarioText(text, 'bad.yaml');
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  assert.fail('expected errors');
}

const base = (setup: string, traffic = '  - from: a\n    send: icmp echo-request to 10.0.0.2\n'): string =>
  `name: t\nhosts:\n  a: |\n${setup}\n  b: |\n    ip addr add 10.0.0.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n${traffic}`;

describe('scenario setup applied to the model', () => {
  it('a gateway that is not on a connected network is refused at the gateway word', () => {
    const errs = errorsOf(base('    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n    ip route add default via 10.9.9.9'));
    assert.deepStrictEqual(errs, ['bad.yaml:6:30: Error: Nexthop has invalid gateway.']);
  });

  it('a route through a device that is down is refused (fib_check_nh_nongw), a host-scope one is not', () => {
    const errs = errorsOf(base('    ip addr add 10.0.0.1/24 dev eth0\n    ip route add 10.5.0.0/16 dev eth0\n    ip route add local 10.0.9.1 dev eth0\n    ip route add 10.6.0.0/16 dev eth0 scope host'));
    assert.deepStrictEqual(errs, ['bad.yaml:5:34: Error: Device for nexthop is not up.']);
  });

  it('a route scope is checked as fib_create_info checks it (v6.12)', () => {
    const up = '    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n';
    // the type's own scope is the narrowest it may have (fib_props)
    assert.deepStrictEqual(errorsOf(base(up + '    ip route add local 10.0.9.1 dev eth0 scope link')), ['bad.yaml:6:5: Error: Invalid scope.']);
    assert.deepStrictEqual(errorsOf(base(up + '    ip route add broadcast 10.0.9.255 dev eth0 scope global')), ['bad.yaml:6:5: Error: Invalid scope.']);
    assert.deepStrictEqual(errorsOf(base(up + '    ip route add 10.0.9.0/24 dev eth0 scope nowhere')), ['bad.yaml:6:5: Error: Invalid scope.']);
    assert.deepStrictEqual(errorsOf(base(up + '    ip route add 10.0.9.0/24 via 10.0.0.2 scope host')), ['bad.yaml:6:34: Error: Route with host scope can not have a gateway.']);
    // scope link looks the gateway up at host scope: only a local address is found
    assert.deepStrictEqual(errorsOf(base(up + '    ip route add 10.0.9.0/24 via 10.0.0.2 scope link')), ['bad.yaml:6:34: Error: Nexthop has invalid gateway.']);
    // a gateway must be reached by a route of link scope or above: not through another gateway
    assert.deepStrictEqual(errorsOf(base(up + '    ip route add 10.0.5.0/24 dev eth0 scope global\n    ip route add 10.0.9.0/24 via 10.0.5.1')), ['bad.yaml:7:34: Error: Nexthop has invalid gateway.']);
    // what the kernel takes: a broadcast route gets scope link from iproute2
    assert.doesNotThrow(() => runScenarioText(base(up + '    ip route add broadcast 10.0.9.255 dev eth0\n    ip route add 10.0.7.0/24 dev eth0 scope link'), 'ok.yaml'));
    // a gateway that is an own address: taken by the kernel (RTN_LOCAL) but its next hop is not modelled
    assert.match(errorsOf(base(up + '    ip route add 10.0.8.0/24 via 10.0.0.1'))[0], /^bad\.yaml:6:34: a gateway that is an address of this host is not modelled/);
  });

  it('scopes the model does not have are refused at their word', () => {
    const up = '    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n';
    assert.match(errorsOf(base(up + '    ip route add 10.0.9.0/24 dev eth0 scope site'))[0], /^bad\.yaml:6:45: scope site \(200\) is not modelled/);
    assert.match(errorsOf(base(up + '    ip addr add 10.0.8.1/24 dev eth0 scope 7'))[0], /^bad\.yaml:6:44: scope 7 is not modelled/);
    assert.match(errorsOf(base(up + '    ip addr add 10.0.8.1/24 dev eth0 scope nowhere'))[0], /^bad\.yaml:6:44: an address of scope nowhere is not modelled/);
  });

  it('a neighbour without an address needs an entry that has one (__neigh_update), or a NOARP device', () => {
    const up = '    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n    ip -6 addr add 2001:db8::1/64 dev eth0 nodad\n';
    assert.deepStrictEqual(errorsOf(base(up + '    ip neigh add 10.0.0.50 dev eth0 nud noarp')), ['bad.yaml:7:5: Error: No link layer address given.']);
    assert.deepStrictEqual(errorsOf(base(up + '    ip -6 neigh add 2001:db8::5 dev eth0 nud noarp')), ['bad.yaml:7:5: Error: No link layer address given.']);
    const ok = up + '    ip neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0\n    ip neigh replace 10.0.0.50 dev eth0 nud noarp\n    ip link set eth0 arp off\n    ip neigh add 10.0.0.51 dev eth0 nud noarp';
    assert.doesNotThrow(() => runScenarioText(base(ok), 'ok.yaml'));
  });

  it('adding the same address twice is "Address already assigned" (EEXIST), and every error is reported', () => {
    const errs = errorsOf(base('    ip addr add 10.0.0.1/24 dev eth0\n    ip addr add 10.0.0.1/24 dev eth0\n    sysctl -w net.ipv4.no_such_knob=1'));
    assert.deepStrictEqual(errs, [
      'bad.yaml:5:5: Error: ipv4: Address already assigned.',
      'bad.yaml:6:15: sysctl: cannot stat /proc/sys/net/ipv4/no_such_knob: No such file or directory (not modelled, or not a sysctl of a network namespace)',
    ]);
  });

  it('binding a listener to an address the host does not have is EADDRNOTAVAIL', () => {
    const text = base('    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up').replace('traffic:', 'listen:\n  - a: udp 10.0.0.9:53\ntraffic:');
    assert.match(errorsOf(text)[0], /^bad\.yaml:12:5: bind 10\.0\.0\.9:53: Cannot assign requested address/);
  });
  it('deleting a secondary address keeps the subnet route; deleting the primary takes its secondaries (fib_del_ifaddr, __inet_del_ifa)', () => {
    const replies = (setup: string, to: string): number => {
      const t = runScenarioText(base(setup, `  - from: b\n    send: icmp echo-request to ${to}\n`), 'ok.yaml');
      return t.packets.filter((p) => p.summary.includes('echo reply')).length;
    };
    const up = '    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n';
    // a secondary gone: the primary still answers, through its prefix route and broadcast route
    assert.strictEqual(replies(up + '    ip addr add 10.0.0.9/24 brd + dev eth0\n    ip addr del 10.0.0.9/24 dev eth0', '10.0.0.1'), 1);
    assert.strictEqual(replies(up + '    ip addr add 10.0.0.9/24 brd + dev eth0\n    ip addr del 10.0.0.9/24 dev eth0', '10.0.0.9'), 0);
    // the primary gone: its secondary went with it, and a second primary of another prefix stays
    assert.strictEqual(replies(up + '    ip addr add 10.0.0.9/24 dev eth0\n    ip addr add 10.0.0.77/8 dev eth0\n    ip addr del 10.0.0.1/24 dev eth0', '10.0.0.9'), 0);
    assert.strictEqual(replies(up + '    ip addr add 10.0.0.9/24 dev eth0\n    ip addr add 10.0.0.77/8 dev eth0\n    ip addr del 10.0.0.1/24 dev eth0', '10.0.0.77'), 1);
  });
});
