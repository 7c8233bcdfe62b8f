// Fidelity fixes of the fid-frame session, on their regression scenarios in test/fidelity/found
// (which the harness checks on a kernel) and on variations that must change the outcome (v6.12).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FOUND = path.resolve(EXAMPLES, '../test/fidelity/found');
const run = (name: string, edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(path.join(FOUND, `${name}.yaml`), 'utf8')), `${name}.yaml`);
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;

describe('fid-frame fixes (v6.12)', () => {
  it('a new namespace has no ICMP credit: icmp_msgs_per_sec 0 refuses the first port unreachable, not the echo reply', () => {
    const t = run('fix-icmp-global-credit');
    assert.strictEqual(counter(t, 'b', 'IcmpOutDestUnreachs'), 0);
    assert.strictEqual(counter(t, 'b', 'IcmpOutRateLimitGlobal'), 1);
    assert.strictEqual(counter(t, 'b', 'IcmpOutEchoReps'), 1);
    // with a rate the first refill lets it through
    const some = run('fix-icmp-global-credit', (s) => s.replace('icmp_msgs_per_sec=0', 'icmp_msgs_per_sec=5'));
    assert.strictEqual(counter(some, 'b', 'IcmpOutDestUnreachs'), 1);
  });

  it('with ip rules of its own, a subnet-broadcast source is a martian; without, it is delivered', () => {
    const t = run('fix-validate-source-custom-rules');
    const fate = (host: string): string | undefined => t.packets.find((p) => p.fate.host === host && /10\.0\.\d\.127\.40000 >/.test(p.summary))?.fate.kind;
    assert.strictEqual(fate('b'), 'delivered');
    assert.strictEqual(fate('c'), 'dropped');
    const noRule = run('fix-validate-source-custom-rules', (s) => s.replace('    ip rule add to 10.7.7.0/24 prohibit priority 30000\n', ''));
    assert.strictEqual(noRule.packets.find((p) => p.fate.host === 'c' && /10\.0\.2\.127\.40000 >/.test(p.summary))?.fate.kind, 'delivered');
  });

  it('a SYN waiting for ARP is not retransmitted (-EBUSY), and tcp_syn_retries=1 times out at 3 s', () => {
    const t = run('fix-tcp-syn-host-queue');
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPSpuriousRtxHostQueues'), 2);
    assert.strictEqual(counter(t, 'a', 'TcpRetransSegs'), 0);
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPAbortOnTimeout'), 1);
    const end = t.events.find((e) => e.fn === 'tcp_write_timeout');
    assert.strictEqual(end?.time, 3e9);
    // more retries: the time limit moves (7 s for 2) and the SYN, freed when ARP fails at 4.5 s, is sent again
    const longer = run('fix-tcp-syn-host-queue', (s) => s.replace('tcp_syn_retries=1', 'tcp_syn_retries=2'));
    assert.strictEqual(longer.events.find((e) => e.fn === 'tcp_write_timeout'), undefined, 'the host unreachable at 4.5 s ends it first');
    assert.ok(counter(longer, 'a', 'TcpExtTCPSpuriousRtxHostQueues') >= 3);
  });
});
