// -m sctp (xt_sctp.c sctp_mt): ports of the common header and the chunks of the packet. The chunk
// test walks every chunk (a chunk of length 0 drops the packet): `all` needs each listed type
// present, `any` one of them, `only` no other type; TYPE:FLAGS adds a test of the chunk's flags
// (upper case: set, lower case: clear).
import type { Expr } from '../../../model/net/netfilter/nf_tables';
import { be16, l4Bytes } from './l4hdr';
import { IPPROTO_SCTP } from './protos';
import { parsePortOpt, portOk, PORT_OPTS, type PortSt } from './ports';
import { fail, q, type XtMatch } from './types';

export const SCTP_CHUNKS: Record<string, number> = { DATA: 0, INIT: 1, INIT_ACK: 2, SACK: 3, HEARTBEAT: 4, HEARTBEAT_ACK: 5, ABORT: 6, SHUTDOWN: 7, SHUTDOWN_ACK: 8, ERROR: 9, COOKIE_ECHO: 10, COOKIE_ACK: 11, ECN_ECNE: 12, ECN_CWR: 13, SHUTDOWN_COMPLETE: 14, AUTH: 15, I_DATA: 64, ASCONF_ACK: 128, RE_CONFIG: 130, PAD: 132, FORWARD_TSN: 192, ASCONF: 193, I_FORWARD_TSN: 194 };
/** the flag letters libxt_sctp knows for a chunk type */
const FLAG_LETTERS: Record<number, string> = { 0: 'EBUI', 6: 'T', 14: 'T', 64: 'EBUI' };

interface Chunks {
  how: 'all' | 'any' | 'only';
  types: Set<number>;
  flags: { type: number; mask: number; value: number }[];
  neg: boolean;
}
interface St extends PortSt {
  chunks?: Chunks;
}

export const sctp: XtMatch<St> = {
  opts: { ...PORT_OPTS, '--chunk-types': true },
  protos: [IPPROTO_SCTP],
  init: () => ({}),
  parse: (st, o) => {
    const t = o.opt.text;
    if (t === '--chunk-types') {
      if (st.chunks) fail(o.opt, 'sctp: option "--chunk-types" can only be used once.');
      const how = o.arg('all, any or only');
      if (how.text !== 'all' && how.text !== 'any' && how.text !== 'only') fail(how, `sctp: --chunk-types: ${q(how.text)} is not all, any or only`);
      // the chunk list is the word after the mode
      const list = o.arg('a chunk type list');
      const c: Chunks = { how: how.text, types: new Set(), flags: [], neg: o.neg };
      for (const item of list.text.split(',')) {
        const [name, fl] = item.split(':');
        const ty = name === 'ALL' ? -1 : name === 'NONE' ? -2 : SCTP_CHUNKS[name.toUpperCase()];
        if (ty === undefined) fail(list, `Unknown sctp chunk ${q(name)}`);
        if (ty === -1) for (let i = 0; i < 256; i++) c.types.add(i);
        else if (ty >= 0) c.types.add(ty);
        if (fl !== undefined) {
          const letters = FLAG_LETTERS[ty] ?? '';
          let mask = 0;
          let value = 0;
          for (const ch of fl) {
            const bit = letters.indexOf(ch.toUpperCase());
            if (bit < 0) fail(list, `Invalid flags for chunk type ${name}`);
            mask |= 1 << bit;
            if (ch === ch.toUpperCase()) value |= 1 << bit;
          }
          c.flags.push({ type: ty, mask, value });
        }
      }
      st.chunks = c;
      return;
    }
    parsePortOpt(st, o, 'sctp');
  },
  finish: (st, e) => {
    const ex: Expr = {
      text: e.text,
      eval: (x) => {
        const h = l4Bytes(x, 0, 12);
        if (h === 'frag') return false;
        if (h === 'short') return { code: 'NF_DROP' };
        if (!portOk(be16(h, 0), st.sport) || !portOk(be16(h, 2), st.dport)) return false;
        if (!st.chunks) return true;
        const m = chunkMatch(x.p.skb.buf, x.p.thoff + 12, x.p.skb.data + x.p.skb.len, st.chunks);
        if (m === 'drop') return { code: 'NF_DROP' };
        return m !== st.chunks.neg;
      },
      actual: (x) => {
        const h = l4Bytes(x, 0, 12);
        return typeof h === 'string' ? 'no sctp header' : `sctp sport ${be16(h, 0)} dport ${be16(h, 2)}`;
      },
    };
    return [ex];
  },
};

/** match_packet of xt_sctp.c, on the chunks from `off` to `end` */
function chunkMatch(b: Uint8Array, off: number, end: number, c: Chunks): boolean | 'drop' {
  const left = new Set(c.types);
  const flagsOk = (type: number, flags: number): boolean => {
    const f = c.flags.find((g) => g.type === type);
    return !f || (flags & f.mask) === f.value;
  };
  do {
    if (end - off < 4) return 'drop';
    const type = b[off];
    const flags = b[off + 1];
    const len = (b[off + 2] << 8) | b[off + 3];
    if (len === 0) return 'drop';
    off += (len + 3) & ~3;
    if (c.types.has(type)) {
      if (c.how === 'any' && flagsOk(type, flags)) return true;
      if (c.how === 'all' && flagsOk(type, flags)) left.delete(type);
      if (c.how === 'only' && !flagsOk(type, flags)) return false;
    } else if (c.how === 'only') return false;
  } while (off < end);
  return c.how === 'all' ? left.size === 0 : c.how === 'only';
}
