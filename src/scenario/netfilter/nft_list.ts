// `nft list ruleset` of the model: tables, sets and chains with their rules, each rule printed
// as nft prints what the kernel holds (nftables 1.0.6, src/rule.c, src/expression.c and the
// datatypes' print functions), not as it was written. The printing of one match or statement
// happens when the rule is read (nft_canon.ts gives each accepted item its listed form, from
// the tokens the parser accepted and the datatype of the key); this file puts them together.
import { timeText } from './nft_time';
import type { Net } from '../../model/net/net_namespace';
import { NfEngine } from '../../model/net/netfilter/engine';
import { jiffiesAt, setTypeText, type Chain, type NfSet, type Rule, type SetKeyType, type Table } from '../../model/net/netfilter/nf_tables';
import { listedElem } from './nft_canon';
import { listObject } from './nft_objects';

export interface ListOptions {
  /** nft -n's protocol numbers (`ip protocol 6`), as nftables' own tests list rules */
  numericProto?: boolean;
  /** nft -s: no counter or quota values, and no element expirations */
  stateless?: boolean;
  /** the jiffies at the listing: an element's `expires` is the time left (nft lists it unless -s); an expired one is not listed */
  now?: number;
}

/** The rule as nft lists it (without its handle). */
export function listRule(r: Rule, o: ListOptions = {}): string {
  if (!r.listed) return r.text;
  return r.listed
    .map((it) => {
      if (it.counter && !o.stateless) return `counter packets ${r.counter?.packets ?? 0} bytes ${r.counter?.bytes ?? 0}`;
      return o.numericProto && it.numeric !== undefined ? it.numeric : it.text;
    })
    .join(' ');
}

// nft's standard priorities (rule.c std_prios), printed by name within ±10 where the hook allows
// the name (1.0.6: dstnat only at prerouting, srcnat only at postrouting)
const STD_PRIOS: [number, string, string[] | null][] = [
  [-300, 'raw', null],
  [-150, 'mangle', null],
  [-100, 'dstnat', ['prerouting']],
  [0, 'filter', null],
  [50, 'security', null],
  [100, 'srcnat', ['postrouting']],
];

export function priorityText(prio: number, hook: string): string {
  for (const [v, name, hooks] of STD_PRIOS) {
    const off = prio - v;
    if (Math.abs(off) > 10) continue;
    if (hooks && !hooks.includes(hook)) break;
    return off > 0 ? `${name} + ${off}` : off < 0 ? `${name} - ${-off}` : name;
  }
  return String(prio);
}


/**
 * How many elements nft 1.0.6 lists on a line before it breaks (calculate_delim): 16 of an
 * integer type, 2 addresses or states, and one of any other type (interface names, ICMP types,
 * IPv6 addresses, concatenations) a line.
 */
const ELEMS_PER_LINE: Partial<Record<SetKeyType, number>> = { inet_service: 16, inet_proto: 16, mark: 16, ct_dir: 16, nf_proto: 16, ipv4_addr: 2, ct_state: 2 };

/**
 * The order nft lists elements in: by key (the low end of a range), a concatenation part by part
 * (`10.0.0.1 . 22` as the numbers of its parts), strings (interface names, IPv6 addresses as 32
 * hex digits) as their bytes compare.
 */
function keyOrder(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const pa = String(a).split(' . ');
  const pb = String(b).split(' . ');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (d) return d;
  }
  return pa.length - pb.length;
}

function listSet(s: NfSet, o: ListOptions = {}): string[] {
  const out = [`\t${s.kind} ${s.name} {`, s.typeofText ? `\t\ttypeof ${s.typeofText}` : `\t\ttype ${setTypeText(s)}${s.kind === 'map' ? ` : ${s.dataType ?? 'verdict'}` : ''}`];
  if (s.size) out.push(`\t\tsize ${s.size}`);
  const flags = [s.constant ? 'constant' : '', s.dynamic ? 'dynamic' : '', s.interval ? 'interval' : '', s.timeoutFlag ? 'timeout' : ''].filter(Boolean);
  // nft 1.0.6 leaves the line out when a set timeout already implies its only flag, timeout
  // (checked: `flags timeout; timeout 1d2h` lists no flags, with dynamic it lists both)
  if (flags.length && !(s.timeout && flags.length === 1 && s.timeoutFlag)) out.push(`\t\tflags ${flags.join(',')}`);
  if (s.timeout) out.push(`\t\ttimeout ${timeText(s.timeout * 4)}`);
  // nf_tables_dump_setelem skips an element whose time has come (nft_set_elem_expired)
  const now = o.now;
  const live = now === undefined ? s.elems : s.elems.filter((e) => e.expires === undefined || now < e.expires);
  if (live.length) {
    // a map element's text ends with its verdict (`10.0.0.1 : drop`); an element with a timeout
    // lists the time it has left after its key and timeout (nft 1.0.6: `expires 9s996ms`)
    const el = [...live]
      .sort((a, b) => keyOrder(a.lo, b.lo))
      .map((e) => {
        const [key, ...data] = e.text.split(' : ');
        const left = now !== undefined && !o.stateless && e.expires !== undefined ? ` expires ${timeText((e.expires - now) * 4)}` : '';
        return [listedElem(key, s.fields ?? s.keyType) + left, ...data].join(' : ');
      });
    const every = s.fields ? 0 : (ELEMS_PER_LINE[s.keyType] ?? 0);
    out.push(`\t\telements = { ${el.map((e, i) => (i === 0 ? '' : every && i % every ? ', ' : ',\n\t\t\t     ') + e).join('')} }`);
  }
  out.push('\t}');
  return out;
}

function listChain(c: Chain, o: ListOptions): string[] {
  const out = [`\tchain ${c.name} {`];
  if (c.base) out.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${priorityText(c.base.priority, c.base.hook)}; policy ${c.base.policy};`);
  for (const r of c.rules) out.push(`\t\t${listRule(r, o)}`);
  out.push('\t}');
  return out;
}

export function listTable(t: Table, o: ListOptions = {}): string {
  const out = [`table ${t.family} ${t.name} {`];
  const parts: string[][] = [];
  // nft 1.0.6 table_print: the named objects first, in the order they were made, then sets, then chains
  for (const ob of t.objects?.values() ?? []) parts.push(listObject(ob, !!o.stateless));
  for (const s of t.sets?.values() ?? []) parts.push(listSet(s, o));
  for (const c of t.chains.values()) parts.push(listChain(c, o));
  parts.forEach((p, i) => {
    if (i) out.push('');
    out.push(...p);
  });
  out.push('}');
  return out.join('\n');
}

/**
 * `nft list ruleset` of one host: the tables nft made. Tables iptables-nft made are left to the
 * iptables-save printer: nft would print their xt matches translated, which the model does not do.
 */
export function nftListRuleset(net: Net, o: ListOptions = {}): string {
  const tables = NfEngine.of(net).tables.filter((t) => t.owner !== 'iptables');
  const at = { now: jiffiesAt(net.w.sched.now), ...o };
  return tables.map((t) => `${listTable(t, at)}\n`).join('');
}
