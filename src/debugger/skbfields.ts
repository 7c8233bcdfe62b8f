// The sk_buff fields the debugger shows, as text, and which changed since the packet's previous
// step (data/len moving on push/pull, TTL, addresses under NAT, ct state, mark…). Pure.

import type { SkbSnapshot } from '../trace/contract';
import type { Decoded } from './decode';

export interface FieldRow {
  /** the C expression a kernel hacker would write */
  name: string;
  value: string;
  /** the value at the packet's previous step, when it differs */
  was?: string;
}

const hdr = (v: number | null): string => (v === null ? '~0 (unset)' : String(v));

/** skb fields, then the packet header fields breakpoints can test. */
export const SKB_ROWS: { name: string; get: (s: SkbSnapshot, d: Decoded | undefined) => string }[] = [
  { name: 'len', get: (s) => String(s.len) },
  { name: 'data − head', get: (s) => String(s.data) },
  { name: 'tail', get: (s) => String(s.tail) },
  { name: 'end', get: (s) => String(s.end) },
  { name: 'headroom', get: (s) => String(s.headroom) },
  { name: 'tailroom', get: (s) => String(s.tailroom) },
  { name: 'protocol', get: (s) => `${s.protocolName} (0x${s.protocol.toString(16).padStart(4, '0')})` },
  { name: 'pkt_type', get: (s) => s.pkt_type },
  { name: 'dev', get: (s) => s.dev ?? 'NULL' },
  { name: 'skb_iif', get: (s) => String(s.iif) },
  { name: 'mark', get: (s) => `0x${s.mark.toString(16)}` },
  { name: 'mac_header', get: (s) => hdr(s.mac_header) },
  { name: 'network_header', get: (s) => hdr(s.network_header) },
  { name: 'transport_header', get: (s) => hdr(s.transport_header) },
  { name: 'ip_summed', get: (s) => s.ip_summed },
  { name: 'skb_dst', get: (s) => s.dst ?? 'NULL' },
  { name: '_nfct', get: (s) => s.ct ?? 'NULL' },
  { name: 'ip saddr → daddr', get: (_s, d) => (d && d.values.saddr !== undefined ? `${d.values.saddr} → ${d.values.daddr}` : '—') },
  { name: 'ip ttl', get: (_s, d) => (d && d.values.ttl !== undefined ? String(d.values.ttl) : '—') },
  { name: 'ports', get: (_s, d) => (d && d.values.sport !== undefined ? `${d.values.sport} → ${d.values.dport}` : '—') },
];

export function skbRows(s: SkbSnapshot, d: Decoded | undefined, prev?: SkbSnapshot, prevDecoded?: Decoded): FieldRow[] {
  return SKB_ROWS.map((r) => {
    const value = r.get(s, d);
    const row: FieldRow = { name: r.name, value };
    if (prev) {
      const was = r.get(prev, prevDecoded);
      if (was !== value) row.was = was;
    }
    return row;
  });
}

/** Byte offsets whose value differs from the previous snapshot (same buffer size only). */
export function changedBytes(a: Uint8Array, prev: Uint8Array | undefined): Set<number> {
  const out = new Set<number>();
  if (!prev || prev.length !== a.length) return out;
  for (let i = 0; i < a.length; i++) if (a[i] !== prev[i]) out.add(i);
  return out;
}
