// -m mac (xt_mac.c mac_mt): the source address of the Ethernet header the packet came with. No
// device, a device that is not Ethernet (loopback), or no full Ethernet header: no match, even
// inverted. Only in PREROUTING, INPUT and FORWARD (the match's hooks).
import { fail, q, type XtMatch } from './types';

interface St {
  mac?: number[];
  neg: boolean;
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

export const mac: XtMatch<St> = {
  opts: { '--mac-source': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    if (st.mac) fail(o.opt, 'mac: option "--mac-source" can only be used once.');
    const v = o.arg('a MAC address');
    // xtables_parse_mac: exactly six pairs of hex digits separated by colons
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(v.text)) fail(v, `Bad mac address ${q(v.text)}`);
    st.mac = v.text.split(':').map((h) => parseInt(h, 16));
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (!st.mac) fail(e.tok, 'mac: option "--mac-source" must be specified');
    const want = st.mac;
    e.check((_e, c) => {
      if (c.base && !['prerouting', 'input', 'forward'].includes(c.base.hook)) fail(e.tok, `mac match: only valid in PREROUTING, INPUT and FORWARD, not ${c.name} (iptables: RULE_APPEND failed (Invalid argument))`);
    });
    const src = (x: Parameters<import('../../../model/net/netfilter/nf_tables').Expr['eval']>[0]): number[] | null => {
      const s = x.p.skb;
      if (!s.dev || s.dev.kind === 'loopback' || s.mac_header < 0 || s.network_header - s.mac_header < 14) return null;
      return [...s.buf.subarray(s.mac_header + 6, s.mac_header + 12)];
    };
    return [
      {
        text: e.text,
        eval: (x) => {
          const m = src(x);
          if (!m) return false;
          return m.every((b, i) => b === want[i]) !== st.neg;
        },
        actual: (x) => {
          const m = src(x);
          return m ? `source MAC ${m.map(hex2).join(':')}` : 'no Ethernet header';
        },
      },
    ];
  },
  save: (st) => [...(st.neg ? ['!'] : []), '--mac-source', st.mac!.map(hex2).join(':')],
};
