// -m iprange (xt_iprange.c iprange_mt4, revision 1): the source or destination address inside
// FROM-TO (inclusive, compared as numbers), each test inverted by its own `!`.
import { numToIp } from '../../../model/proto/addr';
import { ipv4Of } from '../values';
import { fail, q, type XtMatch } from './types';

type R = { lo: number; hi: number; neg: boolean };

export const iprange: XtMatch<{ src?: R; dst?: R }> = {
  opts: { '--src-range': true, '--dst-range': true },
  init: () => ({}),
  parse: (st, o) => {
    const key = o.opt.text === '--src-range' ? 'src' : 'dst';
    if (st[key]) fail(o.opt, `iprange: option ${q(o.opt.text)} can only be used once.`);
    const v = o.arg('FROM-TO');
    const [a, b] = v.text.split('-');
    const lo = ipv4Of(a);
    const hi = b === undefined ? lo : ipv4Of(b);
    if (lo === undefined || hi === undefined) fail(v, `iprange: bad range ${q(v.text)}`);
    st[key] = { lo, hi, neg: o.neg };
  },
  finish: (st, e) => {
    if (!st.src && !st.dst) fail(e.tok, 'iprange match: You must specify `--src-range\' or `--dst-range\'');
    const inR = (a: number, r: R): boolean => (a >= r.lo && a <= r.hi) !== r.neg;
    return [{ text: e.text, eval: (x) => (!st.src || inR(x.p.iph.saddr, st.src)) && (!st.dst || inR(x.p.iph.daddr, st.dst)), actual: (x) => `saddr ${numToIp(x.p.iph.saddr)}, daddr ${numToIp(x.p.iph.daddr)}` }];
  },
};
