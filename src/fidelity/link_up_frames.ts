// IPv6's link-up traffic, compared: the frames each device sent while the links came up (DAD's
// neighbour solicitations, the unsolicited MLDv2 reports). On the kernel a capture per namespace
// (`tcpdump -i any -Q out`, Linux cooked v2 headers: it names the interface) runs from before
// the setup lines to the end of the link-up wait; on the model's side they are the frames sent
// before the first traffic item. Their times are random in the kernel (DAD's delay, the reports'
// retransmissions within mldv2_unsolicited_report_interval) and the model takes the latest each
// draw can be, so they are compared per device as a multiset of packets, not in order or by
// time. DAD's nonce (enhanced_dad) is random: its six bytes, and the checksum over them, are
// masked (docs/fidelity.md, "## IPv6").
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
  const m = p.slice();
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
    for (let k = 0, o = i + 8; k < n && o + 20 <= p.length; k++, o += 20 + ((p[o + 2] << 8) | p[o + 3]) * 16) recs.push(`${({ 1: 'IS_IN', 2: 'IS_EX', 3: 'TO_IN', 4: 'TO_EX', 5: 'ALLOW', 6: 'BLOCK' } as Record<number, string>)[p[o]] ?? p[o]} ${formatIpv6(p.slice(o + 4, o + 20))}`);
    return `MLDv2 report from ${src} (${recs.join(', ')})`;
  }
  if (i !== undefined && p[i] === 135) return `neighbour solicitation from ${src} for ${formatIpv6(p.slice(i + 8, i + 24))}`;
  if (i !== undefined && p[i] === 133) return `router solicitation from ${src}`;
  return `IPv6 packet ${src} > ${dst}, next header ${p[6]}`;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** An MLD report with its source and checksum zeroed: what stays when it went from fe80:: instead of ::. */
function withoutSource(p: Uint8Array): string | undefined {
  const i = icmpAt(p);
  if (i === undefined || p[i] !== 143) return undefined;
  const m = p.slice();
  m.fill(0, 8, 24);
  m[i + 2] = m[i + 3] = 0;
  return hex(m);
}

/**
 * Each device's link-up packets as multisets: one seen on one side only (by its bytes, the
 * nonce masked) is a difference. One race is paired up instead: an MLD report the model sent from
 * :: that the kernel sent from its link-local address with the same records (DAD was over before
 * mld_ifc_work's random retransmission; `races` counts them). Devices not in `captured` are not
 * compared.
 */
export function compareLinkUp(model: LinkUpFrames, kernel: LinkUpFrames, captured: Set<string>, races = { n: 0 }): Difference[] {
  const out: Difference[] = [];
  const keys = new Set([...model.keys(), ...kernel.keys()]);
  for (const k of [...keys].sort()) {
    if (!captured.has(k)) continue;
    const count = (l: Uint8Array[]): Map<string, { n: number; p: Uint8Array }> => {
      const m = new Map<string, { n: number; p: Uint8Array }>();
      for (const p of l) {
        const h = hex(maskNonce(p));
        const c = m.get(h);
        if (c) c.n++;
        else m.set(h, { n: 1, p });
      }
      return m;
    };
    const a = count(model.get(k) ?? []);
    const b = count(kernel.get(k) ?? []);
    const host = k.slice(0, k.indexOf(':'));
    const left: { side: 'model' | 'kernel'; p: Uint8Array; n: number }[] = [];
    for (const h of new Set([...a.keys(), ...b.keys()])) {
      const na = a.get(h)?.n ?? 0;
      const nb = b.get(h)?.n ?? 0;
      if (na > nb) left.push({ side: 'model', p: a.get(h)!.p, n: na - nb });
      if (nb > na) left.push({ side: 'kernel', p: b.get(h)!.p, n: nb - na });
    }
    for (const m of left.filter((x) => x.side === 'model' && x.p.slice(8, 24).every((v) => v === 0))) {
      const key = withoutSource(m.p);
      for (const kk of left.filter((x) => x.side === 'kernel' && x.p[8] === 0xfe && x.p[9] === 0x80 && key !== undefined && withoutSource(x.p) === key)) {
        const n = Math.min(m.n, kk.n);
        m.n -= n;
        kk.n -= n;
        races.n += n;
      }
    }
    for (const x of left) {
      if (!x.n) continue;
      const na = a.get(hex(maskNonce(x.p)))?.n ?? 0;
      const nb = b.get(hex(maskNonce(x.p)))?.n ?? 0;
      out.push({ host, what: `link-up on ${k}: ${describeLinkUp(x.p)}`, field: 'times sent', model: String(na), kernel: String(nb) });
    }
  }
  return out;
}
