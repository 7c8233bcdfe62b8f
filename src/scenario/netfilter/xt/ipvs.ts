// -m ipvs (xt_ipvs.c ipvs_mt): tests of the IPVS connection a packet belongs to. The model has no
// IPVS (no virtual service can be configured in a scenario), so no packet ever carries
// skb->ipvs_property: `--ipvs` alone is that flag (`! --ipvs` holds for every packet), and any
// other test first needs the flag, so it never holds, inverted or not, as in ipvs_mt.
import { IPT_PROTOS } from './protos';
import { numToIp } from '../../../model/proto/addr';
import { contiguousMaskLen, ipv4Of, portOf, prefixLenOf } from '../values';
import { fail, num, q, type XtMatch } from './types';

type T = { v: string; neg: boolean };
interface St {
  ipvs?: boolean;
  vproto?: T;
  vaddr?: T;
  vport?: T;
  vportctl?: T;
  vdir?: T;
  vmethod?: T;
}
const ORDER: (keyof St)[] = ['ipvs', 'vproto', 'vaddr', 'vport', 'vportctl', 'vdir', 'vmethod'];

export const ipvs: XtMatch<St> = {
  opts: { '--ipvs': false, '--vproto': true, '--vaddr': true, '--vport': true, '--vportctl': true, '--vdir': true, '--vmethod': true },
  init: () => ({}),
  parse: (st, o) => {
    const key = o.opt.text.slice(2) as keyof St;
    if (st[key] !== undefined) fail(o.opt, `ipvs: option ${q(o.opt.text)} can only be used once.`);
    if (key === 'ipvs') {
      st.ipvs = !o.neg;
      return;
    }
    const v = o.arg('a value');
    let s: string;
    switch (key) {
      case 'vproto': {
        const n = Object.hasOwn(IPT_PROTOS, v.text.toLowerCase()) ? IPT_PROTOS[v.text.toLowerCase()] : /^\d+$/.test(v.text) ? Number(v.text) : -1;
        if (n < 0 || n > 255) fail(v, `unknown protocol ${q(v.text)} specified`);
        s = String(n);
        break;
      }
      case 'vaddr': {
        const [a, m] = v.text.split('/');
        const addr = ipv4Of(a);
        const len = m === undefined ? 32 : prefixLenOf(m) ?? contiguousMaskLen(m);
        if (addr === undefined || len === undefined) fail(v, `host/network ${q(v.text)} not found`);
        s = `${numToIp(addr)}${len === 32 ? '' : `/${len}`}`;
        break;
      }
      case 'vport': {
        const p = portOf(v.text);
        if (p === undefined) fail(v, `Port ${q(v.text)} not valid`);
        s = String(p);
        break;
      }
      case 'vportctl':
        s = String(num(v, 65535));
        break;
      case 'vdir':
        if (v.text !== 'ORIGINAL' && v.text !== 'REPLY') fail(v, `ipvs: bad direction ${q(v.text)} (ORIGINAL or REPLY)`);
        s = v.text;
        break;
      default:
        if (!['GATE', 'IPIP', 'MASQ'].includes(v.text)) fail(v, `ipvs: bad method ${q(v.text)} (GATE, IPIP or MASQ)`);
        s = v.text;
    }
    st[key] = { v: s, neg: o.neg } as T & boolean;
  },
  finish: (st, e) => {
    const tests = ORDER.filter((k) => st[k] !== undefined);
    if (!tests.length) fail(e.tok, 'ipvs: give at least one of --ipvs, --vproto, --vaddr, --vport, --vportctl, --vdir, --vmethod');
    const onlyFlag = tests.length === 1 && tests[0] === 'ipvs';
    // without IPVS no packet has ipvs_property: the flag alone is false (true inverted); any other test fails first
    const result = onlyFlag ? st.ipvs === false : false;
    return [{ text: e.text, eval: () => result, actual: () => 'no IPVS connection (the model has no IPVS)' }];
  },
  save: (st) =>
    ORDER.flatMap((k) => {
      const t = st[k];
      if (t === undefined) return [];
      if (k === 'ipvs') return [...(t === false ? ['!'] : []), '--ipvs'];
      const tt = t as T;
      return [...(tt.neg ? ['!'] : []), `--${k}`, tt.v];
    }),
};
