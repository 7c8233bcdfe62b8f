// -m connbytes (xt_connbytes.c connbytes_mt): the packets, bytes or average packet size a
// connection has carried in one direction or both, from conntrack's accounting. Loading the
// rule turns accounting on for the netns (connbytes_mt_check: nf_ct_set_acct); a connection
// made before that has no counters and never matches, nor does a packet without an entry.
// `! --connbytes A:B` swaps the bounds in userspace: outside the range.
import { nf_ct_set_acct } from '../../../model/net/netfilter/nf_conntrack_acct';
import { ctOf } from '../ct_exprs';
import { fail, q, type XtMatch } from './types';

interface St {
  from?: bigint;
  to?: bigint;
  neg: boolean;
  mode?: 'packets' | 'bytes' | 'avgpkt';
  dir?: 'original' | 'reply' | 'both';
}

const U64 = 0xffffffffffffffffn;

export const connbytes: XtMatch<St> = {
  opts: { '--connbytes': true, '--connbytes-mode': true, '--connbytes-dir': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    const v = o.arg('a value');
    switch (o.opt.text) {
      case '--connbytes': {
        if (st.from !== undefined) fail(o.opt, 'connbytes: option "--connbytes" can only be used once.');
        const m = /^(\d+)(?::(\d*))?$/.exec(v.text);
        if (!m || BigInt(m[1]) > U64 || (m[2] && BigInt(m[2]) > U64)) fail(v, `connbytes: bad value for option "--connbytes", or out of range (${v.text}).`);
        st.from = BigInt(m[1]);
        st.to = m[2] ? BigInt(m[2]) : U64;
        st.neg = o.neg;
        break;
      }
      case '--connbytes-mode':
        if (v.text !== 'packets' && v.text !== 'bytes' && v.text !== 'avgpkt') fail(v, `connbytes: Unknown --connbytes-mode ${q(v.text)}`);
        st.mode = v.text;
        break;
      default:
        if (v.text !== 'original' && v.text !== 'reply' && v.text !== 'both') fail(v, `connbytes: Unknown --connbytes-dir ${q(v.text)}`);
        st.dir = v.text;
    }
  },
  finish: (st, e) => {
    if (st.from === undefined) fail(e.tok, 'connbytes: option "--connbytes" must be specified');
    if (!st.mode) fail(e.tok, 'connbytes: option "--connbytes-mode" must be specified');
    if (!st.dir) fail(e.tok, 'connbytes: option "--connbytes-dir" must be specified');
    e.check((eng) => nf_ct_set_acct(eng));
    // userspace swaps the bounds for `!`: from > to means outside [to, from]
    const [from, to] = st.neg ? [st.to!, st.from] : [st.from, st.to!];
    const mode = st.mode;
    const dir = st.dir;
    let what = 0n;
    return [
      {
        text: e.text,
        needsCt: true,
        eval: (x) => {
          const ct = ctOf(x);
          if (!ct?.acct) return false;
          const sum = (k: 'packets' | 'bytes'): bigint => BigInt(dir === 'original' ? ct.acct![k][0] : dir === 'reply' ? ct.acct![k][1] : ct.acct![k][0] + ct.acct![k][1]);
          if (mode === 'avgpkt') {
            const p = sum('packets');
            what = p ? sum('bytes') / p : 0n;
          } else what = sum(mode);
          return to >= from ? what <= to && what >= from : what < to || what > from;
        },
        actual: (x) => {
          const ct = ctOf(x);
          return !ct ? 'no conntrack entry' : !ct.acct ? `connection #${ct.id}, made while accounting was off: no counters` : `${what} ${mode} (${dir})`;
        },
      },
    ];
  },
};
