// The readable trace the CLI prints and the host's Run Scenario shows: one line per event,
// grouped under the packet it follows. Here, not in src/cli, so the host needs no CLI code.
import type { Trace } from '../trace/contract';
import { eachEvent } from '../trace/read';

export function formatTrace(t: Trace, opts: { color?: boolean } = {}): string {
  return [...formatTraceLines(t, opts)].join('\n');
}

/** The same lines one by one, so that a long trace is written as it is formatted. */
export function* formatTraceLines(t: Trace, opts: { color?: boolean } = {}): Generator<string> {
  const c = (code: string, s: string): string => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  yield c('1', `Scenario: ${t.scenario}`) + `  (model of Linux ${t.kernel})`;
  let lastPkt = -1;
  const pk = new Map(t.packets.map((p) => [p.id, p]));
  for (const e of eachEvent(t)) {
    if (e.packet !== lastPkt) {
      const p = pk.get(e.packet);
      if (p) yield* ['', c('36', `#${p.id}${p.parent ? ` (from #${p.parent})` : ''} ${p.summary}`)];
      lastPkt = e.packet;
    }
    const time = `${(e.time / 1e6).toFixed(3).padStart(9)} ms`;
    const where = `${e.host.padEnd(8)} ${e.layer.padEnd(6)} ${e.fn}`;
    const hook = e.hook ? ` [${e.hook.hook}${e.hook.chain ? ` ${e.hook.table}/${e.hook.chain}` : ''}${e.hook.verdict ? ` ${e.hook.verdict}` : ''}]` : '';
    const drop = e.drop ? c('31', `  DROP ${e.drop}`) : '';
    const ret = e.ret ? c('35', `  → ${e.ret}`) : '';
    const ctr = e.counters ? c('2', `  {${Object.entries(e.counters).map(([k, v]) => `${k} +${v}`).join(', ')}}`) : '';
    yield `  ${c('2', time)}  ${c('33', where)}${hook}${drop}${ret}`;
    yield `      ${e.what}${ctr}`;
  }
  yield* ['', c('1', 'Packets')];
  for (const p of t.packets) {
    const f = p.fate;
    yield `  #${String(p.id).padEnd(3)} ${f.kind.padEnd(11)} ${`${f.host}:${f.fn}`.padEnd(40)} ${f.reason ?? f.detail ?? ''}`;
    yield `        ${p.summary}`;
  }
  yield* ['', c('1', 'Counters (nstat)')];
  for (const [h, cs] of Object.entries(t.counters)) {
    const entries = Object.entries(cs);
    if (entries.length === 0) continue;
    yield `  ${h}: ${entries.map(([k, v]) => `${k} ${v}`).join(', ')}`;
  }
  const rx = t.sockets.filter((s) => s.state !== 'sender');
  if (rx.length) {
    yield* ['', c('1', 'Sockets')];
    for (const s of rx) {
      const what = s.received.length ? s.received.map((r) => `${r.bytes} bytes from ${r.from}`).join('; ') : 'nothing received';
      yield `  ${s.host} ${s.proto} ${s.local}${s.accepted?.length ? ` accepted ${s.accepted.join(', ')};` : ''} ${what}`;
    }
  }
}
