// tcp_v4_conn_request (v6.12 net/ipv4/tcp_ipv4.c) never answers a SYN whose route is broadcast or
// multicast: the listener counts ListenDrops, no SYN-ACK is routed, the SYN is consumed.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';

const FILE = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', 'fix-tcp-syn-multicast-broadcast.yaml');

describe('TCP: a SYN to a multicast or broadcast address', () => {
  it('meets the listener but gets no SYN-ACK: ListenDrops, no IpOutNoRoutes, consumed by tcp_v4_conn_request', () => {
    const text = fs.readFileSync(FILE, 'utf8');
    const t = runScenarioText(text, FILE);
    const syns = t.packets.filter((p) => /\.80: TCP \[S\]/.test(p.summary));
    assert.strictEqual(syns.length, 2, t.packets.map((p) => p.summary).join('\n'));
    for (const p of syns) assert.deepStrictEqual([p.fate?.kind, p.fate?.fn], ['consumed', 'tcp_v4_conn_request']);
    assert.strictEqual(t.counters.b.TcpExtListenDrops, 2);
    assert.strictEqual(t.counters.b.IpOutNoRoutes ?? 0, 0);
    assert.ok(!t.packets.some((p) => /TCP \[S\.\]/.test(p.summary)), 'no SYN-ACK');
  });

  it('a unicast SYN to the same listener is answered (the check is the route, not the port)', () => {
    const text = fs.readFileSync(FILE, 'utf8').replace(/traffic:[\s\S]*$/, 'traffic:\n  - into: b:eth0\n    send: tcp from 10.0.1.1:40002 to 10.0.1.2:80\n');
    const t = runScenarioText(text, FILE);
    assert.ok(t.packets.some((p) => /TCP \[S\.\]/.test(p.summary)), t.packets.map((p) => p.summary).join('\n'));
    assert.strictEqual(t.counters.b.TcpExtListenDrops ?? 0, 0);
  });
});
