// `tcp option NAME FIELD VALUE`, `tcp option NAME|KIND exists|missing`, `tcp option @KIND,OFF,LEN
// VALUE`, `sctp chunk NAME [FIELD VALUE | exists | missing]`: nft_exthdr loads (nft_exthdr.ts)
// with nft's option and chunk templates (its src/tcpopt.c and src/sctp_chunk.c), behind the
// dependency on the transport protocol nft adds.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { sctpChunk, tcpOption, type ExthdrSpec } from './nft_exthdr';
import { numberOf } from './values';

type Fields = Record<string, [offset: number, len: number]>;
const KL: Fields = { kind: [0, 1], length: [1, 1] };
const SACK: Fields = { ...KL, left: [2, 4], right: [6, 4] };

/** option name → kind and fields (byte offset, byte length) */
export const TCP_OPTIONS: Record<string, { kind: number; fields: Fields }> = {
  eol: { kind: 0, fields: { kind: [0, 1] } },
  nop: { kind: 1, fields: { kind: [0, 1] } },
  maxseg: { kind: 2, fields: { ...KL, size: [2, 2] } },
  // nft 1.0.6 also reads `mss`
  mss: { kind: 2, fields: { ...KL, size: [2, 2] } },
  window: { kind: 3, fields: { ...KL, count: [2, 1] } },
  'sack-perm': { kind: 4, fields: KL },
  sack: { kind: 5, fields: SACK },
  sack0: { kind: 5, fields: SACK },
  sack1: { kind: 5, fields: { ...KL, left: [10, 4], right: [14, 4] } },
  sack2: { kind: 5, fields: { ...KL, left: [18, 4], right: [22, 4] } },
  sack3: { kind: 5, fields: { ...KL, left: [26, 4], right: [30, 4] } },
  timestamp: { kind: 8, fields: { ...KL, tsval: [2, 4], tsecr: [6, 4] } },
};

const CH: Fields = { type: [0, 1], flags: [1, 1], length: [2, 2] };
const INIT: Fields = { ...CH, 'init-tag': [4, 4], 'a-rwnd': [8, 4], 'num-outbound-streams': [12, 2], 'num-inbound-streams': [14, 2], 'initial-tsn': [16, 4] };
const TSN = (name: string): Fields => ({ ...CH, [name]: [4, 4] });
export const SCTP_CHUNKS: Record<string, { type: number; fields: Fields }> = {
  data: { type: 0, fields: { ...CH, tsn: [4, 4], stream: [8, 2], ssn: [10, 2], ppid: [12, 4] } },
  init: { type: 1, fields: INIT },
  'init-ack': { type: 2, fields: INIT },
  sack: { type: 3, fields: { ...CH, 'cum-tsn-ack': [4, 4], 'a-rwnd': [8, 4], 'num-gap-ack-blocks': [12, 2], 'num-dup-tsns': [14, 2] } },
  heartbeat: { type: 4, fields: CH },
  'heartbeat-ack': { type: 5, fields: CH },
  abort: { type: 6, fields: CH },
  shutdown: { type: 7, fields: TSN('cum-tsn-ack') },
  'shutdown-ack': { type: 8, fields: CH },
  error: { type: 9, fields: CH },
  'cookie-echo': { type: 10, fields: CH },
  'cookie-ack': { type: 11, fields: CH },
  ecne: { type: 12, fields: TSN('lowest-tsn') },
  cwr: { type: 13, fields: TSN('lowest-tsn') },
  'shutdown-complete': { type: 14, fields: CH },
  'asconf-ack': { type: 0x80, fields: TSN('seqno') },
  'forward-tsn': { type: 0xc0, fields: TSN('new-cum-tsn') },
  asconf: { type: 0xc1, fields: TSN('seqno') },
};

function compare(p: NftCursor, kw: NTok, spec: ExthdrSpec, load: (x: EvalCtx, s: ExthdrSpec) => number | undefined, what: string): Expr {
  const max = spec.len >= 4 ? 0xffffffff : 2 ** (8 * spec.len) - 1;
  const op = p.op();
  const nx = p.peek();
  if (nx.kind === 'word' && (nx.text === 'vmap' || nx.text.startsWith('@'))) p.fail(nx, `${what} with ${nx.text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  const vs = p.values('a value');
  const r = p.ranges(vs, (t, s) => {
    const v = numberOf(s);
    if (v === undefined) return p.fail(t, `${q(s)} is not a number`);
    if (v > max) p.fail(t, `Value ${v} exceeds valid range 0-${max}`);
    return v;
  });
  const get = (x: EvalCtx): number | undefined => load(x, spec);
  return X.matchNum(p.text(kw), get, op, r, (v) => `${what} ${v}`, { actual: (x) => (get(x) === undefined ? `no ${what} to load` : `${what} ${get(x)}`) });
}

function presence(p: NftCursor, kw: NTok, spec: ExthdrSpec, load: (x: EvalCtx, s: ExthdrSpec) => number | undefined, what: string): Expr {
  const w = p.next();
  const want = w.text === 'exists' ? 1 : 0;
  const get = (x: EvalCtx): number | undefined => load(x, spec);
  return X.matchNum(p.text(kw), get, '==', [[want, want]], (v) => (v ? `${what} present` : `no ${what}`));
}

/** after `tcp`: `option …` */
export function tcpOptionMatch(p: NftCursor, kw: NTok): Expr {
  p.expect('option');
  p.needL4(kw, 'tcp');
  const t = p.word('a tcp option (eol, nop, maxseg, window, sack-perm, sack, sack0-3, timestamp, a kind number, or @KIND,OFFSET,LENGTH)');
  if (t.text.startsWith('@')) {
    const kind = numberOf(t.text.slice(1));
    if (kind === undefined || kind > 255) p.fail(t, `${q(t.text.slice(1))} is not an option kind from 0 to 255`);
    p.expect(',');
    const off = p.num(p.word('a bit offset'), 0, 2040);
    p.expect(',');
    const len = p.num(p.word('a bit length'), 1, 32);
    if (off % 8 || len % 8) p.fail(t, 'tcp option @KIND,OFFSET,LENGTH with an offset or length that is not whole bytes is not modelled');
    return compare(p, kw, { type: kind, offset: off / 8, len: len / 8, present: false }, tcpOption, `tcp option @${kind},${off},${len}`);
  }
  const named = Object.hasOwn(TCP_OPTIONS, t.text) ? TCP_OPTIONS[t.text] : undefined;
  const num = named ? undefined : numberOf(t.text);
  if (!named && num === undefined) p.fail(t, `unknown tcp option ${q(t.text)} (${Object.keys(TCP_OPTIONS).filter((n) => n !== 'mss').join(', ')}, or a kind number)`);
  if (num !== undefined && num > 255) p.fail(t, 'value too large');
  const kind = named ? named.kind : num!;
  if (p.is('exists') || p.is('missing')) return presence(p, kw, { type: kind, offset: 0, len: 1, present: true }, tcpOption, `tcp option ${t.text}`);
  if (!named) return p.fail(p.peek(), `syntax error: a tcp option given by number takes exists or missing`);
  const f = p.word(`a field of tcp option ${t.text} (${Object.keys(named.fields).join(', ')}), exists or missing`);
  // nft 1.0.6's grammar takes `tcp option NAME kind` as a whole expression with nothing after it,
  // so any comparison that follows is a syntax error there (later nftables read it as the field)
  if (f.text === 'kind') {
    // nft's parser takes one value word after it, and stumbles on what comes next
    const v = p.toks[p.i];
    const at = v && v.kind === 'word' && !['exists', 'missing'].includes(v.text) && !v.text.startsWith('@') ? p.i + 1 : p.i;
    const bad = p.toks[at];
    const end = !bad || bad.kind === 'nl' || bad.kind === 'eof' || bad.text === ';' || bad.text === '}';
    p.fail(end ? f : bad, `syntax error, unexpected ${end ? 'newline' : q(bad.text)}: nft 1.0.6 does not compare the kind of a named tcp option (tcp option ${t.text} exists matches its presence)`);
  }
  if (!Object.hasOwn(named.fields, f.text)) p.fail(f, `tcp option ${t.text} has no field ${q(f.text)} (${Object.keys(named.fields).filter((k) => k !== 'kind').join(', ')})`);
  if (p.is('set')) p.fail(p.peek(), `tcp option ${t.text} ${f.text} set: changing tcp options is not modelled`);
  const [offset, len] = named.fields[f.text];
  return compare(p, kw, { type: kind, offset, len, present: false }, tcpOption, `tcp option ${t.text} ${f.text}`);
}

/** after `sctp`: `chunk …` */
export function sctpChunkMatch(p: NftCursor, kw: NTok): Expr {
  p.expect('chunk');
  p.needL4(kw, 'sctp');
  const t = p.word('an sctp chunk type');
  if (!Object.hasOwn(SCTP_CHUNKS, t.text)) return p.fail(t, `unknown sctp chunk ${q(t.text)} (${Object.keys(SCTP_CHUNKS).join(', ')})`);
  const c = SCTP_CHUNKS[t.text];
  if (p.is('exists') || p.is('missing')) return presence(p, kw, { type: c.type, offset: 0, len: 1, present: true }, sctpChunk, `sctp chunk ${t.text}`);
  const f = p.word(`a field of sctp chunk ${t.text} (${Object.keys(c.fields).join(', ')}), exists or missing`);
  if (!Object.hasOwn(c.fields, f.text)) p.fail(f, `sctp chunk ${t.text} has no field ${q(f.text)} (${Object.keys(c.fields).join(', ')})`);
  if (p.is('set')) p.fail(p.peek(), `sctp chunk ${t.text} ${f.text} set: changing sctp chunks is not modelled`);
  const [offset, len] = c.fields[f.text];
  return compare(p, kw, { type: c.type, offset, len, present: false }, sctpChunk, `sctp chunk ${t.text} ${f.text}`);
}
