// -m connlimit (xt_connlimit.c connlimit_mt, revision 1; libxt_connlimit.c of iptables 1.8.9):
// the number of connections whose packets carried the same source (or destination) address,
// masked by --connlimit-mask, counted by nf_conncount (nf_conncount.ts) with the packet's own
// connection among them. --connlimit-above N matches above N, --connlimit-upto N (the kernel's
// XT_CONNLIMIT_INVERT) at N or fewer; `!` swaps them. A count of 0 (the packet's tuple cannot
// be read) drops the packet (hotdrop).
import { newConnCountData, nf_conncount_count_skb, describeCounted, type ConnCountData, type ConnCountResult } from '../../../model/net/netfilter/nf_conncount';
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import { numToIp } from '../../../model/proto/addr';
import { fail, q, type XtMatch, type XtOpt } from './types';

interface St {
  limit?: number;
  /** XT_CONNLIMIT_INVERT: match at limit or fewer */
  upto: boolean;
  /** the option given first of upto/above, for xtables' exclusion message */
  given: Set<string>;
  mask: number;
  daddr: boolean;
}

const U32 = 0xffffffff;

/** libxtables' xtables_strtoul for XTTYPE_UINT32: decimal, 0x hex or 0 octal */
function uint32(o: XtOpt): number {
  const v = o.arg('a number');
  const s = v.text;
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^0[0-7]*$/.test(s) ? parseInt(s, 8) : /^[1-9]\d*$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n) || n > U32) fail(v, `connlimit: bad value for option ${q(o.opt.text)}, or out of range (0-${U32}).`);
  return n;
}

/** XTTYPE_PLENMASK: a prefix length 0-32 or a dotted mask (IPv4) */
function plenMask(o: XtOpt): number {
  const v = o.arg('a prefix length');
  const s = v.text;
  if (/^\d+$/.test(s) && Number(s) <= 32) return Number(s) === 0 ? 0 : (U32 << (32 - Number(s))) >>> 0;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (m && m.slice(1).every((b) => Number(b) <= 255)) {
    const v = m.slice(1).reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
    // xtopt_parse_mask gives a non-contiguous mask the prefix length -1, which
    // xtopt_parse_plenmask turns into no shift at all: all ones (checked with iptables 1.8.9)
    const contiguous = ((~v >>> 0) & ((~v >>> 0) + 1)) === 0;
    return contiguous ? v : U32;
  }
  return fail(v, `connlimit: bad value for option ${q(o.opt.text)}, neither a valid network mask nor valid CIDR (0-32).`);
}

/** count_bits4 of libxt_connlimit: the prefix length the save form prints (up to the lowest 0 bit) */
function countBits4(mask: number): number {
  let bits = 0;
  for (let m = ~mask >>> 0; m !== 0; m >>>= 1) bits++;
  return 32 - bits;
}

const once = (st: St, o: XtOpt): void => {
  if (st.given.has(o.opt.text)) fail(o.opt, `connlimit: option ${q(o.opt.text)} can only be used once.`);
  st.given.add(o.opt.text);
};

export const connlimit: XtMatch<St> = {
  opts: { '--connlimit-upto': true, '--connlimit-above': true, '--connlimit-mask': true, '--connlimit-saddr': false, '--connlimit-daddr': false },
  init: () => ({ upto: false, given: new Set(), mask: U32, daddr: false }),
  parse: (st, o) => {
    once(st, o);
    switch (o.opt.text) {
      case '--connlimit-upto':
      case '--connlimit-above':
        st.limit = uint32(o);
        st.upto = (o.opt.text === '--connlimit-upto') !== o.neg;
        break;
      case '--connlimit-mask':
        if (o.neg) fail(o.opt, 'connlimit: option "--connlimit-mask" cannot be inverted.');
        st.mask = plenMask(o);
        break;
      default:
        if (o.neg) fail(o.opt, `connlimit: option ${q(o.opt.text)} cannot be inverted.`);
        st.daddr = o.opt.text === '--connlimit-daddr';
    }
  },
  // connlimit_save4 (revision 1)
  save: (st) => [st.upto ? '--connlimit-upto' : '--connlimit-above', String(st.limit), '--connlimit-mask', String(countBits4(st.mask)), st.daddr ? '--connlimit-daddr' : '--connlimit-saddr'],
  finish: (st, e) => {
    // xtables_options_fcheck, in the order of the options' table, then connlimit_check
    if (st.given.has('--connlimit-upto') && st.given.has('--connlimit-above')) fail(e.tok, 'connlimit: option "--connlimit-upto" cannot be used together with "--connlimit-above".');
    if (st.given.has('--connlimit-saddr') && st.given.has('--connlimit-daddr')) fail(e.tok, 'connlimit: option "--connlimit-saddr" cannot be used together with "--connlimit-daddr".');
    if (st.limit === undefined) fail(e.tok, 'connlimit: You must specify "--connlimit-above" or "--connlimit-upto".');
    const limit = st.limit;
    const upto = st.upto;
    const mask = st.mask;
    const daddr = st.daddr;
    // the match's nf_conncount_data (connlimit_mt_check: nf_conncount_init), one per rule
    const data: ConnCountData = newConnCountData();
    let last: ConnCountResult | null = null;
    let lastKey = '';
    const keyOf = (a: number): string => `${numToIp((a & mask) >>> 0)}/${countBits4(mask)}`;
    const say = (x: EvalCtx): string =>
      !last
        ? ''
        : last.count === 0
          ? 'the packet has no conntrack tuple to count: nf_conncount gives 0 and the match drops the packet (hotdrop)'
          : `${last.count} connection${last.count === 1 ? '' : 's'} ${daddr ? 'to' : 'from'} ${lastKey} (${describeCounted(x, data.lists.get(lastKey))})${last.err === 'EEXIST' ? '; this one is assured, so nf_conncount does not add it' : ''}${last.evicted ? `; ${last.evicted} closed or gone dropped from the list` : ''}, ${upto ? `match at ${limit} or fewer` : `match above ${limit}`}`;
    return [
      {
        text: e.text,
        needsCt: true,
        eval: (x) => {
          lastKey = keyOf(daddr ? x.p.iph.daddr : x.p.iph.saddr);
          last = nf_conncount_count_skb(x, data, lastKey);
          if (last.count === 0) return { code: 'NF_DROP' };
          return last.count > limit !== upto;
        },
        actual: say,
        why: (x) => `${say(x).replace(/^./, (c) => c.toUpperCase())}.`,
      },
    ];
  },
};
