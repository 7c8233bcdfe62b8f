// -m string (xt_string.c string_mt): skb_find_text looks for the pattern in the packet's bytes
// from --from to --to (offsets from skb->data, the IPv4 header at these hooks; --to defaults to
// 65535); a match must lie wholly inside [from, min(to, len)). bm and kmp find the same
// occurrences in a linear buffer, which is what the model's packets are.
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import { fail, num, q, type XtMatch } from './types';

/** XT_STRING_MAX_PATTERN_SIZE */
const MAX_PATTERN = 128;

interface St {
  pat?: Uint8Array;
  hex?: boolean;
  neg: boolean;
  algo?: string;
  from?: number;
  to?: number;
  icase?: boolean;
}

/** libxt_string's parse_hex_string: text with |hex bytes| inside */
function parseHex(t: { text: string; pos: import('../../types').SourcePos }): number[] {
  const out: number[] = [];
  let hex = false;
  let i = 0;
  const s = t.text;
  while (i < s.length) {
    const c = s[i];
    if (c === '|') {
      hex = !hex;
      i++;
      continue;
    }
    if (hex) {
      if (c === ' ') {
        i++;
        continue;
      }
      if (!/^[0-9a-f]{2}$/i.test(s.slice(i, i + 2))) fail(t, `Invalid hex char ${q(c)}`);
      out.push(parseInt(s.slice(i, i + 2), 16));
      i += 2;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= s.length) fail(t, 'Bad literal placement at end of string');
      out.push(s.charCodeAt(i + 1));
      i += 2;
      continue;
    }
    out.push(s.charCodeAt(i) & 0xff);
    i++;
  }
  if (hex) fail(t, 'Invalid hex block');
  return out;
}

const printable = (b: number): boolean => b >= 0x20 && b < 0x7f;

/** The bytes skb_seq_read walks: the linear data, then the sk_buffs of a reassembled datagram's frag_list. */
function packetBytes(x: EvalCtx): Uint8Array {
  const head = x.p.skb.buf.subarray(x.p.skb.data, x.p.skb.tail);
  const frags = x.p.skb.shinfo?.frag_list ?? [];
  if (!frags.length) return head;
  const parts = [head, ...frags.map((f) => f.skb.buf.subarray(f.skb.data, f.skb.tail))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function find(b: Uint8Array, from: number, end: number, pat: Uint8Array, icase: boolean): number {
  const low = (c: number): number => (icase && c >= 0x41 && c <= 0x5a ? c + 32 : c);
  for (let i = from; i + pat.length <= end; i++) {
    let k = 0;
    while (k < pat.length && low(b[i + k]) === low(pat[k])) k++;
    if (k === pat.length) return i;
  }
  return -1;
}

export const string: XtMatch<St> = {
  opts: { '--algo': true, '--string': true, '--hex-string': true, '--from': true, '--to': true, '--icase': false },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    const t = o.opt.text;
    if (t === '--string' || t === '--hex-string') {
      if (st.pat) fail(o.opt, 'string: Can\'t specify multiple strings');
      const v = o.arg('a string');
      const bytes = t === '--string' ? [...v.text].map((c) => c.charCodeAt(0) & 0xff) : parseHex(v);
      if (bytes.length > MAX_PATTERN) fail(v, `string: pattern too long (${bytes.length} bytes, at most ${MAX_PATTERN})`);
      if (!bytes.length) fail(v, 'string: the pattern is empty');
      st.pat = new Uint8Array(bytes);
      st.neg = o.neg;
      return;
    }
    if (o.neg) fail(o.opt, `string: option ${q(t)} cannot be inverted.`);
    const key = t.slice(2) as 'algo' | 'from' | 'to' | 'icase';
    if (st[key] !== undefined) fail(o.opt, `string: option ${q(t)} can only be used once.`);
    if (key === 'icase') st.icase = true;
    else if (key === 'algo') {
      const v = o.arg('bm or kmp');
      if (v.text !== 'bm' && v.text !== 'kmp') fail(v, `string: algorithm ${q(v.text)} is not known to the kernel (bm, kmp) (iptables: RULE_APPEND failed (No such file or directory))`);
      st.algo = v.text;
    } else st[key] = num(o.arg('an offset'), 65535);
  },
  finish: (st, e) => {
    if (!st.pat) fail(e.tok, 'STRING match: You must specify `--string\' or `--hex-string\'');
    if (!st.algo) fail(e.tok, 'STRING match: You must specify `--algo\'');
    const from = st.from ?? 0;
    const to = st.to ?? 65535;
    if (from > to) fail(e.tok, 'string: --from is after --to (iptables: RULE_APPEND failed (Invalid argument))');
    const pat = st.pat;
    const icase = st.icase === true;
    return [
      {
        text: e.text,
        eval: (x) => {
          const b = packetBytes(x);
          return (find(b, from, Math.min(to, b.length), pat, icase) >= 0) !== st.neg;
        },
        actual: (x) => {
          const b = packetBytes(x);
          const at = find(b, from, Math.min(to, b.length), pat, icase);
          return at >= 0 ? `the pattern at byte ${at} of the packet` : `no occurrence in bytes ${from}..${Math.min(to, b.length)} of the packet`;
        },
      },
    ];
  },
  save: (st) => {
    const p = st.pat!;
    const hex = [...p].some((b) => !printable(b));
    const pat = hex ? `"|${[...p].map((b) => b.toString(16).padStart(2, '0')).join('')}|"` : `"${String.fromCharCode(...p).replace(/(["\\])/g, '\\$1')}"`;
    return [...(st.neg ? ['!'] : []), hex ? '--hex-string' : '--string', pat, '--algo', st.algo!, ...(st.from ? ['--from', String(st.from)] : []), ...(st.to !== undefined && st.to !== 65535 ? ['--to', String(st.to)] : []), ...(st.icase ? ['--icase'] : [])];
  },
};
