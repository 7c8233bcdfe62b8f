// -m conntrack (xt_conntrack.c conntrack_mt, revision 3) and -m state (xt_state.c): iptables-nft
// 1.8.9 hands both to the kernel as xt matches (nft lists them translated, but the rule runs the
// xt module). One match tests every option given, in the kernel's order: the state first; then,
// without an entry, the match holds only if --ctstate was the test; then direction, addresses,
// protocol and ports, status. `! --opt` inverts that option alone.
import type { EvalCtx, Expr } from '../../../model/net/netfilter/nf_tables';
import { numToIp } from '../../../model/proto/addr';
import { inet4 } from '../../../model/proto/inet_addr';
import { v4of, type NfConn } from '../../../model/net/netfilter/nf_conntrack';
import { nf_ct_expires } from '../../../model/net/netfilter/nf_conntrack_timeout';
import { HZ } from '../../../model/proc/sysctl';
import { ctOf, ctStatusBits, IPS } from '../ct_exprs';
import { addrMask } from './addr';
import { fail, numRange, once, q, type XtMatch, type XtOpt } from './types';
import { IPT_PROTOS } from './protos';

/** XT_CONNTRACK_STATE_* bits: INVALID 1<<0, then 1<<(ctinfo+1) for established, related, new; SNAT, DNAT, UNTRACKED */
const STATE_BITS: Record<string, number> = { INVALID: 1, ESTABLISHED: 2, RELATED: 4, NEW: 8, SNAT: 1 << 8, DNAT: 1 << 9, UNTRACKED: 1 << 10 };
const STATUS_BITS: Record<string, number> = { NONE: 0, EXPECTED: IPS.EXPECTED, SEEN_REPLY: IPS.SEEN_REPLY, ASSURED: IPS.ASSURED, CONFIRMED: IPS.CONFIRMED };

/** XT_CONNTRACK_STATE_BIT(ctinfo), or the invalid/untracked bit without an entry */
function stateBit(x: EvalCtx): number {
  const s = x.nf.ctState(x.p.skb);
  switch (s) {
    case 'IP_CT_ESTABLISHED':
    case 'IP_CT_ESTABLISHED_REPLY':
      return STATE_BITS.ESTABLISHED;
    case 'IP_CT_RELATED':
    case 'IP_CT_RELATED_REPLY':
      return STATE_BITS.RELATED;
    case 'IP_CT_NEW':
      return STATE_BITS.NEW;
    case 'IP_CT_UNTRACKED':
      return STATE_BITS.UNTRACKED;
    default:
      return STATE_BITS.INVALID;
  }
}

function showState(b: number): string {
  return Object.entries(STATE_BITS).filter(([, v]) => b & v).map(([n]) => n).join(',');
}

type Test = { name: string; inv: boolean; test: (x: EvalCtx, ct: NonNullable<ReturnType<typeof ctOf>>) => boolean; shows: (x: EvalCtx) => string };

interface St {
  seen: Set<string>;
  state?: { mask: number; inv: boolean };
  tests: Test[];
}

function stateList(o: XtOpt, v = o.arg('a state list')): number {
  let m = 0;
  for (const n of v.text.split(',')) {
    const b = STATE_BITS[n.toUpperCase()];
    if (b === undefined) fail(v, `Bad ctstate ${q(n)}`);
    m |= b;
  }
  return m;
}

const portOpt = (dir: 0 | 1, key: 'sport' | 'dport') => (st: St, o: XtOpt): void => {
  const v = o.arg('a port or range');
  const [lo, hi] = numRange(v, 65535);
  st.tests.push({
    name: o.opt.text,
    inv: o.neg,
    test: (_x, ct) => {
      const t = ct.tuple[dir];
      // tuple src.u.all / dst.u.all: the ports, the ICMP id, or the ICMP type and code (the code of a query is 0)
      const icmp = t.proto === 1 || t.proto === 58;
      const v = icmp && key === 'dport' ? t.dport << 8 : t.proto === 6 || t.proto === 17 || icmp ? t[key] : 0;
      return v >= lo && v <= hi;
    },
    shows: (x) => `${o.opt.text.slice(2)} ${ctOf(x)?.tuple[dir][key]}`,
  });
};

const addrOpt = (dir: 0 | 1, key: 'src' | 'dst') => (st: St, o: XtOpt): void => {
  const v = o.arg('an address');
  const { addr, mask } = addrMask(v);
  st.tests.push({ name: o.opt.text, inv: o.neg, test: (_x, ct) => ((v4of(ct.tuple[dir][key]) ^ addr) & mask) === 0, shows: (x) => `${o.opt.text.slice(2)} ${numToIp(v4of(ctOf(x)?.tuple[dir][key] ?? inet4(0)))}` });
};

const OPTS: Record<string, (st: St, o: XtOpt) => void | string[]> = {
  '--ctstate': (st, o) => {
    st.state = { mask: stateList(o), inv: o.neg };
  },
  '--ctproto': (st, o) => {
    const v = o.arg('a protocol');
    const n = Object.hasOwn(IPT_PROTOS, v.text) ? IPT_PROTOS[v.text] : /^\d+$/.test(v.text) && Number(v.text) <= 255 ? Number(v.text) : -1;
    if (n < 0) fail(v, `unknown protocol ${q(v.text)} specified`);
    if (n === 0) fail(v, 'conntrack: rule would never match protocol');
    st.tests.push({ name: '--ctproto', inv: o.neg, test: (_x, ct) => ct.tuple[0].proto === n, shows: (x) => `ctproto ${ctOf(x)?.tuple[0].proto}` });
    // libxt_conntrack saves the protocol as its number
    return [...(o.neg ? ['!'] : []), '--ctproto', String(n)];
  },
  '--ctorigsrc': addrOpt(0, 'src'),
  '--ctorigdst': addrOpt(0, 'dst'),
  '--ctreplsrc': addrOpt(1, 'src'),
  '--ctrepldst': addrOpt(1, 'dst'),
  '--ctorigsrcport': portOpt(0, 'sport'),
  '--ctorigdstport': portOpt(0, 'dport'),
  '--ctreplsrcport': portOpt(1, 'sport'),
  '--ctrepldstport': portOpt(1, 'dport'),
  '--ctstatus': (st, o) => {
    const v = o.arg('a status list');
    let m = 0;
    for (const n of v.text.split(',')) {
      const b = STATUS_BITS[n.toUpperCase()];
      if (b === undefined) fail(v, `Bad ctstatus ${q(n)}`);
      m |= b;
    }
    st.tests.push({ name: '--ctstatus', inv: o.neg, test: (_x, ct) => (ctStatusBits(ct) & m) !== 0, shows: (x) => `ctstatus 0x${(ctOf(x) ? ctStatusBits(ctOf(x)!) : 0).toString(16)}` });
  },
  // seconds left, nf_ct_expires(ct) / HZ, within min[:max] (u32 each; a reversed range matches nothing)
  '--ctexpire': (st, o) => {
    const v = o.arg('a time or range');
    const bad = (): never => fail(v, `conntrack: bad value for option "--ctexpire" near ${q(v.text)}, or out of range (0-4294967295).`);
    const u32 = (s: string, dflt: number): number => (s === '' ? dflt : /^\d+$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : bad());
    const i = v.text.indexOf(':');
    const lo = u32(i < 0 ? v.text : v.text.slice(0, i), 0);
    const hi = i < 0 ? lo : u32(v.text.slice(i + 1), 0xffffffff);
    if (i < 0 && v.text === '') bad();
    const left = (x: EvalCtx, ct: NfConn): number => Math.floor(nf_ct_expires(x.net, ct) / HZ);
    st.tests.push({ name: '--ctexpire', inv: o.neg, test: (x, ct) => left(x, ct) >= lo && left(x, ct) <= hi, shows: (x) => `ctexpire ${ctOf(x) ? left(x, ctOf(x)!) : 0}` });
  },
  '--ctdir': (st, o) => {
    const v = o.arg('ORIGINAL or REPLY');
    const d = v.text.toUpperCase();
    if (d !== 'ORIGINAL' && d !== 'REPLY') fail(v, `Unknown --ctdir ${q(v.text)}`);
    if (o.neg) fail(o.opt, 'conntrack: option "--ctdir" cannot be inverted.');
    const reply = d === 'REPLY';
    st.tests.push({ name: '--ctdir', inv: false, test: (x) => (x.nf.ctState(x.p.skb) ?? '').endsWith('_REPLY') === reply, shows: (x) => `ctdir ${(x.nf.ctState(x.p.skb) ?? '').endsWith('_REPLY') ? 'REPLY' : 'ORIGINAL'}` });
  },
};

function finishConntrack(st: St, text: string): Expr {
  let why = '';
  return {
    text,
    needsCt: true,
    eval: (x) => {
      const ct = ctOf(x);
      if (st.state) {
        let bit = stateBit(x);
        if (ct) {
          if (ct.status & IPS.SRC_NAT) bit |= STATE_BITS.SNAT;
          if (ct.status & IPS.DST_NAT) bit |= STATE_BITS.DNAT;
        }
        if ((st.state.mask & bit) !== 0 === st.state.inv) {
          why = `ctstate ${showState(bit)}`;
          return false;
        }
      }
      if (!ct) {
        why = 'no conntrack entry';
        return !!st.state;
      }
      for (const t of st.tests) {
        if (t.test(x, ct) === t.inv) {
          why = t.shows(x);
          return false;
        }
      }
      return true;
    },
    actual: () => why,
  };
}

export const conntrack: XtMatch<St> = {
  opts: Object.fromEntries(Object.keys(OPTS).map((k) => [k, true])),
  init: () => ({ seen: new Set(), tests: [] }),
  parse: (st, o) => {
    once(st.seen, 'conntrack', o);
    return OPTS[o.opt.text](st, o);
  },
  finish: (st, e) => {
    if (!st.seen.size) fail(e.tok, 'conntrack: At least one option is required');
    return [finishConntrack(st, e.text)];
  },
};

/** -m state (xt_state.c state_mt): the same state bits; `!` inverts the mask in userspace. */
export const state: XtMatch<{ mask: number | null }> = {
  opts: { '--state': true },
  init: () => ({ mask: null }),
  parse: (st, o) => {
    if (st.mask !== null) fail(o.opt, 'state: option "--state" can only be used once.');
    const v = o.arg('a state list');
    let m = 0;
    for (const n of v.text.split(',')) {
      const b = STATE_BITS[n.toUpperCase()];
      if (b === undefined || b > STATE_BITS.NEW) {
        if (n.toUpperCase() !== 'UNTRACKED') fail(v, `Bad state ${q(n)}`);
      }
      m |= b;
    }
    st.mask = o.neg ? ~m : m;
  },
  finish: (st, e) => {
    if (st.mask === null) fail(e.tok, 'state: option "--state" must be specified');
    const mask = st.mask;
    return [{ text: e.text, needsCt: true, eval: (x) => (mask & stateBit(x)) !== 0, actual: (x) => `ctstate ${showState(stateBit(x))}` }];
  },
};
