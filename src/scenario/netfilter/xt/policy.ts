// -m policy (xt_policy.c policy_mt): the IPsec policy a packet was decapsulated with (--dir in,
// the skb's sec_path) or will be encapsulated by (--dir out, the route's xfrm bundle). The model
// has no IPsec (no xfrm state or policy can be configured), so there is never a sec_path nor a
// bundle: match_policy_in/out find none, and the match holds exactly when --pol none was given.
// Elements (--reqid, --spi, --proto, --mode, --tunnel-src/dst, separated by --next) are checked as
// iptables and the kernel check them, and cannot match without IPsec.
import { ipv4Of, prefixLenOf, contiguousMaskLen } from '../values';
import { fail, num, q, type XtMatch } from './types';

type Item = { v: string; neg: boolean };
type Elem = Partial<Record<'reqid' | 'spi' | 'proto' | 'mode' | 'tunnel-dst' | 'tunnel-src', Item>>;
interface St {
  dir?: 'in' | 'out';
  pol?: 'none' | 'ipsec';
  strict?: boolean;
  elems: Elem[];
}
const ELEM_ORDER: (keyof Elem)[] = ['reqid', 'spi', 'proto', 'mode', 'tunnel-dst', 'tunnel-src'];

export const policy: XtMatch<St> = {
  opts: { '--dir': true, '--pol': true, '--strict': false, '--reqid': true, '--spi': true, '--proto': true, '--mode': true, '--tunnel-src': true, '--tunnel-dst': true, '--next': false },
  init: () => ({ elems: [{}] }),
  parse: (st, o) => {
    const t = o.opt.text;
    const key = t.slice(2);
    if (key === 'dir' || key === 'pol' || key === 'strict' || key === 'next') {
      if (o.neg) fail(o.opt, `policy match: can't invert ${t} option`);
      if (key === 'next') {
        if (st.elems.length >= 4) fail(o.opt, 'policy match: maximum policy depth reached');
        st.elems.push({});
        return;
      }
      if (st[key] !== undefined) fail(o.opt, `policy match: double ${t} option`);
      if (key === 'strict') {
        st.strict = true;
        return;
      }
      const v = o.arg('a value');
      if (key === 'dir') {
        if (v.text !== 'in' && v.text !== 'out') fail(v, `policy_match: unknown direction ${q(v.text)}`);
        st.dir = v.text;
      } else {
        if (v.text !== 'none' && v.text !== 'ipsec') fail(v, `policy match: unknown policy ${q(v.text)}`);
        st.pol = v.text;
      }
      return;
    }
    const el = st.elems[st.elems.length - 1];
    const k = key as keyof Elem;
    if (el[k]) fail(o.opt, `policy match: double ${t} option`);
    const v = o.arg('a value');
    let s = v.text;
    switch (k) {
      case 'reqid':
        s = String(num(v));
        break;
      case 'spi':
        s = `0x${num(v).toString(16)}`;
        break;
      case 'proto':
        if (!['ah', 'esp', 'ipcomp', '51', '50', '108'].includes(v.text)) fail(v, `policy match: protocol ${q(v.text)} does not support policy matching`);
        s = ({ '51': 'ah', '50': 'esp', '108': 'ipcomp' } as Record<string, string>)[v.text] ?? v.text;
        break;
      case 'mode':
        if (v.text !== 'transport' && v.text !== 'tunnel') fail(v, `policy match: unknown mode ${q(v.text)}`);
        break;
      default: {
        const [a, m] = v.text.split('/');
        const len = m === undefined ? 32 : prefixLenOf(m) ?? contiguousMaskLen(m);
        if (ipv4Of(a) === undefined || len === undefined) fail(v, `host/network ${q(v.text)} not found`);
        s = `${a}/${len}`;
      }
    }
    el[k] = { v: s, neg: o.neg };
  },
  finish: (st, e) => {
    if (!st.dir) fail(e.tok, 'policy match: neither --dir in nor --dir out specified');
    const given = st.elems.filter((el) => Object.keys(el).length);
    if (st.pol === 'none') {
      if (st.strict) fail(e.tok, 'policy match: policy none but --strict given');
      if (given.length) fail(e.tok, 'policy match: policy none but policy given');
    }
    st.elems.forEach((el, i) => {
      if (st.strict && !Object.keys(el).length) fail(e.tok, `policy match: empty policy element ${i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.`);
      if ((el['tunnel-src'] || el['tunnel-dst']) && (el.mode?.v === 'tunnel') === (el.mode?.neg ?? false)) fail(e.tok, 'policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode');
    });
    const dir = st.dir;
    e.check((_e, c) => {
      const h = c.base?.hook;
      if (dir === 'out' && (h === 'prerouting' || h === 'input')) fail(e.tok, 'policy match: output policy not valid in PREROUTING and INPUT (iptables: RULE_APPEND failed (Invalid argument))');
      if (dir === 'in' && (h === 'postrouting' || h === 'output')) fail(e.tok, 'policy match: input policy not valid in POSTROUTING and OUTPUT (iptables: RULE_APPEND failed (Invalid argument))');
    });
    const holds = st.pol === 'none';
    return [{ text: e.text, eval: () => holds, actual: () => `no IPsec ${dir === 'in' ? 'sec_path' : 'xfrm bundle'} (the model has no IPsec)` }];
  },
  save: (st) => {
    const out = ['--dir', st.dir!, '--pol', st.pol ?? 'ipsec', ...(st.strict ? ['--strict'] : [])];
    st.elems.forEach((el, i) => {
      if (i > 0) out.push('--next');
      for (const k of ELEM_ORDER) if (el[k]) out.push(...(el[k].neg ? ['!'] : []), `--${k}`, el[k].v);
    });
    return out;
  },
};
