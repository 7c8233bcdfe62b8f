// The classes of difference a generated run found, most frequent first, with the shrunk file of each.
import type { GeneratedResult, Shrunk } from './driver';

export function classesLines(results: GeneratedResult[], shrunk: Shrunk[]): string[] {
  const by = new Map<string, number[]>();
  for (const r of results) if (r.cls && !r.unsupported) by.set(r.cls, [...(by.get(r.cls) ?? []), r.index]);
  const redrawn = results.reduce((s, r) => s + r.redrawn, 0);
  const out: string[] = [];
  if (redrawn) out.push(`generator: ${redrawn} draw${redrawn > 1 ? 's' : ''} refused by the model or left out as a harness limit, and drawn again (e.g. a route added twice: the model refuses it as the kernel does; a SYN's ICMP error over a nic link)`);
  if (!by.size) return out;
  out.push(`${by.size} class${by.size > 1 ? 'es' : ''} of difference:`);
  for (const [cls, idx] of [...by].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    const s = shrunk.find((x) => x.cls === cls);
    const where = !s ? '' : s.flaky ? `; scenario ${s.index} did not differ again (flaky), not shrunk` : s.file ? `; shrunk ${s.from} → ${s.to} elements: ${s.file}` : '';
    out.push(`  ${idx.length} × ${cls} (scenario${idx.length > 1 ? 's' : ''} ${idx.slice(0, 8).join(', ')}${idx.length > 8 ? ', …' : ''}${where})`);
  }
  return out;
}
