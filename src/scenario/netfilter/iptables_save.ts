// The model's `iptables-save`: the rules iptables lines made, printed back in the form
// iptables-nft 1.8.9's iptables-save gives them, so a user sees what the model understood. The
// parser (iptables.ts) records for each rule its parts in canonical spelling; this file orders
// them as iptables-save does (nft_ipv4_save_rule: -s, -d, -i, -o, -p, then the matches in the
// order they were loaded, each with its options in its save function's order, then the target)
// and prints the tables as iptables-save does: `*TABLE`, the chains with policy and counters,
// `-A` lines, `COMMIT`.
import type { NfEngine } from '../../model/net/netfilter/engine';
import type { Rule } from '../../model/net/netfilter/nf_tables';
import { numToIp, prefixMask } from '../../model/proto/addr';
import { IPT_PROTOS } from './xt';

/** What iptables-save prints of one rule, in its parts. */
export interface SaveParts {
  s?: string[];
  d?: string[];
  i?: string[];
  o?: string[];
  p?: string[];
  /** `-f` (a later fragment), after -p as nft_ipv4_save_rule prints it */
  f?: string[];
  /** the matches, each `-m NAME …` (a function: the options are known only when the rule is complete) */
  matches: (() => string[])[];
  target?: () => string[];
}

const FORMS = new WeakMap<Rule, SaveParts>();

export function rememberSaveForm(rule: Rule, parts: SaveParts): void {
  FORMS.set(rule, parts);
}

/** The rule spec as iptables-save prints it (after `-A CHAIN`), or null for a rule iptables did not make. */
export function saveRuleSpec(rule: Rule): string | null {
  const p = FORMS.get(rule);
  if (!p) return null;
  const words = [...(p.s ?? []), ...(p.d ?? []), ...(p.i ?? []), ...(p.o ?? []), ...(p.p ?? []), ...(p.f ?? []), ...p.matches.flatMap((m) => m()), ...(p.target ? p.target() : [])];
  return words.join(' ');
}

/** `-s`/`-d` as printed: the network address and prefix length, or the dotted mask when it has holes */
export function saveAddr(opt: '-s' | '-d', neg: boolean, value: number, mask: number): string[] {
  let len = -1;
  for (let l = 0; l <= 32; l++) if (prefixMask(l) === mask >>> 0) len = l;
  return [...(neg ? ['!'] : []), opt, `${numToIp((value & mask) >>> 0)}/${len >= 0 ? len : numToIp(mask)}`];
}

/** `-p` as printed: the name libxtables knows for the number, else the number */
export function saveProto(neg: boolean, n: number): string[] {
  const name = n === IPT_PROTOS.ipcomp ? 'ipcomp' : Object.keys(IPT_PROTOS).find((k) => IPT_PROTOS[k] === n);
  return [...(neg ? ['!'] : []), '-p', name ?? String(n)];
}

/** xtables_save_string: bare when only letters, digits, `_` and `-`, else in double quotes with `"`, `\` and `'` escaped */
export function saveString(s: string): string {
  return /^[\w-]+$/.test(s) ? s : `"${s.replace(/(["\\'])/g, '\\$1')}"`;
}

export const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** `VALUE[/MASK]` as the mark modules print it: the mask only when it is not all ones */
export const saveMark = (v: number, m: number): string => (m >>> 0 === 0xffffffff ? hex(v) : `${hex(v)}/${hex(m)}`);

/** the tables in the order iptables-nft 1.8.9's iptables-save goes through them (enum nft_table_type) */
const TABLE_ORDER = ['mangle', 'security', 'raw', 'filter', 'nat'];

/** The iptables-save (or, for ip6, ip6tables-save) form of a host's iptables-made tables (empty when it has none). */
export function iptablesSave(e: NfEngine, family: 'ip' | 'ip6' = 'ip'): string {
  const out: string[] = [];
  const tables = e.tables.filter((t) => t.family === family && t.owner === 'iptables').sort((a, b) => TABLE_ORDER.indexOf(a.name) - TABLE_ORDER.indexOf(b.name));
  for (const t of tables) {
    out.push(`*${t.name}`);
    const chains = [...t.chains.values()];
    for (const c of chains) out.push(`:${c.name} ${c.base ? c.base.policy.toUpperCase() : '-'} [${c.base ? c.packets : 0}:${c.base ? c.bytes : 0}]`);
    for (const c of chains) {
      for (const r of c.rules) {
        const spec = saveRuleSpec(r);
        out.push(spec === null ? `# -A ${c.name}: a rule not made by iptables (${r.text})` : `-A ${c.name}${spec ? ` ${spec}` : ''}`);
      }
    }
    out.push('COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}
