// -m tcpmss (xt_tcpmss.c tcpmss_mt): the MSS option of a TCP header inside a range. A header with
// no MSS option gives the inverse flag (so `!` matches it); a header cut short drops the packet.
import { IPPROTO_TCP } from '../../../model/proto/ipv4';
import { l4Bytes } from './l4hdr';
import { fail, numRange, type XtMatch } from './types';

export const tcpmss: XtMatch<{ r?: [number, number]; neg: boolean }> = {
  opts: { '--mss': true },
  protos: [IPPROTO_TCP],
  init: () => ({ neg: false }),
  parse: (st, o) => {
    if (st.r) fail(o.opt, 'tcpmss: option "--mss" can only be used once.');
    st.r = numRange(o.arg('an MSS or range'), 65535);
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (!st.r) fail(e.tok, 'tcpmss: option "--mss" must be specified');
    const [lo, hi] = st.r;
    let seen = '';
    return [
      {
        text: e.text,
        eval: (x) => {
          const h = l4Bytes(x, 0, 20);
          if (h === 'frag') return false;
          if (h === 'short') return { code: 'NF_DROP' };
          const optlen = (h[12] >> 4) * 4 - 20;
          if (optlen < 0) return { code: 'NF_DROP' };
          const op = l4Bytes(x, 20, optlen);
          if (typeof op === 'string') return { code: 'NF_DROP' };
          for (let i = 0; i < optlen; ) {
            if (op[i] === 2 && optlen - i >= 4 && op[i + 1] === 4) {
              const mss = (op[i + 2] << 8) | op[i + 3];
              seen = `mss ${mss}`;
              return (mss >= lo && mss <= hi) !== st.neg;
            }
            i += op[i] < 2 ? 1 : op[i + 1] || 1;
          }
          seen = 'no MSS option';
          return st.neg;
        },
        actual: () => seen,
      },
    ];
  },
};
