// -m limit: iptables-nft 1.8.9 gives the kernel nft's own limit expression (nft_limit.c), not
// xt_limit: `--limit N/unit --limit-burst B` is `limit rate N/unit burst B packets` (default
// 3/hour, burst 5). -m quota stays an xt match (xt_quota.c quota_mt): a packet that fits in what
// is left passes and takes its length from it; the first one that does not fit empties it.
import { limitExpr } from '../exprs';
import { fail, num, q, type XtMatch } from './types';

const UNITS: [string, number][] = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86400],
];

/** libxt_limit's parse_rate: N/unit, the unit any prefix of second/minute/hour/day */
export function parseRate(v: { text: string; pos: import('../../types').SourcePos }, mod: string): { rate: number; unit: number } {
  const m = /^(\d+)(?:\/(\w+))?$/.exec(v.text);
  if (!m) fail(v, `${mod}: bad rate ${q(v.text)}`);
  const rate = Number(m[1]);
  let unit = 1;
  if (m[2] !== undefined) {
    const u = UNITS.find(([n]) => n.startsWith(m[2].toLowerCase()));
    if (!u) fail(v, `${mod}: bad rate ${q(v.text)}`);
    unit = u[1];
  }
  if (rate === 0) fail(v, `${mod}: Rate too fast ${q(v.text)}`);
  return { rate, unit };
}

export const limit: XtMatch<{ rate?: { rate: number; unit: number }; burst?: number; neg: boolean; seen: Set<string> }> = {
  opts: { '--limit': true, '--limit-burst': true },
  init: () => ({ neg: false, seen: new Set() }),
  parse: (st, o) => {
    if (st.seen.has(o.opt.text)) fail(o.opt, `limit: option ${q(o.opt.text)} can only be used once.`);
    st.seen.add(o.opt.text);
    if (o.neg) fail(o.opt, `limit: option ${q(o.opt.text)} cannot be inverted.`);
    if (o.opt.text === '--limit') st.rate = parseRate(o.arg('a rate'), 'limit');
    else st.burst = num(o.arg('a burst'), 10000);
  },
  finish: (st, e) => {
    const r = st.rate ?? { rate: 3, unit: 3600 };
    return [limitExpr(e.text, { rate: r.rate, unit: r.unit, burst: st.burst ?? 5, bytes: false, over: false }, 0)];
  },
};

export const quota: XtMatch<{ q?: bigint; neg: boolean }> = {
  opts: { '--quota': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    if (st.q !== undefined) fail(o.opt, 'quota: option "--quota" can only be used once.');
    const v = o.arg('a number of bytes');
    if (!/^\d+$/.test(v.text) || BigInt(v.text) > 0xffffffffffffffffn) fail(v, `quota: bad value ${q(v.text)}`);
    st.q = BigInt(v.text);
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (st.q === undefined) fail(e.tok, 'quota: option "--quota" must be specified');
    let left = st.q;
    return [
      {
        text: e.text,
        eval: (x) => {
          const len = BigInt(x.p.skb.len);
          if (left >= len) {
            left -= len;
            return !st.neg;
          }
          // from now on not even a small packet passes
          left = 0n;
          return st.neg;
        },
        actual: () => `${left} bytes left of the quota`,
      },
    ];
  },
};
