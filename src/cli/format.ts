// The readable trace the CLI prints: one line per event, grouped under the packet it follows.
import type { Trace } from '../model/trace';

export function formatTrace(t: Trace, opts: { color?: boolean } = {}): string {
  const c = (code: string, s: string): string => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(c('1', `Scenario: ${t.scenario}`) + `  (model of Linux ${t.kernel})`);
  let lastPkt = -1;
  const pk = new Map(t.packets.map((p) => [p.id, p]));
  for (const e of t.events) {
    if (e.packet !== lastPkt) {
      const p = pk.get(e.packet);
      if (p) out.push('', c('36', `#${p.id}${p.parent ? ` (from #${p.parent})` : ''} ${p.summary}`));
      lastPkt = e.packet;
    }
    const time = `${(e.time / 1e6).toFixed(3).padStart(9)} ms`;
    const where = `${e.host.padEnd(8)} ${e.layer.padEnd(6)} ${e.fn}`;
    const hook = e.hook ? ` [${e.hook.hook}${e.hook.chain ? ` ${e.hook.table}/${e.hook.chain}` : ''}${e.hook.verdict ? ` ${e.hook.verdict}` : ''}]` : '';
    const drop = e.drop ? c('31', `  DROP ${e.drop}`) : '';
    const ret = e.ret ? c('35', `  → ${e.ret}`) : '';
    const ctr = e.counters ? c('2', `  {${Object.entries(e.counters).map(([k, v]) => `${k} +${v}`).join(', ')}}`) : '';
    out.push(`  ${c('2', time)}  ${c('33', where)}${hook}${drop}${ret}`);
    out.push(`      ${e.what}${ctr}`);
  }
  out.push('', c('1', 'Packets'));
  for (const p of t.packets) {
    const f = p.fate;
    out.push(`  #${String(p.id).padEnd(3)} ${f.kind.padEnd(11)} ${`${f.host}:${f.fn}`.padEnd(40)} ${f.reason ?? f.detail ?? ''}`);
    out.push(`        ${p.summary}`);
  }
  out.push('', c('1', 'Counters (nstat)'));
  for (const [h, cs] of Object.entries(t.counters)) {
    const entries = Object.entries(cs);
    if (entries.length === 0) continue;
    out.push(`  ${h}: ${entries.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const rx = t.sockets.filter((s) => s.state !== 'sender');
  if (rx.length) {
    out.push('', c('1', 'Sockets'));
    for (const s of rx) {
      const what = s.received.length ? s.received.map((r) => `${r.bytes} bytes from ${r.from}`).join('; ') : 'nothing received';
      out.push(`  ${s.host} ${s.proto} ${s.local}${s.accepted?.length ? ` accepted ${s.accepted.join(', ')};` : ''} ${what}`);
    }
  }
  return out.join('\n');
}
