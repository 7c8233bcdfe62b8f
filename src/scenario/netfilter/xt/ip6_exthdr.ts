// The IPv6 extension-header matches of ip6tables (v6.12 net/ipv6/netfilter/ip6t_frag.c,
// ip6t_hbh.c for -m hbh and -m dst, ip6t_rt.c; iptables 1.8.9 libip6t_frag/hbh/dst/rt): each
// finds its header with ipv6_find_hdr on the packet's real headers (exthdrs_core.ts), so a
// header behind a later fragment is not found, and a header cut short drops the packet
// (hotdrop). iptables-nft loads them as xt matches (nft_compat), so the kernel runs these
// functions whatever `nft list ruleset` translates them to. Not modelled, and refused: the
// option lists of hbh/dst (`--hbh-opts`, `--dst-opts`) and the type 0 routing header's
// `--rt-0-*` options.
import type { EvalCtx, Expr, Verdict } from '../../../model/net/netfilter/nf_tables';
import { ipv6_find_hdr } from '../../../model/net/ipv6/exthdrs_core';
import { IPV6_HLEN, NEXTHDR_AUTH, NEXTHDR_DEST, NEXTHDR_ESP, NEXTHDR_FRAGMENT, NEXTHDR_HOP, NEXTHDR_NONE, NEXTHDR_ROUTING } from '../../../model/proto/ipv6';
import { be16, be32 } from './l4hdr';
import type { Tok } from '../../types';
import { fail, q, type XtMatch, type XtOpt } from './types';

const U32 = 0xffffffff;

/** libxtables' XTTYPE_UINT32 / UINT32RC value, in its words when it is not one. */
function u32(mod: string, o: XtOpt, v: Tok, s = v.text): number {
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n) || n > U32) fail(v, `${mod}: bad value for option ${q(o.opt.text)} near ${q(s)}, or out of range (0-${U32}).`);
  return n;
}

/** `N` or `A:B` (an empty end is 0 or 4294967295); a reversed range is kept, as libxtables keeps it (it matches nothing). */
function u32Range(mod: string, o: XtOpt): [number, number] {
  const v = o.arg('a value or range');
  const i = v.text.indexOf(':');
  if (i < 0) {
    const n = u32(mod, o, v);
    return [n, n];
  }
  const a = v.text.slice(0, i);
  const b = v.text.slice(i + 1);
  return [a === '' ? 0 : u32(mod, o, v, a), b === '' ? U32 : u32(mod, o, v, b)];
}

function once(mod: string, seen: Set<string>, o: XtOpt, invertible: boolean): void {
  if (seen.has(o.opt.text)) fail(o.opt, `${mod}: option ${q(o.opt.text)} can only be used once.`);
  if (o.neg && !invertible) fail(o.opt, `${mod}: option ${q(o.opt.text)} cannot be inverted.`);
  seen.add(o.opt.text);
}

/** The header's offset, or the verdict the match gives without it (false, or NF_DROP for hotdrop). */
function findOr(x: EvalCtx, target: number, need: number): number | false | Verdict {
  const b = x.p.skb.buf;
  const r = ipv6_find_hdr(b, x.p.skb.network_header, x.p.skb.tail, target);
  if ('err' in r) return r.err === -2 ? false : { code: 'NF_DROP' };
  if (x.p.skb.tail - r.off < need) return { code: 'NF_DROP' };
  return r.off;
}

const inRange = (v: number, r: [number, number], neg: boolean): boolean => (v >= r[0] && v <= r[1]) !== neg;
const showRange = (r: [number, number]): string => (r[0] === r[1] ? `${r[0]}` : `${r[0]}:${r[1]}`);

interface FragSt {
  seen: Set<string>;
  ids: [number, number];
  invIds: boolean;
  len?: number;
  invLen: boolean;
  res: boolean;
  first: boolean;
  more: boolean;
  last: boolean;
}

/** -m frag: frag_mt6 over the first fragment header. */
export const frag: XtMatch<FragSt> = {
  opts: { '--fragid': true, '--fraglen': true, '--fragres': false, '--fragfirst': false, '--fragmore': false, '--fraglast': false },
  init: () => ({ seen: new Set(), ids: [0, U32], invIds: false, invLen: false, res: false, first: false, more: false, last: false }),
  parse: (st, o) => {
    const k = o.opt.text;
    once('frag', st.seen, o, k === '--fragid' || k === '--fraglen');
    if ((k === '--fragmore' && st.last) || (k === '--fraglast' && st.more)) fail(o.opt, `frag: option ${q(k)} cannot be used together with ${q(k === '--fragmore' ? '--fraglast' : '--fragmore')}.`);
    if (k === '--fragid') {
      st.ids = u32Range('frag', o);
      st.invIds = o.neg;
    } else if (k === '--fraglen') {
      st.len = u32('frag', o, o.arg('a length'));
      st.invLen = o.neg;
    } else if (k === '--fragres') st.res = true;
    else if (k === '--fragfirst') st.first = true;
    else if (k === '--fragmore') st.more = true;
    else st.last = true;
  },
  finish: (st, e) => {
    const ex: Expr = {
      text: e.text,
      eval: (x) => {
        const off = findOr(x, NEXTHDR_FRAGMENT, 8);
        if (typeof off !== 'number') return off;
        const b = x.p.skb.buf;
        const fo = be16(b, off + 2);
        // frag_mt6 (v6.12) does not read --fraglen: libip6t_frag stores it, the kernel ignores it
        return inRange(be32(b, off + 4), st.ids, st.invIds) && !(st.res && (b[off + 1] !== 0 || (fo & 0x6) !== 0)) && !(st.first && (fo & ~0x7 & 0xffff) !== 0) && !(st.more && !(fo & 1)) && !(st.last && fo & 1);
      },
      actual: (x) => {
        const r = ipv6_find_hdr(x.p.skb.buf, x.p.skb.network_header, x.p.skb.tail, NEXTHDR_FRAGMENT);
        if ('err' in r || x.p.skb.tail - r.off < 8) return 'no fragment header';
        const b = x.p.skb.buf;
        const fo = be16(b, r.off + 2);
        return `fragment id ${be32(b, r.off + 4)}, offset ${fo & ~7 & 0xffff}, ${fo & 1 ? 'more fragments' : 'last fragment'}`;
      },
    };
    return [ex];
  },
  // libip6t_frag's save: the id unless it is the whole range, the length if given, then the flags
  save: (st) => [
    ...(st.ids[0] === 0 && st.ids[1] === U32 ? [] : [...(st.invIds ? ['!'] : []), '--fragid', showRange(st.ids)]),
    ...(st.len !== undefined ? [...(st.invLen ? ['!'] : []), '--fraglen', String(st.len)] : []),
    ...(st.res ? ['--fragres'] : []),
    ...(st.first ? ['--fragfirst'] : []),
    ...(st.more ? ['--fragmore'] : []),
    ...(st.last ? ['--fraglast'] : []),
  ],
};

interface OptsSt {
  seen: Set<string>;
  len?: number;
  inv: boolean;
}

/** -m hbh / -m dst: hbh_mt6 with the header length (ipv6_optlen: (hdrlen + 1) * 8 bytes). */
function optsMatch(mod: 'hbh' | 'dst', target: number): XtMatch<OptsSt> {
  const lenOpt = `--${mod}-len`;
  const optsOpt = `--${mod}-opts`;
  return {
    opts: { [lenOpt]: true, [optsOpt]: true },
    init: () => ({ seen: new Set(), inv: false }),
    parse: (st, o) => {
      if (o.opt.text === optsOpt) fail(o.opt, `${mod} ${optsOpt} is not modelled (the header's length is)`);
      once(mod, st.seen, o, true);
      st.len = u32(mod, o, o.arg('a length'));
      st.inv = o.neg;
    },
    finish: (st, e) => [
      {
        text: e.text,
        eval: (x) => {
          const off = findOr(x, target, 2);
          if (typeof off !== 'number') return off;
          const hdrlen = (x.p.skb.buf[off + 1] + 1) << 3;
          if (x.p.skb.tail - off < hdrlen) return { code: 'NF_DROP' };
          return st.len === undefined || (st.len === hdrlen) !== st.inv;
        },
        actual: (x) => {
          const r = ipv6_find_hdr(x.p.skb.buf, x.p.skb.network_header, x.p.skb.tail, target);
          return 'err' in r ? `no ${mod === 'hbh' ? 'hop-by-hop' : 'destination'} options header` : `${mod} header of ${(x.p.skb.buf[r.off + 1] + 1) << 3} bytes`;
        },
      },
    ],
    save: (st) => (st.len === undefined ? [] : [...(st.inv ? ['!'] : []), lenOpt, String(st.len)]),
  };
}

export const hbh = optsMatch('hbh', NEXTHDR_HOP);
export const dst = optsMatch('dst', NEXTHDR_DEST);

interface RtSt {
  seen: Set<string>;
  type?: number;
  invType: boolean;
  segs: [number, number];
  invSegs: boolean;
  len?: number;
  invLen: boolean;
}

/** -m rt: rt_mt6 over the first routing header: segments left, length, type. */
export const rt: XtMatch<RtSt> = {
  opts: { '--rt-type': true, '--rt-segsleft': true, '--rt-len': true, '--rt-0-res': false, '--rt-0-addrs': true, '--rt-0-not-strict': false },
  init: () => ({ seen: new Set(), invType: false, segs: [0, U32], invSegs: false, invLen: false }),
  parse: (st, o) => {
    const k = o.opt.text;
    if (k.startsWith('--rt-0-')) fail(o.opt, `rt ${k} is not modelled (the type 0 routing header's fields are not; --rt-type, --rt-segsleft and --rt-len are)`);
    once('rt', st.seen, o, true);
    if (k === '--rt-segsleft') {
      st.segs = u32Range('rt', o);
      st.invSegs = o.neg;
    } else if (k === '--rt-type') {
      st.type = u32('rt', o, o.arg('a type'));
      st.invType = o.neg;
    } else {
      st.len = u32('rt', o, o.arg('a length'));
      st.invLen = o.neg;
    }
  },
  finish: (st, e) => [
    {
      text: e.text,
      eval: (x) => {
        const off = findOr(x, NEXTHDR_ROUTING, 4);
        if (typeof off !== 'number') return off;
        const b = x.p.skb.buf;
        const hdrlen = (b[off + 1] + 1) << 3;
        if (x.p.skb.tail - off < hdrlen) return { code: 'NF_DROP' };
        return inRange(b[off + 3], st.segs, st.invSegs) && (st.len === undefined || (st.len === hdrlen) !== st.invLen) && (st.type === undefined || (st.type === b[off + 2]) !== st.invType);
      },
      actual: (x) => {
        const r = ipv6_find_hdr(x.p.skb.buf, x.p.skb.network_header, x.p.skb.tail, NEXTHDR_ROUTING);
        if ('err' in r || x.p.skb.tail - r.off < 4) return 'no routing header';
        const b = x.p.skb.buf;
        return `routing header type ${b[r.off + 2]}, ${b[r.off + 3]} segments left, ${(b[r.off + 1] + 1) << 3} bytes`;
      },
    },
  ],
  // libip6t_rt's save: type, segments left (unless the whole range), length
  save: (st) => [
    ...(st.type !== undefined ? [...(st.invType ? ['!'] : []), '--rt-type', String(st.type)] : []),
    ...(st.segs[0] === 0 && st.segs[1] === U32 ? [] : [...(st.invSegs ? ['!'] : []), '--rt-segsleft', showRange(st.segs)]),
    ...(st.len !== undefined ? [...(st.invLen ? ['!'] : []), '--rt-len', String(st.len)] : []),
  ],
};

interface AhSt {
  seen: Set<string>;
  spis: [number, number];
  invSpi: boolean;
  len: number;
  invLen: boolean;
  res: boolean;
}

/** -m ah: ah_mt6 (ip6t_ah.c) over the first authentication header: SPI range, length in bytes, reserved. */
export const ah: XtMatch<AhSt> = {
  opts: { '--ahspi': true, '--ahlen': true, '--ahres': false },
  init: () => ({ seen: new Set(), spis: [0, U32], invSpi: false, len: 0, invLen: false, res: false }),
  parse: (st, o) => {
    const k = o.opt.text;
    once('ah', st.seen, o, k !== '--ahres');
    if (k === '--ahspi') {
      st.spis = u32Range('ah', o);
      st.invSpi = o.neg;
    } else if (k === '--ahlen') {
      // libip6t_ah reads it as XTTYPE_UINT32, whose message names no value
      const v = o.arg('a length');
      const n = /^0x[0-9a-f]+$/i.test(v.text) ? parseInt(v.text, 16) : /^\d+$/.test(v.text) ? Number(v.text) : NaN;
      if (!Number.isFinite(n) || n > U32) fail(v, `ah: bad value for option ${q(k)}, or out of range (0-${U32}).`);
      st.len = n;
      st.invLen = o.neg;
    } else st.res = true;
  },
  finish: (st, e) => [
    {
      text: e.text,
      eval: (x) => {
        // struct ip_auth_hdr is 12 bytes (next header, length, reserved, SPI, sequence number)
        const off = findOr(x, NEXTHDR_AUTH, 12);
        if (typeof off !== 'number') return off;
        const b = x.p.skb.buf;
        const hdrlen = (b[off + 1] + 2) << 2;
        if (x.p.skb.tail - off < hdrlen) return { code: 'NF_DROP' };
        // an --ahlen of 0 is "not given" in ah_mt6, even inverted
        return inRange(be32(b, off + 4), st.spis, st.invSpi) && (!st.len || (st.len === hdrlen) !== st.invLen) && !(st.res && be16(b, off + 2) !== 0);
      },
      actual: (x) => {
        const r = ipv6_find_hdr(x.p.skb.buf, x.p.skb.network_header, x.p.skb.tail, NEXTHDR_AUTH);
        if ('err' in r || x.p.skb.tail - r.off < 12) return 'no authentication header';
        const b = x.p.skb.buf;
        return `authentication header spi ${be32(b, r.off + 4)}, ${(b[r.off + 1] + 2) << 2} bytes, reserved ${be16(b, r.off + 2)}`;
      },
    },
  ],
  // libip6t_ah's save: the SPI unless the whole range, the length unless 0, --ahres
  save: (st) => [
    ...(st.spis[0] === 0 && st.spis[1] === U32 ? [] : [...(st.invSpi ? ['!'] : []), '--ahspi', showRange(st.spis)]),
    ...(st.len ? [...(st.invLen ? ['!'] : []), '--ahlen', String(st.len)] : []),
    ...(st.res ? ['--ahres'] : []),
  ],
};

/** ip6t_ipv6header.h's bits, in the order libip6t_ipv6header prints them, with the names and numbers it reads */
const IPV6HEADER_BITS: [mask: number, saved: string, names: string[]][] = [
  [128, 'hop-by-hop', ['hop', 'hop-by-hop', '0']],
  [64, 'ipv6-opts', ['dst', 'ipv6-opts', '60']],
  [32, 'ipv6-route', ['route', 'ipv6-route', '43']],
  [16, 'ipv6-frag', ['frag', 'ipv6-frag', '44']],
  [8, 'ah', ['auth', 'ah', '51']],
  [4, 'esp', ['esp', '50']],
  [2, 'ipv6-nonxt', ['none', 'ipv6-nonxt', '59']],
  [1, 'protocol', ['prot', 'protocol', '255']],
];

interface Ipv6HeaderSt {
  seen: Set<string>;
  mask?: number;
  inv: boolean;
  soft: boolean;
}

/**
 * ipv6header_mt6's walk (ip6t_ipv6header.c): the set of headers the packet has, each extension
 * header's bit, ESP or "no next header" ending the walk, and MASK_PROTO for an upper-layer
 * protocol; a header of a kind the walk does not know ends the match as false. Unlike
 * ipv6_find_hdr it goes on past a later fragment's fragment header.
 */
function ipv6HeaderBits(b: Uint8Array, nh: number, tail: number): number | false {
  let nexthdr = b[nh + 6];
  let ptr = IPV6_HLEN;
  const total = tail - nh;
  let len = total - ptr;
  let temp = 0;
  const ext = [NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_FRAGMENT, NEXTHDR_ESP, NEXTHDR_AUTH, NEXTHDR_NONE, NEXTHDR_DEST];
  const bit: Record<number, number> = { [NEXTHDR_HOP]: 128, [NEXTHDR_ROUTING]: 32, [NEXTHDR_FRAGMENT]: 16, [NEXTHDR_AUTH]: 8, [NEXTHDR_DEST]: 64 };
  while (ext.includes(nexthdr)) {
    if (nexthdr === NEXTHDR_NONE) {
      temp |= 2;
      break;
    }
    if (len < 2) return false;
    if (nexthdr === NEXTHDR_ESP) {
      temp |= 4;
      break;
    }
    const at = nh + ptr;
    const hdrlen = nexthdr === NEXTHDR_FRAGMENT ? 8 : nexthdr === NEXTHDR_AUTH ? (b[at + 1] + 2) << 2 : (b[at + 1] + 1) << 3;
    temp |= bit[nexthdr];
    nexthdr = b[at];
    len -= hdrlen;
    ptr += hdrlen;
    if (ptr > total) break;
  }
  if (nexthdr !== NEXTHDR_NONE && nexthdr !== NEXTHDR_ESP) temp |= 1;
  return temp;
}

const showBits = (m: number): string => IPV6HEADER_BITS.filter(([k]) => m & k).map(([, n]) => n).join(',');

/** -m ipv6header: --header LIST (the exact set of headers, or with --soft those of the list, each), inverted with `!`. */
export const ipv6header: XtMatch<Ipv6HeaderSt> = {
  opts: { '--header': true, '--soft': false },
  init: () => ({ seen: new Set(), inv: false, soft: false }),
  parse: (st, o) => {
    const k = o.opt.text;
    once('ipv6header', st.seen, o, k === '--header');
    if (k === '--soft') {
      st.soft = true;
      return;
    }
    const v = o.arg('a list of headers');
    let m = 0;
    for (const w of v.text.split(',').filter((x) => x !== '')) {
      const hit = IPV6HEADER_BITS.find(([, , names]) => names.includes(w));
      if (!hit) fail(v, `unknown header \`${w}' specified`);
      m |= hit[0];
    }
    st.mask = m;
    st.inv = o.neg;
  },
  finish: (st, e) => {
    if (st.mask === undefined) fail(e.tok, 'ipv6header: option "--header" must be specified');
    const want = st.mask;
    // libip6t_ipv6header sets every invert bit for `!`
    const inv = st.inv ? 0xff : 0;
    return [
      {
        text: e.text,
        eval: (x) => {
          const t = ipv6HeaderBits(x.p.skb.buf, x.p.skb.network_header, x.p.skb.tail);
          if (t === false) return false;
          if (st.soft) return !((t ^ want ^ inv) & want);
          return inv ? t !== want : t === want;
        },
        actual: (x) => {
          const t = ipv6HeaderBits(x.p.skb.buf, x.p.skb.network_header, x.p.skb.tail);
          return t === false ? 'headers cut short' : `headers ${showBits(t) || 'none'}`;
        },
      },
    ];
  },
  save: (st) => [...(st.inv ? ['!'] : []), '--header', showBits(st.mask ?? 0), ...(st.soft ? ['--soft'] : [])],
};

/** The xt matches ip6tables loads that the model runs (IPv6-only modules). */
export const IP6T_XT_MATCHES: Record<string, XtMatch> = { frag, hbh, dst, rt, ah, ipv6header } as Record<string, XtMatch>;
