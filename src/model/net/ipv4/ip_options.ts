// net/ipv4/ip_options.c (v6.12): the options of a received IPv4 header. ip_rcv_finish_core calls
// ip_rcv_options for any header longer than 20 bytes; __ip_options_compile walks the options in
// order and refuses a malformed one, pointing at the byte it blames in a parameter problem.
//
// Modelled: every check __ip_options_compile makes before an option takes effect, END (which
// clears whatever follows it), NOOP, router alert (no IP_ROUTER_ALERT socket exists in the model,
// so ip_call_ra_chain takes nothing), and the options it only steps over (security, stream id and
// any unknown type); ip_forward_options' checksum after END cleared bytes, and
// ip_options_fragment on the later fragments of a forwarded datagram. Not modelled: an option
// that would take effect — source routes, record route, timestamp (they write addresses and
// times into the packet) and CIPSO (cipso_v4_validate): the run stops there as not modelled.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import { NotModelled } from '../../sim/not_modelled';
import { IPV4_HLEN } from '../../proto/ipv4';
import { ICMP_PARAMETERPROB } from '../../proto/icmp';
import { icmp_send } from './icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpInHdrErrors = snmpId('IpInHdrErrors');

const FILE = 'net/ipv4/ip_options.c';

const IPOPT_END = 0;
const IPOPT_NOOP = 1;
const IPOPT_SEC = 130;
const IPOPT_LSRR = 131;
const IPOPT_CIPSO = 134;
const IPOPT_RR = 7;
const IPOPT_SID = 136;
const IPOPT_SSRR = 137;
const IPOPT_RA = 148;
const IPOPT_TIMESTAMP = 68;

const NAMES: Record<number, string> = { [IPOPT_SEC]: 'security', [IPOPT_LSRR]: 'loose source route', [IPOPT_CIPSO]: 'CIPSO', [IPOPT_RR]: 'record route', [IPOPT_SID]: 'stream id', [IPOPT_SSRR]: 'strict source route', [IPOPT_RA]: 'router alert', [IPOPT_TIMESTAMP]: 'timestamp' };
const optName = (t: number): string => NAMES[t] ?? `type ${t}`;

/** IPCB(skb)->opt, as far as the model keeps it */
export interface IpOptions {
  /** the option bytes after the 20-byte header (ihl * 4 - 20) */
  optlen: number;
  /** bytes were rewritten (END padding cleared): the header checksum no longer holds */
  isChanged: boolean;
  /** the offset of a router alert option with value 0 from the header, 0 for none */
  routerAlert: number;
}

type Compiled = { ok: true; opt: IpOptions; what: string[] } | { ok: false; pointer: number; why: string };

/**
 * __ip_options_compile for a received packet (skb != NULL): walks the options in place. Returns
 * the options, or the offset from the IP header of the byte a parameter problem points at.
 */
export function ip_options_compile(skb: SkBuff): Compiled {
  const b = skb.w();
  const nh = skb.network_header;
  const optlen = (b[nh] & 15) * 4 - IPV4_HLEN;
  const opt: IpOptions = { optlen, isChanged: false, routerAlert: 0 };
  const what: string[] = [];
  let p = nh + IPV4_HLEN;
  const fail = (at: number, why: string): Compiled => ({ ok: false, pointer: at - nh, why });
  for (let l = optlen; l > 0; ) {
    const type = b[p];
    if (type === IPOPT_END) {
      let cleared = 0;
      for (p++, l--; l > 0; p++, l--) {
        if (b[p] !== IPOPT_END) {
          b[p] = IPOPT_END;
          opt.isChanged = true;
          cleared++;
        }
      }
      what.push(cleared ? `END, after which ${cleared} non-zero byte(s) are cleared to END` : 'END');
      return { ok: true, opt, what };
    }
    if (type === IPOPT_NOOP) {
      l--;
      p++;
      what.push('NOOP');
      continue;
    }
    if (l < 2) return fail(p, `option ${optName(type)} has no room for its length byte`);
    const len = b[p + 1];
    if (len < 2 || len > l) return fail(p, `option ${optName(type)} says it is ${len} bytes long, with ${l} byte(s) of options left`);
    switch (type) {
      case IPOPT_SSRR:
      case IPOPT_LSRR:
        if (len < 3) return fail(p + 1, `${optName(type)}: length ${len} leaves no pointer`);
        if (b[p + 2] < 4) return fail(p + 2, `${optName(type)}: pointer ${b[p + 2]} is below 4`);
        throw new NotModelled(`a received IPv4 ${optName(type)} option (ip_options_compile, ip_options_rcv_srr) is not modelled`);
      case IPOPT_RR:
        if (len < 3) return fail(p + 1, `record route: length ${len} leaves no pointer`);
        if (b[p + 2] < 4) return fail(p + 2, `record route: pointer ${b[p + 2]} is below 4`);
        if (b[p + 2] <= len && b[p + 2] + 3 > len) return fail(p + 2, `record route: pointer ${b[p + 2]} leaves no room for an address in ${len} bytes`);
        throw new NotModelled('a received IPv4 record route option (ip_options_compile writes the address of the receiving interface) is not modelled');
      case IPOPT_TIMESTAMP: {
        if (len < 4) return fail(p + 1, `timestamp: length ${len} is below 4`);
        const ptr = b[p + 2];
        if (ptr < 5) return fail(p + 2, `timestamp: pointer ${ptr} is below 5`);
        const flag = b[p + 3] & 15;
        if (ptr <= len) {
          if (ptr + 3 > len) return fail(p + 2, `timestamp: pointer ${ptr} leaves no room for a timestamp in ${len} bytes`);
          // IPOPT_TS_TSANDADDR (1) and IPOPT_TS_PRESPEC (3) take an address and a time
          if ((flag === 1 || flag === 3) && ptr + 7 > len) return fail(p + 2, `timestamp: pointer ${ptr} leaves no room for an address and a time in ${len} bytes`);
        } else if (flag !== 3 && b[p + 3] >> 4 === 15) return fail(p + 3, 'timestamp: the overflow count is already 15');
        throw new NotModelled('a received IPv4 timestamp option (ip_options_compile writes the time of day) is not modelled');
      }
      case IPOPT_RA:
        if (len < 4) return fail(p + 1, `router alert: length ${len} is below 4`);
        if (b[p + 2] === 0 && b[p + 3] === 0) opt.routerAlert = p - nh;
        what.push('router alert');
        break;
      case IPOPT_CIPSO:
        throw new NotModelled('a received IPv4 CIPSO option (cipso_v4_validate) is not modelled');
      default:
        // IPOPT_SEC, IPOPT_SID and unknown types: a received packet's are stepped over
        what.push(`${optName(type)} (${len} bytes, stepped over)`);
    }
    l -= len;
    p += len;
  }
  return { ok: true, opt, what };
}

/**
 * ip_rcv_options: compile the options of a packet ip_rcv_finish_core routed; a malformed one
 * earns a parameter problem (ip_options_compile's icmp_send), IpInHdrErrors and a drop (v6.12:
 * NOT_SPECIFIED). Returns true when the packet was dropped.
 */
export function ip_rcv_options(net: Net, skb: SkBuff): boolean {
  const call = net.enter('ip_rcv_options');
  try {
    const c = ip_options_compile(skb);
    if (!c.ok) {
      net.step(skb, 'L3', 'ip_options_compile', FILE, net.full ? `The IP options are malformed (${c.why}): __ip_options_compile fails, and ip_options_compile asks for ICMP parameter problem pointing at byte ${c.pointer}.` : '');
      icmp_send(net, skb, ICMP_PARAMETERPROB, 0, c.pointer);
      net.count(SNMP_IpInHdrErrors);
      net.drop(skb, 'L3', 'ip_rcv_finish_core', 'net/ipv4/ip_input.c', 'NOT_SPECIFIED', 'ip_rcv_options failed (ip_options_compile): IpInHdrErrors, and ip_rcv_finish_core frees the packet (v6.12: no drop reason).');
      return true;
    }
    skb.cb.ipOpt = c.opt;
    net.step(skb, 'L3', 'ip_options_compile', FILE, net.full ? `The ${c.opt.optlen} bytes of IP options are well formed: ${c.what.join(', ')}.${c.opt.isChanged ? ' The header checksum no longer matches the cleared bytes; a router recomputes it (ip_forward_options).' : ''}` : '');
    return false;
  } finally {
    net.leave(call);
  }
}

/** ip_forward_options: after forwarding changed the header, a header whose options were rewritten gets its checksum recomputed. */
export function ip_forward_options(skb: SkBuff): boolean {
  const o = skb.cb.ipOpt;
  if (!o?.isChanged) return false;
  o.isChanged = false;
  return true;
}

/**
 * ip_options_fragment: once the first fragment is cut, the header the later fragments copy keeps
 * only the options whose "copied" bit (0x80) is set; the others become NOOPs.
 */
export function ip_options_fragment(buf: Uint8Array, nh: number, optlen: number): void {
  let p = nh + IPV4_HLEN;
  for (let l = optlen; l > 0; ) {
    if (buf[p] === IPOPT_END) return;
    if (buf[p] === IPOPT_NOOP) {
      l--;
      p++;
      continue;
    }
    const len = buf[p + 1];
    if (len < 2 || len > l) return;
    if (!(buf[p] & 0x80)) buf.fill(IPOPT_NOOP, p, p + len);
    l -= len;
    p += len;
  }
}
