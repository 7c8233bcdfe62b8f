// Session 9 (fidb): ip_rt_send_redirect's backoff, REJECT's checksum test on IPv4, and an IPv6
// ping's MSG_CONFIRM (Linux v6.12), each on its regression scenario in test/fidelity/found (which
// the fidelity harness checks on a kernel) and on variations that must change the outcome.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FOUND = path.resolve(EXAMPLES, '../test/fidelity/found');
const text = (name: string): string => fs.readFileSync(path.join(FOUND, `${name}.yaml`), 'utf8');
const run = (name: string, edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(text(name)), `${name}.yaml`);
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;

/** The redirect scenario's traffic with every timed gap replaced by `gap` and `n` datagrams. */
function evenly(gap: string, n: number): (s: string) => string {
  return (s) => {
    const head = s.slice(0, s.indexOf('traffic:'));
    const items = Array.from({ length: n }, (_, i) => `  - from: client\n${i ? `    at: +${gap}\n` : ''}    send: udp to 10.0.9.9:7000\n`);
    return `${head}traffic:\n${items.join('')}`;
  };
}

describe('ip_rt_send_redirect: the backoff per sender (v6.12)', () => {
  it('sends 6 redirects for the 8 datagrams of fix-redirect-backoff, holding back the two inside the backoff', () => {
    const t = run('fix-redirect-backoff');
    assert.strictEqual(counter(t, 'router', 'IcmpOutRedirects'), 6);
    assert.strictEqual(t.events.filter((e) => e.fn === 'ip_rt_send_redirect' && /no redirect this time/.test(e.what)).length, 2);
    assert.strictEqual(counter(t, 'router', 'IpOutRequests') + counter(t, 'router', 'IpForwDatagrams'), 6 + 8);
  });

  it('doubles the wait after each redirect: 2 s apart, the eighth datagram is inside 20 ms << 7', () => {
    assert.strictEqual(counter(run('fix-redirect-backoff', evenly('2000ms', 8)), 'router', 'IcmpOutRedirects'), 7);
    // in the same instant only the first one goes
    assert.strictEqual(counter(run('fix-redirect-backoff', evenly('0ms', 8)), 'router', 'IcmpOutRedirects'), 1);
  });

  it('stops after ip_rt_redirect_number (9) while the sender keeps sending within ip_rt_redirect_silence', () => {
    const t = run('fix-redirect-backoff', evenly('6000ms', 12));
    assert.strictEqual(counter(t, 'router', 'IcmpOutRedirects'), 9);
    assert.strictEqual(t.events.filter((e) => e.fn === 'ip_rt_send_redirect' && /ignores them/.test(e.what)).length, 3);
  });
});

describe('nf_send_unreach: the checksum test (v6.12)', () => {
  it('answers only the packets whose checksum sums right over their own bytes', () => {
    const t = run('fix-nf-reject-csum');
    // the good datagram and the lone first fragment (id 7); not the bad UDP or ICMP checksums, not the first of two fragments
    assert.strictEqual(counter(t, 'b', 'IcmpOutDestUnreachs'), 2);
    assert.strictEqual(t.events.filter((e) => e.fn === 'nf_send_unreach' && /nf_ip_checksum/.test(e.what)).length, 3);
  });

  it('answers a datagram whose checksum is right, or zero (UDP without a checksum is not summed)', () => {
    const good = run('fix-nf-reject-csum', (s) => s.replace(' bad-udp-checksum', '').replace(' bad-icmp-checksum', ''));
    assert.strictEqual(counter(good, 'b', 'IcmpOutDestUnreachs'), 4);
  });
});

describe('ping over IPv6 confirms its neighbour with MSG_CONFIRM (iputils, v6.12)', () => {
  const probes = (t: Trace): number => t.events.filter((e) => e.fn === 'neigh_timer_handler' && e.host === 'b' && /NUD_DELAY → NUD_PROBE/.test(e.what)).length;
  it('b\'s second and third echo requests confirm a, so its NUD_DELAY entry needs no probe', () => {
    const t = run('fix-ping6-msg-confirm');
    assert.strictEqual(t.events.filter((e) => e.fn === 'sock_confirm_neigh' && e.host === 'b').length, 2);
    assert.strictEqual(probes(t), 0);
    assert.strictEqual(counter(t, 'b', 'Icmp6OutNeighborSolicits'), 0);
  });

  it('a single echo request (no reply before it) confirms nothing: b probes a after 5 s', () => {
    const t = run('fix-ping6-msg-confirm', (s) => s.replace('count 3', 'count 1'));
    assert.strictEqual(t.events.filter((e) => e.fn === 'sock_confirm_neigh').length, 0);
    assert.ok(probes(t) > 0);
    assert.ok(counter(t, 'b', 'Icmp6OutNeighborSolicits') > 0);
  });
});
