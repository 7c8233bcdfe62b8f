// -m dccp (xt_dccp.c dccp_mt): ports and the packet type of the DCCP header (type: bits 1-4 of
// byte 8), and --dccp-option: an option of that type among those after the header. A later
// fragment does not match; a header cut short drops the packet (hotdrop).
import type { Expr } from '../../../model/net/netfilter/nf_tables';
import { be16, l4Bytes } from './l4hdr';
import { IPPROTO_DCCP } from './protos';
import { parsePortOpt, portOk, PORT_OPTS, savePorts, type PortSt } from './ports';
import { fail, q, type XtMatch } from './types';

const DCCP_TYPES = ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'];

interface St extends PortSt {
  types?: { mask: number; neg: boolean };
  option?: { n: number; neg: boolean };
}

/** __dccp_hdr_len: the generic header (12 bytes, 16 with the X bit) and the part of the packet type */
function dccpHdrLen(h: Uint8Array): number {
  const type = (h[8] >> 1) & 0xf;
  const basic = 12 + (h[8] & 1 ? 4 : 0);
  // dccp_packet_hdr_len: DATA none; ACK, DATAACK, CLOSEREQ, CLOSE, SYNC, SYNCACK the ack bits; REQUEST the service code; RESPONSE and RESET 12
  const part = type === 2 ? 0 : [3, 4, 5, 6, 8, 9].includes(type) ? 8 : type === 0 ? 4 : 12;
  return basic + part;
}

/** dccp_find_option: walk the options after the header; a header longer than doff, or cut short, drops the packet */
function findOption(x: Parameters<Expr['eval']>[0], h: Uint8Array, option: number): boolean | 'drop' {
  const off = dccpHdrLen(h);
  const doff = h[4] * 4;
  if (doff < off) return 'drop';
  const len = doff - off;
  if (!len) return false;
  const op = l4Bytes(x, off, len);
  if (typeof op === 'string') return 'drop';
  for (let i = 0; i < len; ) {
    if (op[i] === option) return true;
    if (op[i] < 2 || i === len - 1) i++;
    else i += op[i + 1] || 1;
  }
  return false;
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
      if (st.option) fail(o.opt, 'dccp: option "--dccp-option" can only be used once.');
      st.option = { n: Number(v.text), neg: o.neg };
      return;
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
        if (st.types && ((st.types.mask & (1 << ((h[8] >> 1) & 0xf))) !== 0) === st.types.neg) return false;
        if (!st.option) return true;
        const f = findOption(x, h, st.option.n);
        if (f === 'drop') return { code: 'NF_DROP' };
        return f !== st.option.neg;
      },
      actual: (x) => {
        const h = l4Bytes(x, 0, 12);
        return typeof h === 'string' ? 'no dccp header' : `dccp sport ${be16(h, 0)} dport ${be16(h, 2)} type ${DCCP_TYPES[(h[8] >> 1) & 0xf] ?? (h[8] >> 1) & 0xf}`;
      },
    };
    return [ex];
  },
  save: (st) => [
    ...savePorts(st),
    ...(st.types ? [...(st.types.neg ? ['!'] : []), '--dccp-types', DCCP_TYPES.filter((_, i) => st.types!.mask & (1 << i)).join(',')] : []),
    ...(st.option ? [...(st.option.neg ? ['!'] : []), '--dccp-option', String(st.option.n)] : []),
  ],
};
