// IPv6's link-up traffic, compared: the frames each device sent while the links came up (DAD's
// neighbour solicitations, the unsolicited MLDv2 reports). On the kernel a capture per namespace
// (`tcpdump -i any -Q out`, Linux cooked v2 headers: it names the interface) runs from before
// the setup lines to the end of the link-up wait; on the model's side they are the frames sent
// before the first traffic item. Their times are random in the kernel (DAD's delay, the reports'
// retransmissions within mldv2_unsolicited_report_interval) and the model takes the latest each
// draw can be, so they are compared per device as a multiset of packets, not in order or by
// time; an MLD report record by record (which records share a report depends on how long the
// kernel's setup commands took). DAD's nonce (enhanced_dad) is random: its six bytes, and the
// checksum over them, are masked (docs/fidelity.md, "## IPv6").
import type { Trace } from '../trace/contract';
import type { Difference } from './compare';
import { hexToBytes } from './frames';
import { formatIpv6 } from '../trace/ipv6';

/** host:ifname → the IPv6 packets (from the IPv6 header on) it sent during the link-up */
export type LinkUpFrames = Map<string, Uint8Array[]>;

/** LINKTYPE_LINUX_SLL2: what `tcpdump -i any -y LINUX_SLL2` writes */
const LINKTYPE_LINUX_SLL2 = 276;
const SLL2_HLEN = 20;
const PACKET_OUTGOING = 4;
const ETH_P_IPV6 = 0x86dd;
/** MLDv2 record types (include/net/mld.h) */
const GREC_NAMES: Record<number, string> = { 1: 'IS_IN', 2: 'IS_EX', 3: 'TO_IN', 4: 'TO_EX', 5: 'ALLOW', 6: 'BLOCK' };
const MLD2_CHANGE_TO_INCLUDE = 3;
const MLD2_CHANGE_TO_EXCLUDE = 4;

/** The model's frames sent before the first traffic item, IPv6 only, without their Ethernet header. */
export function modelLinkUpFrames(t: Trace, firstItemEvent: number): LinkUpFrames {
  const out: LinkUpFrames = new Map();
  for (const e of t.events.slice(0, firstItemEvent)) {
    if (e.fn !== 'dev_hard_start_xmit' || !e.skb?.dev) continue;
    const b = hexToBytes(e.skb.bytes.slice(e.skb.data * 2, e.skb.tail * 2));
    if (b.length < 14 + 40 || ((b[12] << 8) | b[13]) !== ETH_P_IPV6) continue;
    const k = `${e.host}:${e.skb.dev}`;
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(b.slice(14));
  }
  return out;
}

/** The outgoing IPv6 packets of an `any` capture with cooked v2 headers, by interface index. */
export function parseSll2Pcap(buf: Uint8Array): { ifindex: number; packet: Uint8Array }[] {
  if (buf.length < 24) return [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error('not a pcap file');
  const linktype = dv.getUint32(20, le);
  if (linktype !== LINKTYPE_LINUX_SLL2) throw new Error(`a link-up capture has link type ${linktype}, not LINUX_SLL2 (${LINKTYPE_LINUX_SLL2})`);
  const out: { ifindex: number; packet: Uint8Array }[] = [];
  for (let o = 24; o + 16 <= buf.length; ) {
    const incl = dv.getUint32(o + 8, le);
    if (o + 16 + incl > buf.length) break;
    const r = o + 16;
    // the cooked header is in network byte order whatever the file's
    if (incl >= SLL2_HLEN && dv.getUint16(r, false) === ETH_P_IPV6 && buf[r + 10] === PACKET_OUTGOING) out.push({ ifindex: dv.getUint32(r + 4, false), packet: buf.slice(r + SLL2_HLEN, r + incl) });
    o += 16 + incl;
  }
  return out;
}

/** The offset of the ICMPv6 header after a hop-by-hop header, or of the IPv6 payload. */
function icmpAt(p: Uint8Array): number | undefined {
  if (p[6] === 58) return 40;
  if (p[6] === 0 && p.length >= 48 && p[40] === 58) return 40 + ((p[41] + 1) << 3);
  return undefined;
}

/** DAD's probe with its nonce option's six bytes and the checksum zeroed; any other packet as it is. */
export function maskNonce(p: Uint8Array): Uint8Array {
  const i = icmpAt(p);
  if (i === undefined || p[i] !== 135) return p;
  // a copy: a Buffer's slice (the kernel's packets) is a view of the capture
  const m = Uint8Array.from(p);
  for (let o = i + 24; o + 8 <= m.length; o += Math.max(8, m[o + 1] * 8)) {
    if (m[o] === 14 && m[o + 1] === 1) {
      m.fill(0, o + 2, o + 8);
      m[i + 2] = m[i + 3] = 0;
    }
    if (m[o + 1] === 0) break;
  }
  return m;
}

/** A packet of the link-up in words: "MLDv2 report from :: (CHANGE_TO_EXCLUDE ff02::1:ff00:1)". */
export function describeLinkUp(p: Uint8Array): string {
  const src = formatIpv6(p.slice(8, 24));
  const dst = formatIpv6(p.slice(24, 40));
  const i = icmpAt(p);
  if (i !== undefined && p[i] === 143) {
    const n = (p[i + 6] << 8) | p[i + 7];
    const recs: string[] = [];
    for (let k = 0, o = i + 8; k < n && o + 20 <= p.length; k++, o += 20 + ((p[o + 2] << 8) | p[o + 3]) * 16) recs.push(`${GREC_NAMES[p[o]] ?? p[o]} ${formatIpv6(p.slice(o + 4, o + 20))}`);
    return `MLDv2 report from ${src} (${recs.join(', ')})`;
  }
  if (i !== undefined && p[i] === 135) return `neighbour solicitation from ${src} for ${formatIpv6(p.slice(i + 8, i + 24))}`;
  if (i !== undefined && p[i] === 133) return `router solicitation from ${src}`;
  if (i !== undefined && (p[i] === 131 || p[i] === 132)) return `MLDv1 ${p[i] === 131 ? 'report' : 'done'} for ${formatIpv6(p.slice(i + 8, i + 24))} from ${src}`;
  return `IPv6 packet ${src} > ${dst}, next header ${p[6]}`;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** What is compared of a link-up packet: the packet (nonce masked), or each record of an MLD report. */
interface Unit {
  key: string;
  /** the key without the source (an MLD record), for the race */
  raceKey?: string;
  /** compared as sent at all or not (a router solicitation of a device whose series has no end) */
  set?: boolean;
  src: Uint8Array;
  what: string;
  /** an MLD record's type (GREC_NAMES) and group */
  grec?: number;
  group?: string;
}

/**
 * An MLD report is compared record by record, each with the report's source and the rest of its
 * headers (version, traffic class, flow label, next header, hop limit, destination, the
 * hop-by-hop header, ICMPv6 type and code): which records share a report depends on when the
 * setup's commands ran (the kernel's mld_ifc_work runs two jiffies after a join, between two
 * setup lines; the model's setup takes no time), what each group gets (mc_qrv records from ::,
 * mc_qrv from the link-local address after DAD) does not. Any other packet is compared whole.
 */
function units(p: Uint8Array, rsAsSet = false): Unit[] {
  const i = icmpAt(p);
  const src = p.slice(8, 24);
  // an MLDv1 report or done: like an MLDv2 record, with its source apart for the race
  if (i !== undefined && (p[i] === 131 || p[i] === 132)) {
    // a copy: a Buffer's slice (the kernel's packets) is a view of the capture
    const bare = Uint8Array.from(p);
    bare.fill(0, 8, 24);
    bare[i + 2] = bare[i + 3] = 0;
    return [{ key: hex(p), raceKey: hex(bare), src, what: describeLinkUp(p) }];
  }
  if (i === undefined || p[i] !== 143) return [{ key: hex(maskNonce(p)), src, what: describeLinkUp(p), set: rsAsSet && i !== undefined && p[i] === 133 }];
  const head = hex(Uint8Array.from([...p.slice(0, 4), p[6], p[7], ...p.slice(24, i), p[i], p[i + 1]]));
  const out: Unit[] = [];
  const n = (p[i + 6] << 8) | p[i + 7];
  for (let k = 0, o = i + 8; k < n && o + 20 <= p.length; k++) {
    const len = 20 + ((p[o + 2] << 8) | p[o + 3]) * 16;
    const rec = hex(p.slice(o, o + len));
    const group = formatIpv6(p.slice(o + 4, o + 20));
    out.push({ key: `${head}|${hex(src)}|${rec}`, raceKey: `${head}|${rec}`, src, what: `MLDv2 record ${GREC_NAMES[p[o]] ?? p[o]} ${group} from ${formatIpv6(src)}`, grec: p[o], group });
    o += len;
  }
  return out;
}

/** How many more of a record one side may have sent from its link-local address when the other sent it from :: instead (the races below): one group's mc_qrv records. */
const RACE_MAX = 2;

/**
 * Each device's link-up as multisets of units (units above): one seen more often on one side is
 * a difference, with two exceptions for what the setup's timing and the random draws decide.
 * The MLD records sent from :: (mld_ifc_work, while the link-local address is tentative) are
 * compared as a set: how many there are depends on when each join came between two setup lines
 * (a join resets every group's work to two jiffies later) and on linkwatch (a veth's
 * NETDEV_CHANGE after NETDEV_UP runs ipv6_mc_up again, which counts every group's records
 * again), while the model's setup takes no time. And a record one side sent from its link-local
 * address up to RACE_MAX times more often is a race when the other side sent it that many more
 * times from :: instead:
 * whether a report goes before or after the link-local address's DAD is over depends on random
 * delays (mld_ifc_work's retransmission, or another address's DAD, whose completion joins a
 * forwarding device's anycast group, against the link-local address's kick delay); `races`
 * counts them. A TO_EX record from :: for a group that was left again during the setup (a TO_IN
 * record of it on either side, e.g. forwarding turned on and off again: the router groups) is
 * not compared either: the kernel sends it only if its two-jiffy report work ran between the
 * join's command and the leave's, and the model's setup takes no time (counted in `races` too).
 * A router solicitation is compared by its bytes, and how many a device sent, except
 * on a device in `unendingRs` (router_solicitations -1): sent at all or not, as its second one
 * falls before or after the end of the link-up wait depending on how long the kernel's setup took
 * and on the random backoff (rs_frames.ts). Devices not in `captured` are not compared.
 */
export function compareLinkUp(model: LinkUpFrames, kernel: LinkUpFrames, captured: Set<string>, races = { n: 0 }, unendingRs: Set<string> = new Set()): Difference[] {
  const out: Difference[] = [];
  const keys = new Set([...model.keys(), ...kernel.keys()]);
  for (const k of [...keys].sort()) {
    if (!captured.has(k)) continue;
    const count = (l: Uint8Array[]): Map<string, { n: number; u: Unit }> => {
      const m = new Map<string, { n: number; u: Unit }>();
      for (const u of l.flatMap((p) => units(p, unendingRs.has(k)))) {
        const c = m.get(u.key);
        if (c) c.n++;
        else m.set(u.key, { n: 1, u });
      }
      return m;
    };
    const a = count(model.get(k) ?? []);
    const b = count(kernel.get(k) ?? []);
    const host = k.slice(0, k.indexOf(':'));
    const fromAny = (u: Unit): boolean => !!u.raceKey && u.src.every((v) => v === 0);
    // per record (without its source): how often each side sent it from :: and from fe80::
    const tally = (m: Map<string, { n: number; u: Unit }>): Map<string, { any: number; ll: number }> => {
      const t = new Map<string, { any: number; ll: number }>();
      for (const { n, u } of m.values()) {
        if (!u.raceKey) continue;
        const x = t.get(u.raceKey) ?? { any: 0, ll: 0 };
        if (fromAny(u)) x.any += n;
        else x.ll += n;
        t.set(u.raceKey, x);
      }
      return t;
    };
    const ta = tally(a);
    const tb = tally(b);
    const raced = (r: string): boolean => {
      const x = ta.get(r) ?? { any: 0, ll: 0 };
      const y = tb.get(r) ?? { any: 0, ll: 0 };
      if (x.ll === y.ll) return false;
      // the side with fewer from fe80:: sent as many more from :: (or more: linkwatch may add some)
      const [fewer, more] = x.ll < y.ll ? [x, y] : [y, x];
      const moved = more.ll - fewer.ll;
      const ok = moved <= RACE_MAX && fewer.any >= more.any + moved;
      if (ok) races.n += more.ll - fewer.ll;
      return ok;
    };
    const excused = new Set([...new Set([...ta.keys(), ...tb.keys()])].filter(raced));
    // groups left during the setup (a TO_IN record on either side): whether the join's TO_EX
    // went out before the leave depends on how long the setup's commands between them took
    const left = new Set([...a.values(), ...b.values()].filter(({ u }) => u.grec === MLD2_CHANGE_TO_INCLUDE).map(({ u }) => u.group));
    for (const h of new Set([...a.keys(), ...b.keys()])) {
      const u = (a.get(h) ?? b.get(h))!.u;
      const na = a.get(h)?.n ?? 0;
      const nb = b.get(h)?.n ?? 0;
      if (fromAny(u) || u.set ? na > 0 === nb > 0 : na === nb) continue;
      if (u.raceKey && excused.has(u.raceKey)) continue;
      if (fromAny(u) && u.grec === MLD2_CHANGE_TO_EXCLUDE && left.has(u.group)) {
        races.n += Math.abs(na - nb);
        continue;
      }
      out.push({ host, what: `link-up on ${k}: ${u.what}`, field: fromAny(u) || u.set ? 'sent at all' : 'times sent', model: String(na), kernel: String(nb) });
    }
  }
  return out;
}
