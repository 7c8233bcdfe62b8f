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

  it('the same holds for an ICMPv6 error about a SYN (tcp_v6_err; gen-990134-28)', () => {
    const v6 = (link: string): string => scenario(link, 'tcp connect to [2001:db8:9::9]:80')
      .replace('    ip route add default via 10.0.1.2\n', '    ip route add default via 10.0.1.2\n    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\n    ip -6 route add default via 2001:db8:1::2\n')
      .replace('    sysctl -w net.ipv4.ip_forward=1\n', '    sysctl -w net.ipv4.ip_forward=1\n    sysctl -w net.ipv6.conf.all.forwarding=1\n    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad\n');
    const t = runScenarioText(v6(' nic'), 't.yaml');
    assert.ok(t.events.some((e) => e.fn === 'tcp_v6_err'), 'the router answers the SYN with an ICMPv6 error that reaches tcp_v6_err');
    assert.match(harnessLimit(t) ?? '', /ICMP error about a SYN crosses a `nic` link/);
    assert.strictEqual(harnessLimit(runScenarioText(v6(''), 't.yaml')), undefined);
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

// A client behind a router whose SYN-ACKs it drops: its SYN timer and the server's SYN-ACK timer
// expire in one timer tick, and each side's retransmission meets the other's at the router.
const RACE = `name: "SYN retransmit vs SYN-ACK retransmit, through a router"
hosts:
  h1: |
    sysctl -w net.ipv4.tcp_syn_retries=1
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.2
    nft add table inet filter
    nft add chain inet filter input '{ type filter hook input priority filter; policy accept; }'
    nft add rule inet filter input tcp flags syn,ack counter drop
  h2: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth1 up
  h3: |
    sysctl -w net.ipv4.tcp_synack_retries=1
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1
links:
  - h1:eth0 h2:eth0
  - h2:eth1 h3:eth0
listen:
  - h3: tcp 3128
traffic:
  - from: h1
    send: tcp connect to 10.0.2.2:3128
`;

describe('generator: frames overtaken on a nic link', () => {
  it('a frame over a nic that a later veth frame overtakes at the router is a harness limit; all veth is not', () => {
    assert.strictEqual(harnessLimit(runScenarioText(RACE, 't.yaml')), undefined);
    const nic = RACE.replace('- h2:eth1 h3:eth0', '- h2:eth1 h3:eth0 nic');
    assert.match(harnessLimit(runScenarioText(nic, 't.yaml')) ?? '', /reaches h2 after one sent later over another link/);
  });
});
