// init_net's read-only sysctls a namespace reads (net.core.rmem_max, rmem_default): v6.12's
// defaults unless a run is given the machine's own (the fidelity harness does).
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { World } from '../../../src/model/world';

const SC = `name: wscale
hosts:
  a: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
    sysctl -w net.ipv4.tcp_rmem="8192 65536 65536"
  b: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
links:
  - a:eth0 b:eth0
listen:
  - b: tcp 80
traffic:
  - from: a
    send: tcp connect to 10.0.1.2:80
`;

/** the window scale option of a's SYN: ilog2(max(tcp_rmem[2], rmem_max)) - 15 */
function synWscale(machine?: Record<string, number>): number {
  const t = runScenarioText(SC, 'w.yaml', machine ? { machineSysctls: machine } : {});
  const e = t.events.find((x) => x.host === 'a' && x.fn === 'tcp_transmit_skb' && x.skb)!;
  const b = Buffer.from(e.skb!.bytes, 'hex');
  const th = e.skb!.transport_header!;
  // the SYN's options: MSS (4), SACK permitted (2), timestamps (10), NOP, window scale (3)
  for (let o = th + 20; o < th + ((b[th + 12] >> 4) * 4); ) {
    if (b[o] === 1) o++;
    else if (b[o] === 3) return b[o + 2];
    else o += b[o + 1];
  }
  throw new Error('no window scale option');
}

describe('machine-wide sysctls a namespace can only read', () => {
  it("v6.12's rmem_max (212992) by default; the machine's when given: a SYN's window scale follows it", () => {
    assert.strictEqual(synWscale(), 2);
    assert.strictEqual(synWscale({ 'net.core.rmem_max': 4194304 }), 7);
  });

  it('takes only the read-only keys the model reads', () => {
    const net = new World('fates', 0).addHost('h');
    assert.throws(() => net.setMachineSysctl('net.ipv4.ip_forward', 1), /not a machine-wide sysctl/);
    net.setMachineSysctl('net.core.rmem_default', 4096);
    assert.strictEqual(net.get('net.core.rmem_default'), 4096);
  });
});
