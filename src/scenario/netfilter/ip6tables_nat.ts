// ip6tables' nat targets' address argument (iptables 1.8.9 extensions/libxt_NAT.c parse_to for
// NFPROTO_IPV6): `ADDR`, `ADDR-ADDR`, or with ports the address in brackets, `[ADDR]:PORT`,
// `[ADDR-ADDR]:PORT-PORT`, and for DNAT `[ADDR]:PORT-PORT/BASE`. The kernel side is the same
// nf_nat_setup_info as nft's `dnat ip6 to` (nft_nat.ts nat6): one range of addresses, one of
// ports. What ip6tables accepts but the model does not take (port 0, text after `]`, a
// reversed address range, a base on SNAT, which ip6tables keeps as /0) is refused as not
// modelled; the rest of the refusals are ip6tables' own words.
import { inet6, type InetAddr } from '../../model/proto/inet_addr';
import { formatIpv6, parseIpv6 } from '../../trace/ipv6';
import { ScenarioError, type Tok } from '../types';
import { portOf } from './values';

export interface Nat6To {
  addr: InetAddr;
  max?: InetAddr;
  ports: [number, number] | null;
  base?: number;
  /** ip6tables-save's form (libxt_NAT's print) */
  save: string;
}

const cmp = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
};

function addrRange(t: Tok, s: string): { min: Uint8Array; max?: Uint8Array; text: string } {
  const dash = s.indexOf('-');
  const lo = dash < 0 ? s : s.slice(0, dash);
  const hi = dash < 0 ? undefined : s.slice(dash + 1);
  const a = parseIpv6(lo);
  if (!a) throw new ScenarioError(`Bad IP address "${lo}"`, t.pos);
  if (hi === undefined) return { min: a, text: formatIpv6(a) };
  const b = parseIpv6(hi);
  if (!b) throw new ScenarioError(`Bad IP address "${hi}"`, t.pos);
  if (cmp(a, b) > 0) throw new ScenarioError(`a reversed address range (${lo}-${hi}) is not modelled: give the lower address first`, t.pos);
  return cmp(a, b) === 0 ? { min: a, text: formatIpv6(a) } : { min: a, max: b, text: `${formatIpv6(a)}-${formatIpv6(b)}` };
}

function port(t: Tok, s: string): number {
  const v = portOf(s);
  if (v === undefined) throw new ScenarioError(`Port \`${s}' not valid`, t.pos);
  if (v === 0) throw new ScenarioError('port 0 in a NAT range is not modelled', t.pos);
  return v;
}

/** `PORT[-PORT]` of --to-destination/--to-source after `]:`, or of REDIRECT/MASQUERADE --to-ports. */
export function natPorts6(t: Tok, s: string): [number, number] {
  const dash = s.indexOf('-');
  const lo = port(t, dash < 0 ? s : s.slice(0, dash));
  const hi = dash < 0 ? lo : port(t, s.slice(dash + 1));
  if (hi < lo) throw new ScenarioError(`Port range \`${s.slice(dash + 1)}' funky`, t.pos);
  return [lo, hi];
}

/** --to-destination / --to-source of ip6tables' DNAT and SNAT (`dnat` true allows /BASE). */
export function natTo6(t: Tok, dnat: boolean): Nat6To {
  const s = t.text;
  if (!s.startsWith('[')) {
    const r = addrRange(t, s);
    return { addr: inet6(r.min), ...(r.max && { max: inet6(r.max) }), ports: null, save: r.text };
  }
  const close = s.indexOf(']');
  if (close < 0) throw new ScenarioError('Invalid address format', t.pos);
  const r = addrRange(t, s.slice(1, close));
  const rest = s.slice(close + 1);
  const out = { addr: inet6(r.min), ...(r.max && { max: inet6(r.max) }) };
  if (rest === '') return { ...out, ports: null, save: r.text };
  if (!rest.startsWith(':')) throw new ScenarioError(`text after the bracketed address (${rest}) is not modelled: ip6tables ignores it`, t.pos);
  let ps = rest.slice(1);
  let base: number | undefined;
  const slash = ps.indexOf('/');
  if (slash >= 0) {
    if (!ps.slice(0, slash).includes('-')) throw new ScenarioError(`Garbage after port value: \`${ps.slice(slash)}'`, t.pos);
    const b = ps.slice(slash + 1);
    const bv = portOf(b);
    if (bv === undefined || bv === 0) throw new ScenarioError(`Port \`${b}' not valid`, t.pos);
    if (!dnat) throw new ScenarioError('a base port (/BASE) on SNAT is not modelled: ip6tables keeps it as /0, and only DNAT offsets by it', t.pos);
    base = bv;
    ps = ps.slice(0, slash);
  }
  const ports = natPorts6(t, ps);
  const pt = ports[0] === ports[1] ? `${ports[0]}` : `${ports[0]}-${ports[1]}`;
  return { ...out, ports, ...(base !== undefined && { base }), save: `[${r.text}]:${pt}${base !== undefined ? `/${base}` : ''}` };
}
