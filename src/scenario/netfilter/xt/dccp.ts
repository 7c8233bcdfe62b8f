// -m dccp (xt_dccp.c dccp_mt): ports and the packet type of the DCCP header (type: bits 1-4 of
// byte 8). A later fragment does not match; a header cut short drops the packet (hotdrop).
import type { Expr } from '../../../model/net/netfilter/nf_tables';
import { be16, l4Bytes } from './l4hdr';
import { IPPROTO_DCCP } from './protos';
import { parsePortOpt, portOk, PORT_OPTS, type PortSt } from './ports';
import { fail, q, type XtMatch } from './types';

const DCCP_TYPES = ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'];

interface St extends PortSt {
  types?: { mask: number; neg: boolean };
}

export const dccp: XtMatch<St> = {
  opts: { ...PORT_OPTS, '--dccp-types': true, '--dccp-option': true },
  protos: [IPPROTO_DCCP],
  init: () => ({}),
  parse: (st, o) => {
    const t = o.opt.text;
    if (t === '--dccp-option') {
      const v = o.arg('an option number');
      if (!/^\d+$/.test(v.text) || Number(v.text) > 255) fail(v, `dccp: bad option ${q(v.text)} (0-255)`);
      fail(o.opt, 'dccp --dccp-option is not modelled');
    }
    if (t === '--dccp-types') {
      if (st.types) fail(o.opt, 'dccp: option "--dccp-types" can only be used once.');
      const v = o.arg('a type list');
      let mask = 0;
      for (const n of v.text.split(',')) {
        const i = DCCP_TYPES.indexOf(n.toUpperCase());
        if (i < 0) fail(v, `Unknown DCCP type ${q(n)}`);
        mask |= 1 << i;
      }
      st.types = { mask, neg: o.neg };
      return;
    }
    parsePortOpt(st, o, 'dccp');
  },
  finish: (st, e) => {
    const ex: Expr = {
      text: e.text,
      eval: (x) => {
        const h = l4Bytes(x, 0, 12);
        if (h === 'frag') return false;
        if (h === 'short') return { code: 'NF_DROP' };
        if (!portOk(be16(h, 0), st.sport) || !portOk(be16(h, 2), st.dport)) return false;
        return !st.types || ((st.types.mask & (1 << ((h[8] >> 1) & 0xf))) !== 0) !== st.types.neg;
      },
      actual: (x) => {
        const h = l4Bytes(x, 0, 12);
        return typeof h === 'string' ? 'no dccp header' : `dccp sport ${be16(h, 0)} dport ${be16(h, 2)} type ${DCCP_TYPES[(h[8] >> 1) & 0xf] ?? (h[8] >> 1) & 0xf}`;
      },
    };
    return [ex];
  },
};
