// -m realm (xt_realm.c realm_mt): (route's tclassid & mask) == id. The model's routes carry no
// realm (a scenario's `ip route` takes none), so every route's tclassid is 0, as it is for a
// route added without `realm`. Not in PREROUTING: the packet has no route there yet.
import { fail, num, q, type XtMatch } from './types';

interface St {
  id?: number;
  mask: number;
  neg: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export const realm: XtMatch<St> = {
  opts: { '--realm': true },
  init: () => ({ mask: 0xffffffff, neg: false }),
  parse: (st, o) => {
    if (st.id !== undefined) fail(o.opt, 'realm: option "--realm" can only be used once.');
    const v = o.arg('a realm');
    const [a, m] = v.text.split('/');
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(a)) fail(v, `realm ${q(a)}: realm names (rt_realms) are not modelled, give a number`);
    st.id = num(v, 0xffffffff, a);
    if (m !== undefined) st.mask = num(v, 0xffffffff, m);
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (st.id === undefined) fail(e.tok, 'realm: option "--realm" must be specified');
    e.check((_e, c) => {
      if (c.base?.hook === 'prerouting') fail(e.tok, `realm match: not valid in ${c.name} (iptables: RULE_APPEND failed (Invalid argument))`);
    });
    const holds = ((0 & st.mask) === st.id) !== st.neg;
    return [{ text: e.text, eval: () => holds, actual: () => 'route realm 0 (the model\'s routes carry no realm)' }];
  },
  save: (st) => [...(st.neg ? ['!'] : []), '--realm', st.mask === 0xffffffff ? hex(st.id!) : `${hex(st.id!)}/${hex(st.mask)}`],
};
