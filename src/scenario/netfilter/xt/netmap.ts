// -j NETMAP (xt_NETMAP.c netmap_tg4): maps a whole network onto another, keeping the host bits.
// In PREROUTING and OUTPUT the destination address is mapped, in POSTROUTING and INPUT the
// source; the new address is (old & ~mask) | (--to & mask), handed to nf_nat_setup_info as a
// range of one address (ports unchanged unless taken, as for SNAT/DNAT to one address).
import { numToIp, prefixMask } from '../../../model/proto/addr';
import { contiguousMaskLen, ipv4Of, prefixLenOf } from '../values';
import { fail, q, type XtTarget } from './types';

interface St {
  addr?: number;
  len?: number;
}

export const NETMAP: XtTarget<St> = {
  opts: { '--to': true },
  init: () => ({}),
  parse: (st, o) => {
    if (st.addr !== undefined) fail(o.opt, 'NETMAP: option "--to" can only be used once.');
    const v = o.arg('ADDR[/MASK]');
    const [a, m] = v.text.split('/');
    const addr = ipv4Of(a);
    const len = m === undefined ? 32 : prefixLenOf(m) ?? contiguousMaskLen(m);
    if (addr === undefined) fail(v, `Bad IP address ${q(a)}`);
    if (len === undefined) fail(v, `Bad netmask ${q(m)}`);
    st.addr = addr;
    st.len = len;
  },
  finish: (st, e) => {
    if (e.table !== 'nat') fail(e.tok, `NETMAP target: only valid in the nat table, not ${e.table} (iptables: RULE_APPEND failed (Invalid argument))`);
    if (st.addr === undefined) fail(e.tok, 'NETMAP: option "--to" must be specified');
    const mask = prefixMask(st.len!);
    const net = (st.addr & mask) >>> 0;
    return {
      text: e.text,
      needsCt: true,
      eval: (x) => {
        const dst = x.p.hook === 'NF_INET_PRE_ROUTING' || x.p.hook === 'NF_INET_LOCAL_OUT';
        const old = dst ? x.p.iph.daddr : x.p.iph.saddr;
        const nw = ((old & ~mask) | net) >>> 0;
        return x.nf.nat(x, dst ? 'dnat' : 'snat', nw, null);
      },
    };
  },
  save: (st) => ['--to', `${numToIp((st.addr! & prefixMask(st.len!)) >>> 0)}/${st.len}`],
};
