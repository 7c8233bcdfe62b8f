// `netstack explain SYMBOL` and `netstack resolve TREE` (issue 5). Output goes through `out`
// so tests (and the lead's CLI entry point) decide where it lands; the return value is the exit code.
import * as path from 'path';
import { all, fieldsOf, lookup, suggest } from '../kernel/kb';
import { entryUrl, sourceUrl } from '../kernel/links';
import { isKernelTree, resolveTree, treeVersion } from '../kernel/resolver';

const EXPLAIN_USAGE = 'usage: netstack explain SYMBOL   (e.g. ip_forward, sk_buff, skb->len, sk_buff.len, NF_INET_FORWARD)';
const RESOLVE_USAGE = 'usage: netstack resolve TREE   (a kernel source tree, e.g. /usr/src/linux-source-6.12)';

export function explainCommand(args: string[], out: (s: string) => void): number {
  const name = args.filter((a) => !a.startsWith('-')).join(' ').trim();
  if (!name) {
    out(EXPLAIN_USAGE);
    return 2;
  }
  const e = lookup(name);
  if (!e) {
    out(`unknown kernel symbol: ${name}`);
    const s = suggest(name);
    if (s.length) out(`did you mean: ${s.join(', ')}`);
    else out(`the knowledge base has ${all().length} symbols; try a function (ip_rcv), a struct (sk_buff) or a field (skb->len)`);
    return 1;
  }
  const title = e.kind === 'struct' ? `struct ${e.name}` : e.kind === 'field' ? `${e.struct}->${e.field}` : e.name;
  out(`${title}  (${e.kind}, ${e.layer})`);
  out(`  ${e.summary}`);
  out(`  defined in: ${e.file} (v6.12)  ${e.kind === 'field' ? sourceUrl(e.file) : entryUrl(e)}`);
  if (e.counters?.length) out(`  counters: ${e.counters.join(', ')}`);
  if (e.modelSteps.length) out(`  model steps: ${e.modelSteps.join(', ')}`);
  if (e.related.length) out(`  related: ${e.related.join(', ')}`);
  if (e.kind === 'struct') {
    const fs = fieldsOf(e.name);
    if (fs.length) out(`  fields: ${fs.map((f) => f.field).join(', ')}`);
  }
  return 0;
}

export async function resolveCommand(args: string[], out: (s: string) => void): Promise<number> {
  const positional = args.filter((a) => !a.startsWith('-'));
  if (positional.length !== 1) {
    out(RESOLVE_USAGE);
    return 2;
  }
  const tree = path.resolve(positional[0]);
  if (!isKernelTree(tree)) {
    out(`not a kernel tree (no Makefile and net/core/dev.c): ${tree}`);
    return 2;
  }
  const verbose = args.includes('--verbose') || args.includes('-v');
  const r = await resolveTree(tree);
  const version = treeVersion(tree);
  if (version) out(`tree: ${tree} (Linux ${version})`);
  for (const e of r.missing) out(`missing: ${e.name} (${e.kind}, expected in ${e.file})`);
  const moved = [...r.found].filter(([, l]) => l.relocated);
  for (const [name, l] of moved) out(`moved: ${name} -> ${l.file}:${l.line}`);
  if (verbose) for (const [name, l] of r.found) out(`${name}\t${l.file}:${l.line}`);
  const n = r.found.size + r.missing.length;
  out(`${n} symbols, ${r.found.size} found, ${r.missing.length} missing in ${Math.round(r.ms)} ms`);
  return r.missing.length ? 1 : 0;
}
