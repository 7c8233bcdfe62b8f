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

  it('a route through a device that is down is refused', () => {
    const errs = errorsOf(base('    ip addr add 10.0.0.1/24 dev eth0\n    ip route add 10.5.0.0/16 dev eth0'));
    assert.deepStrictEqual(errs, ['bad.yaml:5:34: Error: Nexthop device is not up.']);
  });

  it('adding the same address twice is "File exists", and every error is reported', () => {
    const errs = errorsOf(base('    ip addr add 10.0.0.1/24 dev eth0\n    ip addr add 10.0.0.1/24 dev eth0\n    sysctl -w net.ipv4.no_such_knob=1'));
    assert.deepStrictEqual(errs, [
      'bad.yaml:5:5: RTNETLINK answers: File exists',
      'bad.yaml:6:15: sysctl: cannot stat /proc/sys/net/ipv4/no_such_knob: No such file or directory (not modelled, or not a sysctl of a network namespace)',
    ]);
  });

  it('binding a listener to an address the host does not have is EADDRNOTAVAIL', () => {
    const text = base('    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up').replace('traffic:', 'listen:\n  - a: udp 10.0.0.9:53\ntraffic:');
    assert.match(errorsOf(text)[0], /^bad\.yaml:12:5: bind 10\.0\.0\.9:53: Cannot assign requested address/);
  });
});
