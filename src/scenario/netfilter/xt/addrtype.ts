// -m addrtype (xt_addrtype.c addrtype_mt_v1): the route type of the source and/or destination
// address in the local table (inet_dev_addr_type: 0.0.0.0 and 255.255.255.255 are BROADCAST,
// 224/4 MULTICAST, an address of the local table its route type, anything else UNICAST). With
// --limit-iface-in/out, only a local-table route on the packet's in/out device counts.
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import type { NetDevice } from '../../../model/net/core/netdevice';
import { RT_TABLE_LOCAL } from '../../../model/net/ipv4/fib';
import { numToIp } from '../../../model/proto/addr';
import { fail, q, type XtMatch } from './types';

const TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

/** __inet_dev_addr_type with the local table */
export function addrType(x: EvalCtx, a: number, dev: NetDevice | null): number {
  if (a === 0 || a === 0xffffffff) return 3;
  if (a >>> 28 === 14) return 5;
  const r = x.net.fib.tableLookup(RT_TABLE_LOCAL, { daddr: a, saddr: 0, iif: x.net.lo.ifindex, oif: 0, mark: 0, tos: 0 });
  if (!r || (dev && r.dev !== dev)) return 1;
  return TYPES.indexOf(r.type.slice(4));
}

type T = { mask: number; neg: boolean };
interface St {
  src?: T;
  dst?: T;
  limit?: 'in' | 'out';
}

export const addrtype: XtMatch<St> = {
  opts: { '--src-type': true, '--dst-type': true, '--limit-iface-in': false, '--limit-iface-out': false },
  init: () => ({}),
  parse: (st, o) => {
    const t = o.opt.text;
    if (t === '--limit-iface-in' || t === '--limit-iface-out') {
      if (st.limit) fail(o.opt, 'addrtype: you can\'t specify both --limit-iface-in and --limit-iface-out');
      st.limit = t === '--limit-iface-in' ? 'in' : 'out';
      return;
    }
    const key = t === '--src-type' ? 'src' : 'dst';
    if (st[key]) fail(o.opt, `addrtype: option ${q(t)} can only be used once.`);
    const v = o.arg('a type list');
    let mask = 0;
    for (const n of v.text.split(',')) {
      const i = TYPES.indexOf(n.toUpperCase());
      if (i < 0) fail(v, `addrtype: bad type ${q(n)}`);
      mask |= 1 << i;
    }
    st[key] = { mask, neg: o.neg };
  },
  finish: (st, e) => {
    if (!st.src && !st.dst) fail(e.tok, 'addrtype: you must specify --src-type or --dst-type');
    e.check((_e, c) => {
      const h = c.base?.hook;
      if (!h) return;
      if (st.limit === 'in' && (h === 'output' || h === 'postrouting')) fail(e.tok, `addrtype: --limit-iface-in is only valid in PREROUTING, INPUT and FORWARD, not ${c.name} (iptables: RULE_APPEND failed (Invalid argument))`);
      if (st.limit === 'out' && (h === 'prerouting' || h === 'input')) fail(e.tok, `addrtype: --limit-iface-out is only valid in OUTPUT, POSTROUTING and FORWARD, not ${c.name} (iptables: RULE_APPEND failed (Invalid argument))`);
    });
    const dev = (x: EvalCtx): NetDevice | null => (st.limit === 'in' ? x.p.indev : st.limit === 'out' ? x.p.outdev : null);
    const ok = (x: EvalCtx, a: number, t?: T): boolean => !t || ((t.mask & (1 << addrType(x, a, dev(x)))) !== 0) !== t.neg;
    return [
      {
        text: e.text,
        eval: (x) => ok(x, x.p.iph.saddr, st.src) && ok(x, x.p.iph.daddr, st.dst),
        actual: (x) => `source ${numToIp(x.p.iph.saddr)} of type ${TYPES[addrType(x, x.p.iph.saddr, dev(x))]}, destination ${numToIp(x.p.iph.daddr)} of type ${TYPES[addrType(x, x.p.iph.daddr, dev(x))]}`,
      },
    ];
  },
};
