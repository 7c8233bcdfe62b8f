// Named data maps (`map m { type ipv4_addr : mark; elements = { 10.0.1.1 : 0x1 } }`, used as
// `meta mark set ip saddr map @m`, `dnat to tcp dport map @m`) and element timeouts
// (`elements = { 10.0.1.1 timeout 10s }`). In v6.12 a named map is an nft_set with NFT_SET_MAP
// whose elements carry NFT_SET_EXT_DATA; nft_lookup with a destination register copies the data
// of the element it finds there (nft_lookup_eval), as it does for an anonymous map, and a key
// with no element (or only an expired one: nft_set_elem_expired) is NFT_BREAK. An element's own
// timeout needs a set with timeouts (flags timeout, or a set timeout): nf_tables_newsetelem
// refuses it otherwise (EINVAL), and `expires` without `timeout` (EOPNOTSUPP). `timeout 0s` is no
// timeout at all (nft sends none).
import { jiffiesAt, setLookup, type EvalCtx, type MapDataType, type NfSet, type SetElem } from '../../model/net/netfilter/nf_tables';
import { ScenarioError } from '../types';
import type { NTok } from './lex';
import type { NftCursor } from './nft_cursor';
import { msToJiffies, timeMs } from './nft_time';
import type { MapKey } from './nft_datamap';
import { typeDesc } from './nft_sets';

/** `typeof EXPR` of a map's data → the data type the model reads */
const TYPEOF_DATA: Record<string, MapDataType> = {
  'meta mark': 'mark',
  'ct mark': 'mark',
  'ip saddr': 'ipv4_addr',
  'ip daddr': 'ipv4_addr',
};
const TYPEOF_PORT = new Set(['tcp dport', 'tcp sport', 'udp dport', 'udp sport', 'th dport', 'th sport']);
const DATA_TYPES = 'verdict, mark, ipv4_addr, ipv4_addr . inet_service';

/** The sets each nft transaction (one parse: a command or a file) declares, by `FAMILY TABLE SET`. */
const DECLARED = new WeakMap<NftCursor, Set<string>>();

/** Notes a set declaration of this transaction; with the names alone, tells whether the transaction declares it. */
export function declaredHere(p: NftCursor, fam: string, table: string, set: string, note = true): boolean {
  const key = `${fam} ${table} ${set}`;
  let s = DECLARED.get(p);
  if (!s) DECLARED.set(p, (s = new Set()));
  if (!note) return s.has(key);
  s.add(key);
  return true;
}

/** The data type after `type KEY :` (or `typeof EXPR :` when `typeOf`). */
export function mapDataType(p: NftCursor, typeOf: boolean): 'verdict' | MapDataType {
  const d = p.word('a data type');
  if (d.text === 'verdict') return 'verdict';
  if (!typeOf) {
    if (d.text === 'mark') return 'mark';
    if (d.text !== 'ipv4_addr') p.fail(d, `maps to ${d.text} are not modelled (${DATA_TYPES} are)`);
    if (!p.is('.')) return 'ipv4_addr';
    p.next();
    const s = p.word('a data type');
    if (s.text !== 'inet_service') p.fail(s, `maps to ipv4_addr . ${s.text} are not modelled (${DATA_TYPES} are)`);
    return 'ipv4_addr . inet_service';
  }
  const two = (a: NTok): string => (p.atEnd() || p.is(';') || p.is('.') ? a.text : `${a.text} ${p.next().text}`);
  const words = two(d);
  const ty = TYPEOF_DATA[words];
  if (!ty) p.fail(d, `maps to typeof ${words} are not modelled (meta mark, ct mark, ip saddr, ip daddr, and ip daddr . tcp dport are)`);
  if (!p.is('.')) return ty;
  const dot = p.next();
  const port = two(p.word('an expression'));
  if (ty !== 'ipv4_addr' || !TYPEOF_PORT.has(port)) p.fail(dot, `maps to typeof ${words} . ${port} are not modelled (ip daddr . tcp dport is)`);
  return 'ipv4_addr . inet_service';
}

/** An element's data as written (`0x1`, `10.0.2.2`, `10.0.2.2 . 80`), checked against the map's data type. */
export function elemData(p: NftCursor, set: NfSet, toks: NTok[]): { data: number[]; text: string } {
  const parts = toks.filter((t) => !(t.kind === 'word' && t.text === '.'));
  const dt = set.dataType as MapDataType;
  const want = dt === 'ipv4_addr . inet_service' ? 2 : 1;
  if (parts.length !== want) p.fail(parts[Math.min(want, parts.length - 1)], `datatype mismatch: ${set.name} maps to ${dt}`);
  if (dt === 'mark') {
    const v = p.num(parts[0], 0, 0xffffffff);
    // nft prints a mark in a map as eight hex digits
    return { data: [v], text: `0x${v.toString(16).padStart(8, '0')}` };
  }
  for (const t of parts) if (/[/]/.test(t.text) || t.text.indexOf('-', 1) > 0) p.fail(t, 'Value must be a singleton');
  const addr = p.addrOf(parts[0], parts[0].text);
  if (want === 1) return { data: [addr], text: parts[0].text };
  const port = p.portOf(parts[1], parts[1].text);
  return { data: [addr, port], text: `${parts[0].text} . ${port}` };
}

/**
 * `timeout T` and `expires T` written after an element's key: the element's lifetime from now, in
 * jiffies (nft_add_set_elem: a timeout needs a set with timeouts, EINVAL; `expires` needs a
 * timeout, its own or the set's, EOPNOTSUPP, and no more than it, ERANGE), or undefined for the
 * set's own default (set.timeout, which addElem applies).
 */
export function elemTimeout(p: NftCursor, set: NfSet, timeout: NTok | undefined, expires: NTok | undefined, at: NTok): number | undefined {
  if (!timeout && !expires) return undefined;
  const withTimeouts = !!set.timeout || !!set.timeoutFlag;
  if (!withTimeouts) throw new ScenarioError(`Could not process rule: Invalid argument: ${set.kind} ${set.name} has no timeouts (flags timeout)`, at.pos);
  const tmo = timeout ? msToJiffies(timeMs(p, timeout)) : (set.timeout ?? 0);
  if (!expires) return tmo;
  const exp = msToJiffies(timeMs(p, expires));
  if (!tmo) throw new ScenarioError('Could not process rule: Operation not supported: expires needs a timeout', expires.pos);
  if (exp > tmo) throw new ScenarioError('Could not process rule: Numerical result out of range: expires is longer than the timeout', expires.pos);
  return exp || tmo;
}

/** `… map @m`: the lookup in the table's named map when the rule runs; the map's data type checked when it loads. */
export function namedDataMap<D>(p: NftCursor, key: MapKey, want: 'mark' | 'nat', toD: (data: number[]) => D): { lookup: (x: EvalCtx) => D | undefined; last: () => string } {
  const ref = p.next();
  const name = ref.text.slice(1);
  if (name.length < 1) p.fail(ref, 'syntax error: a map name after @');
  const l4 = !!p.l4;
  p.checks.push((_e, c) => {
    const s = c.table.sets?.get(name);
    if (!s) throw new ScenarioError(`Could not process rule: No such file or directory: no map ${name} in table ${c.table.family} ${c.table.name}`, ref.pos);
    if (s.kind !== 'map' || !s.dataType || s.dataType === 'verdict') throw new ScenarioError(`@${name} is ${s.kind === 'map' ? 'a verdict map' : 'a set'}, not a map with data (map ${name} { type … : ${want === 'mark' ? 'mark' : 'ipv4_addr'}; })`, ref.pos);
    const types = s.fields ?? [s.keyType];
    if (types.join(' . ') !== key.types.join(' . ')) throw new ScenarioError(`datatype mismatch, expected ${typeDesc(types)}, expression has type ${typeDesc(key.types)}`, ref.pos);
    if (want === 'mark' && s.dataType !== 'mark') throw new ScenarioError(`datatype mismatch, map ${name} has data ${s.dataType}, the statement needs a packet mark`, ref.pos);
    if (want === 'nat' && s.dataType === 'mark') throw new ScenarioError(`datatype mismatch, map ${name} has data mark, the statement needs an IPv4 address`, ref.pos);
    if (want === 'nat' && s.dataType === 'ipv4_addr . inet_service' && !l4) throw new ScenarioError('transport protocol mapping is only valid after transport protocol match', ref.pos);
  });
  let shown = '';
  return {
    lookup: (x) => {
      const s = x.chain.table.sets?.get(name);
      const k = key.get(x);
      if (!s || k === undefined) {
        shown = `${key.words}: no such field`;
        return undefined;
      }
      const hit: SetElem | undefined = setLookup(s, k, jiffiesAt(x.net.w.sched.now));
      shown = hit ? `${key.words} ${key.show(k)}, element ${hit.text} of @${name}` : `${key.words} ${key.show(k)}, in no element of @${name} (NFT_BREAK)`;
      return hit?.data ? toD(hit.data) : undefined;
    },
    last: () => shown,
  };
}

