// Sysctls read per packet are read through cells (src/model/net/sysctl_table.ts) kept on the
// namespace and the device: a write between two packets must be seen by the next one, as a
// lookup by name would see it.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { Net } from '../../../src/model/net/net_namespace';
import { SysctlTable } from '../../../src/model/net/sysctl_table';
import { buildWorld } from '../../../src/scenario/build';
import { parseScenario } from '../../../src/scenario/parse';
import { udp_sendmsg } from '../../../src/model/net/ipv4/udp';
import { ipToNum } from '../../../src/model/proto/addr';
import { threeHosts } from '../netfilter/helpers';

describe('sysctl cells', () => {
  it('a cell follows set, delete and clear of its table', () => {
    const t = new SysctlTable();
    const a = t.cell('a');
    assert.strictEqual(a.v, undefined);
    t.set('a', 3);
    assert.strictEqual(a.v, 3);
    assert.strictEqual(t.cell('a'), a, 'one cell per name');
    t.set('b', 1);
    const b = t.cell('b');
    assert.strictEqual(b.v, 1, 'a cell made after the value reads it');
    t.delete('a');
    assert.strictEqual(a.v, undefined);
    t.clear();
    assert.strictEqual(b.v, undefined);
    assert.deepStrictEqual([...t], []);
  });

  it('devconf, devOrconf and devMaxconf read what was written since their last read', () => {
    const net = new Net('h', new World('fates'));
    const dev = net.addDevice('eth0', '02:00:00:00:00:01', 'veth', 1500, 1000);
    assert.strictEqual(net.devMaxconf(dev, 'rp_filter'), 0);
    assert.strictEqual(net.devOrconf(dev, 'accept_local'), 0);
    net.writeSysctl('net.ipv4.conf.all.rp_filter', '2');
    assert.strictEqual(net.devMaxconf(dev, 'rp_filter'), 2);
    net.writeSysctl('net.ipv4.conf.eth0.accept_local', '1');
    assert.strictEqual(net.devOrconf(dev, 'accept_local'), 1);
    assert.strictEqual(net.devconf(dev, 'forwarding'), 0);
    net.writeSysctl('net.ipv4.ip_forward', '1');
    assert.strictEqual(net.devconf(dev, 'forwarding'), 1, 'devinet_sysctl_forward propagates to the devices');
    assert.strictEqual(net.read(net.sysctlCore.netdev_budget), net.get('net.core.netdev_budget'));
  });

  it('a router stops forwarding the packet after forwarding is written off', () => {
    const { world } = buildWorld(parseScenario(threeHosts({}, 'listen:\n  - server: udp 9\ntraffic: []\n'), 'c.yaml'), 'fates');
    const router = world.hosts.get('router')!;
    const client = world.hosts.get('client')!;
    const send = (): string => {
      const at = world.rec.packets.length;
      udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 9, payload: 'hello' });
      world.settle();
      const f = world.rec.packets[at].fate;
      return `${f.kind} ${f.host} ${f.reason ?? ''}`.trim();
    };
    assert.strictEqual(send(), 'delivered server');
    router.writeSysctl('net.ipv4.conf.eth0.forwarding', '0');
    // ip_route_input_slow: forwarding is read off the input device, so the packet is not routed on
    assert.notStrictEqual(send(), 'delivered server');
    router.writeSysctl('net.ipv4.conf.eth0.forwarding', '1');
    assert.strictEqual(send(), 'delivered server');
    // net.core's are init_net's only (not writable in a namespace): set in the table as init_net would have it
    router.sysctl.set('net.core.netdev_max_backlog', 0);
    assert.match(send(), /^dropped router .*CPU_BACKLOG/);
  });
});
