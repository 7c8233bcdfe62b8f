// TCP's confirmation of its neighbour (Linux v6.12: tcp_ack and tcp_init_metrics call
// sk_dst_confirm, __tcp_transmit_skb copies sk_dst_pending_confirm into the sk_buff,
// ip_finish_output2 → sock_confirm_neigh → neigh_confirm): a neighbour in NUD_DELAY that TCP
// confirmed goes back to NUD_REACHABLE at its timer without a unicast ARP probe.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const found = (name: string): string => fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', name), 'utf8');

/** ARP requests sent to a unicast MAC: NUD_PROBE's probes. */
const unicastProbes = (t: Trace): string[] => t.packets.filter((p) => /ARP, Request/.test(p.summary) && t.events.some((e) => e.packet === p.id && e.fn === 'neigh_timer_handler')).map((p) => p.summary);
const steps = (t: Trace, fn: string): string[] => t.events.filter((e) => e.fn === fn).map((e) => `${e.host} ${e.what}`);

describe('TCP confirms its neighbour (sk_dst_confirm)', () => {
  it('a server: the child socket (tcp_init_metrics) confirms with the ACK of the data, so NUD_DELAY turns NUD_REACHABLE with no probe', () => {
    const t = runScenarioText(found('fix-tcp-neigh-confirm-server.yaml'), 'server.yaml');
    assert.ok(steps(t, 'sock_confirm_neigh').some((s) => s.startsWith('server ')), 'the server confirms');
    assert.ok(steps(t, 'neigh_timer_handler').some((s) => /server .*NUD_DELAY → NUD_REACHABLE/.test(s)));
    assert.deepStrictEqual(unicastProbes(t), []);
  });

  it('a client: the SYN-ACK (tcp_ack, FLAG_SYN_ACKED) makes the handshake ACK confirm', () => {
    const t = runScenarioText(found('fix-tcp-neigh-confirm-client.yaml'), 'client.yaml');
    assert.ok(steps(t, 'sock_confirm_neigh').some((s) => s.startsWith('client ')));
    assert.ok(steps(t, 'neigh_timer_handler').some((s) => /client .*NUD_DELAY → NUD_REACHABLE/.test(s)));
    assert.deepStrictEqual(unicastProbes(t), []);
  });

  it('a confirmation in the instant the entry entered NUD_DELAY counts: the model\'s timer fires at 5 s on the dot', () => {
    const text = found('fix-tcp-neigh-confirm-server.yaml').replace(/\n {2}- wait: 1s\n/, '\n');
    const t = runScenarioText(text, 'same-instant.yaml');
    assert.ok(steps(t, 'sock_confirm_neigh').some((s) => s.startsWith('server ')));
    const timer = t.events.find((e) => e.fn === 'neigh_timer_handler' && e.host === 'server')!;
    assert.strictEqual(timer.time, 5e9);
    assert.match(timer.what, /NUD_DELAY → NUD_REACHABLE/);
  });

  it('without TCP the entry in NUD_DELAY is probed (the confirmation is what changes it)', () => {
    const text = found('fix-tcp-neigh-confirm-server.yaml').replace(/\n {2}- from: client\n {4}send: tcp connect[^\n]*\n?$/, '\n');
    const t = runScenarioText(text, 'ping-only.yaml');
    assert.strictEqual(steps(t, 'sock_confirm_neigh').length, 0);
    assert.ok(steps(t, 'neigh_timer_handler').some((s) => /NUD_DELAY → NUD_PROBE/.test(s)));
  });
});
