// The generator draws again what the kernel run cannot replay with a veth standing in for a
// `nic` link (src/fidelity/generate/harness_limits.ts).
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { harnessLimit } from '../../../src/fidelity/generate/harness_limits';
import { validGenerated } from '../../../src/fidelity/generate/index';

const scenario = (link: string, traffic: string, listen = ''): string => `name: t
hosts:
  client: |
    sysctl -w net.ipv4.tcp_syn_retries=1
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.2
  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
links:
  - client:eth0 router:eth0${link}
${listen}traffic:
  - from: client
    send: ${traffic}
`;

describe('generator: harness limits of the nic stand-in', () => {
  it('a SYN whose ICMP error crosses a nic link is a harness limit; over a veth it is not', () => {
    assert.match(harnessLimit(runScenarioText(scenario(' nic', 'tcp connect to 10.9.9.9:80'), 't.yaml')) ?? '', /ICMP error about a SYN crosses a `nic` link/);
    assert.strictEqual(harnessLimit(runScenarioText(scenario('', 'tcp connect to 10.9.9.9:80'), 't.yaml')), undefined);
    // a UDP datagram's error over a nic is compared as usual
    assert.strictEqual(harnessLimit(runScenarioText(scenario(' nic', 'udp to 10.9.9.9:53'), 't.yaml')), undefined);
  });

  it('a TSO frame out of a nic link is a harness limit; one MSS of data is not', () => {
    const listen = 'listen:\n  - router: tcp 8080\n';
    assert.match(harnessLimit(runScenarioText(scenario(' nic', 'tcp connect to 10.0.1.2:8080 data 3000', listen), 't.yaml')) ?? '', /TSO frame/);
    assert.strictEqual(harnessLimit(runScenarioText(scenario(' nic', 'tcp connect to 10.0.1.2:8080 data 100', listen), 't.yaml')), undefined);
  });

  it('gen-990004-2 is drawn again, and counted', () => {
    const g = validGenerated(990004, 2);
    assert.strictEqual(g.refused.length, 1);
    assert.match(g.refused[0], /^harness limit/);
  });
});
