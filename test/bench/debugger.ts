// Benchmark (issue 13): the packet debugger controller's continue on a 10,000-event trace with a
// handful of ordinary breakpoints (compiled once, matched per event), and what a hostile webview
// costs: 100 breakpoints of 10,000 characters sent through the same message path the panel uses.
import { performance } from 'perf_hooks';
import { DebuggerSession, type SessionView } from '../../src/debugger/session';
import type { BreakpointSpec, HostToWebview } from '../../src/protocol';
import { bigTrace, ttlTrace } from '../fixtures/synthetic-trace';

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms (${s.length} continues)`;
}

/** Ordinary breakpoints: a glob, packet fields from the bytes, a hook, a drop, and one that never hits. */
const ORDINARY: BreakpointSpec[] = [
  'fn == ip_rcv* && ttl < 2',
  'dport == 22 || sport == 22',
  'hook == FORWARD && host == router && proto == udp',
  'drop == NETFILTER_DROP',
  'saddr == 10.9.9.9 && len > 1400',
  'counter == IcmpOutTimeExcds',
].map((text, i) => ({ id: `b${i}`, text, enabled: true }));

/** What a hostile webview may send: long globs and long && chains. */
function hostile(): BreakpointSpec[] {
  return Array.from({ length: 100 }, (_, i) => ({
    id: `h${i}`,
    text: i % 2 ? `fn == ${'*a'.repeat(4997)}` : Array.from({ length: 800 }, () => 'ttl < 2').join(' && ').slice(0, 10_000),
    enabled: true,
  }));
}

function continueAll(session: DebuggerSession, cap: number): number[] {
  const times: number[] = [];
  session.step('restart');
  for (let k = 0; k < cap; k++) {
    const t0 = performance.now();
    const m = session.step('continue');
    times.push(performance.now() - t0);
    if (m.reason !== 'breakpoint') break;
  }
  return times;
}

export async function benchDebugger(): Promise<string> {
  const lines: string[] = [];
  const trace = bigTrace(10_000);
  const session = new DebuggerSession();
  session.load(trace, 'bench', null);
  const t0 = performance.now();
  const set = session.setBreakpoints(ORDINARY);
  const setMs = performance.now() - t0;
  continueAll(session, 20); // warm-up
  const times = continueAll(session, 400);
  const hits = set.views.reduce((n, v) => n + v.hits, 0);
  lines.push(`debugger continue, ${trace.events.length.toLocaleString('en')}-event trace, ${ORDINARY.length} breakpoints (${hits} hits; setting them ${setMs.toFixed(1)} ms):`);
  lines.push(`  continue  ${stats(times)}`);
  session.setBreakpoints([{ id: 'never', text: 'fn == *xyz* || saddr == 10.9.9.9 && dport == 4242 || hook == FORWARD && ttl > 300', enabled: true }]);
  const whole: number[] = [];
  for (let k = 0; k < 5; k++) {
    session.step('restart');
    const c0 = performance.now();
    session.step('continue');
    whole.push(performance.now() - c0);
  }
  lines.push(`  one continue through the whole trace (a breakpoint that never hits: a glob, packet bytes, a hook): ${stats(whole).replace('continues', 'runs')}`);

  // hostile: through receive(), as the panel delivers a webview message
  const small = new DebuggerSession();
  small.load(ttlTrace(), 'ttl', null);
  const replies: HostToWebview[] = [];
  const view: SessionView = { post: (m) => replies.push(m) };
  const h0 = performance.now();
  await small.receive(view, { type: 'debugger/ready' });
  await small.receive(view, { type: 'debugger/setBreakpoints', requestId: 1, breakpoints: hostile() });
  const hMs = performance.now() - h0;
  const reply = replies.find((m) => m.type === 'debugger/reply' || m.type === 'debugger/error');
  const verdict = reply && (reply.type === 'debugger/error' || (reply.type === 'debugger/reply' && !reply.ok)) ? 'refused' : 'accepted';
  const c1 = performance.now();
  small.step('continue');
  lines.push(
    `  hostile: 100 breakpoints of 10,000 characters on a ${small.loaded?.events.length}-event trace: ${verdict} in ${hMs.toFixed(1)} ms; ` +
      `a continue after it ${(performance.now() - c1).toFixed(1)} ms`,
  );
  return lines.join('\n');
}

if (require.main === module) {
  benchDebugger().then(
    (s) => console.log(s),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
