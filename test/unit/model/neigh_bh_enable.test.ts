// __neigh_event_send ends in local_bh_enable (net/core/neighbour.c, v6.12): in process context
// the softirqs raised meanwhile run before the system call goes on, so over a veth the ARP
// exchange is over before the datagram's second fragment is sent.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';

const FOUND = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', 'fix-frag-neigh-resolved-in-syscall.yaml');
const text = fs.readFileSync(FOUND, 'utf8');

describe('local_bh_enable after an ARP request sent from a system call', () => {
  it('the second fragment goes out directly and its refusal fails the send (IpFragFails, ENOBUFS)', () => {
    const t = runScenarioText(text, 'f.yaml');
    assert.strictEqual(t.counters.a.IpFragCreates, 1);
    assert.strictEqual(t.counters.a.IpFragFails, 1);
    assert.strictEqual(t.counters.a.IpOutDiscards, 1);
    // the ARP reply is handled before the second fragment is sent
    const reply = t.events.find((e) => e.host === 'a' && e.fn === 'arp_process')!;
    const second = t.packets.find((p) => /frag offset 1480/.test(p.summary))!;
    assert.ok(reply.seq < t.events.find((e) => e.packet === second.id)!.seq);
  });

  it('with a resolved neighbour nothing changes: a peer that fits the fragments gets them all', () => {
    const t = runScenarioText(text.replace('    ip link set eth0 mtu 1280\n', ''), 'f.yaml');
    assert.strictEqual(t.counters.a.IpFragCreates, 3);
    assert.strictEqual(t.counters.a.IpFragFails, undefined);
  });
});
