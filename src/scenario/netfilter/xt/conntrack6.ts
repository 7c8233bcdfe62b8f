// -m conntrack and -m state for ip6tables: the same xt modules (xt_conntrack.c, xt_state.c are
// family-independent in v6.12) on IPv6 conntrack's entries. The address options compare the
// tuple's addresses, which the model's xt match reads as IPv4 only, so for IPv6 they are
// refused as not modelled rather than compared wrongly.
import { conntrack, state } from './conntrack';
import { fail, type XtMatch } from './types';

const ADDR_OPTS = new Set(['--ctorigsrc', '--ctorigdst', '--ctreplsrc', '--ctrepldst']);

export const conntrack6: XtMatch = {
  ...(conntrack as XtMatch),
  parse: (st, o) => {
    if (ADDR_OPTS.has(o.opt.text)) fail(o.opt, `ip6tables -m conntrack ${o.opt.text} is not modelled for IPv6 (--ctstate, --ctstatus, --ctproto, --ctdir and the port options are)`);
    return (conntrack as XtMatch).parse(st, o);
  },
};

/** The conntrack matches ip6tables loads that the model runs on IPv6 packets. */
export const IP6T_CT_MATCHES: Record<string, XtMatch> = { conntrack: conntrack6, state: state as XtMatch };
