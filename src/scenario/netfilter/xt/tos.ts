// -m tos (xt_dscp.c tos_mt, revision 1): (iph->tos & mask) == value, `!` inverts. -m dscp
// (dscp_mt): the six DSCP bits of the tos byte compared with one value. -m ecn (xt_ecn.c): the
// two ECN bits of the tos byte, and the ECE/CWR flags of a TCP header.
import type { Expr } from '../../../model/net/netfilter/nf_tables';
import { IPPROTO_TCP } from '../../../model/proto/ipv4';
import { fail, num, q, type XtMatch } from './types';

/** libxt_tos' symbolic names: the value, with mask 0x3f (the old TOS field) */
/** printf's 0x%02x */
export const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

export const TOS_NAMES: Record<string, number> = { 'Minimize-Delay': 0x10, 'Maximize-Throughput': 0x08, 'Maximize-Reliability': 0x04, 'Minimize-Cost': 0x02, 'Normal-Service': 0x00 };

/** --tos VALUE[/MASK] or a name (mask 0x3f); a bare value has mask 0xff */
export function tosValueMask(t: { text: string; pos: import('../../types').SourcePos }): [number, number] {
  if (Object.hasOwn(TOS_NAMES, t.text)) return [TOS_NAMES[t.text], 0x3f];
  const [v, m] = t.text.split('/');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(v)) fail(t, `Bad TOS value ${q(t.text)}`);
  return [num(t, 0xff, v), m === undefined ? 0xff : num(t, 0xff, m)];
}

/** DiffServ class names (libxt_dscp_helper.c) → DSCP */
export const DSCP_CLASSES: Record<string, number> = { CS0: 0, CS1: 8, CS2: 16, CS3: 24, CS4: 32, CS5: 40, CS6: 48, CS7: 56, BE: 0, AF11: 10, AF12: 12, AF13: 14, AF21: 18, AF22: 20, AF23: 22, AF31: 26, AF32: 28, AF33: 30, AF41: 34, AF42: 36, AF43: 38, EF: 46 };

export const tos: XtMatch<{ v?: [number, number]; neg: boolean }> = {
  opts: { '--tos': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    if (st.v) fail(o.opt, 'tos: option "--tos" can only be used once.');
    st.v = tosValueMask(o.arg('a TOS value'));
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (!st.v) fail(e.tok, 'tos: option "--tos" must be specified');
    const [v, m] = st.v;
    return [{ text: e.text, eval: (x) => ((x.p.iph.tos & m) === v) !== st.neg, actual: (x) => `tos 0x${x.p.iph.tos.toString(16).padStart(2, '0')}` }];
  },
  save: (st) => [...(st.neg ? ['!'] : []), '--tos', `${hex2(st.v![0])}/${hex2(st.v![1])}`],
};

export const dscp: XtMatch<{ v?: number; neg: boolean }> = {
  opts: { '--dscp': true, '--dscp-class': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    if (st.v !== undefined) fail(o.opt, 'dscp: only one of "--dscp" and "--dscp-class" may be given, once');
    const v = o.arg('a DSCP value');
    if (o.opt.text === '--dscp-class') {
      if (!Object.hasOwn(DSCP_CLASSES, v.text.toUpperCase())) fail(v, `Invalid DSCP value ${q(v.text)}`);
      st.v = DSCP_CLASSES[v.text.toUpperCase()];
    } else st.v = num(v, 0x3f);
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (st.v === undefined) fail(e.tok, 'dscp: one of "--dscp" and "--dscp-class" must be specified');
    const want = st.v;
    return [{ text: e.text, eval: (x) => (x.p.iph.tos >> 2 === want) !== st.neg, actual: (x) => `dscp 0x${(x.p.iph.tos >> 2).toString(16)}` }];
  },
  save: (st) => [...(st.neg ? ['!'] : []), '--dscp', hex2(st.v!)],
};

interface EcnSt {
  ip?: { v: number; neg: boolean };
  ece?: boolean;
  cwr?: boolean;
}

export const ecn: XtMatch<EcnSt> = {
  opts: { '--ecn-tcp-cwr': false, '--ecn-tcp-ece': false, '--ecn-ip-ect': true },
  init: () => ({}),
  parse: (st, o) => {
    if (o.opt.text === '--ecn-ip-ect') {
      if (st.ip) fail(o.opt, 'ecn: option "--ecn-ip-ect" can only be used once.');
      st.ip = { v: num(o.arg('0-3'), 3), neg: o.neg };
    } else if (o.opt.text === '--ecn-tcp-ece') st.ece = !o.neg;
    else st.cwr = !o.neg;
  },
  finish: (st, e) => {
    if (!st.ip && st.ece === undefined && st.cwr === undefined) fail(e.tok, 'ecn: at least one of "--ecn-tcp-cwr", "--ecn-tcp-ece", "--ecn-ip-ect" is required');
    if ((st.ece !== undefined || st.cwr !== undefined) && e.proto !== IPPROTO_TCP) fail(e.tok, 'ecn: cannot match TCP bits in rule for non-tcp packets (iptables: RULE_APPEND failed (Invalid argument))');
    const ex: Expr = {
      text: e.text,
      eval: (x) => {
        if (st.ip && ((x.p.iph.tos & 3) === st.ip.v) === st.ip.neg) return false;
        if (st.ece !== undefined || st.cwr !== undefined) {
          // match_tcp: a later fragment does not match; the flags are bits 6 (ECE) and 7 (CWR) of byte 13
          if (x.p.fragoff !== 0 || x.p.tcpFlags === undefined) return false;
          if (st.ece !== undefined && ((x.p.tcpFlags & 0x40) !== 0) !== st.ece) return false;
          if (st.cwr !== undefined && ((x.p.tcpFlags & 0x80) !== 0) !== st.cwr) return false;
        }
        return true;
      },
      actual: (x) => `ecn ${x.p.iph.tos & 3}${x.p.tcpFlags !== undefined ? `, tcp flags 0x${x.p.tcpFlags.toString(16)}` : ''}`,
    };
    return [ex];
  },
};
