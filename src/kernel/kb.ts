// The knowledge base of kernel symbols on the IPv4 path (issue 5): data from src/kernel/kb/*,
// built once into a Map, with a small typed API. Synchronous and allocation-light, because
// the hover provider calls it on every mouse move. No vscode, no fs.
import { ADDRCONF_KB } from './kb/addrconf';
import { DROP_REASONS } from './kb/dropreasons';
import { ICMP } from './kb/icmp';
import { ICMPV6_NDISC } from './kb/icmpv6_ndisc';
import { IPV4 } from './kb/ipv4';
import { IPV6 } from './kb/ipv6';
import { IPV6_TRANSPORT } from './kb/ipv6_transport';
import { NEIGHBOUR } from './kb/neighbour';
import { NETDEVICE } from './kb/netdevice';
import { NETFILTER } from './kb/netfilter';
import { NETFILTER6 } from './kb/netfilter6';
import { NAT } from './kb/nat';
import { SKBUFF } from './kb/skbuff';
import { SOCK } from './kb/sock';
import { TCP, UDP } from './kb/transport';
import type { KbEntry } from './kb/types';

export type { KbEntry, KbLayer, SymbolKind, KernelPath } from './kb/types';
export { MODEL_STEPS, MODEL_STEP_SET, KERNEL_PATHS } from './kb/steps';

/** The reference kernel the KB's files are named against. */
export const KB_KERNEL_VERSION = 'v6.12';

/** The IPv6 entries (issue 14): knowledge only, the model has no IPv6 path yet. */
export const IPV6_ENTRIES: readonly KbEntry[] = [...IPV6, ...ICMPV6_NDISC, ...ADDRCONF_KB, ...IPV6_TRANSPORT, ...NETFILTER6];

const ENTRIES: readonly KbEntry[] = [
  ...SKBUFF, ...NETDEVICE, ...NEIGHBOUR, ...IPV4, ...ICMP, ...UDP, ...TCP, ...SOCK, ...NETFILTER, ...NAT, ...DROP_REASONS,
  ...IPV6_ENTRIES,
];

const BY_NAME = new Map<string, KbEntry>();
for (const e of ENTRIES) {
  if (BY_NAME.has(e.name)) throw new Error(`kernel KB: duplicate entry ${e.name}`);
  BY_NAME.set(e.name, e);
}

/** Usual variable names in kernel code → the struct they point to, for `skb->len`-style lookups. */
export const VARIABLE_STRUCTS: Readonly<Record<string, string>> = {
  skb: 'sk_buff', nskb: 'sk_buff', frag: 'sk_buff', head: 'sk_buff',
  dev: 'net_device', ndev: 'net_device', netdev: 'net_device', peer: 'net_device', rcv: 'net_device', indev: 'net_device', outdev: 'net_device',
  ops: 'net_device_ops', netdev_ops: 'net_device_ops',
  napi: 'napi_struct', n: 'napi_struct', sd: 'softnet_data', pt: 'packet_type', ptype: 'packet_type',
  shinfo: 'skb_shared_info', eth: 'ethhdr', ethh: 'ethhdr',
  iph: 'iphdr', ip: 'iphdr', uh: 'udphdr', udph: 'udphdr', th: 'tcphdr', tcph: 'tcphdr', icmph: 'icmphdr', arp: 'arphdr',
  neigh: 'neighbour', rt: 'rtable', dst: 'dst_entry', fl4: 'flowi4', res: 'fib_result',
  sk: 'sock', inet: 'inet_sock', tp: 'tcp_sock',
  state: 'nf_hook_state', reg: 'nf_hook_ops', ct: 'nf_conn',
  ip6h: 'ipv6hdr', ipv6h: 'ipv6hdr', fhdr: 'frag_hdr', idev: 'inet6_dev', ifp: 'inet6_ifaddr', fl6: 'flowi6', f6i: 'fib6_info',
  np: 'ipv6_pinfo', cnf: 'ipv6_devconf', icmp6h: 'icmp6hdr', fq: 'frag_queue',
};

/** Accessor functions whose result is a pointer to a struct, for `ip_hdr(skb)->ttl`. */
export const ACCESSOR_STRUCTS: Readonly<Record<string, string>> = {
  ip_hdr: 'iphdr', udp_hdr: 'udphdr', tcp_hdr: 'tcphdr', icmp_hdr: 'icmphdr', eth_hdr: 'ethhdr', arp_hdr: 'arphdr',
  skb_dst: 'dst_entry', skb_rtable: 'rtable', skb_shinfo: 'skb_shared_info', inet_sk: 'inet_sock', tcp_sk: 'tcp_sock',
  udp_sk: 'udp_sock', inet_csk: 'inet_connection_sock', nf_ct_get: 'nf_conn', __in_dev_get_rcu: 'in_device',
  ipv6_hdr: 'ipv6hdr', icmp6_hdr: 'icmp6hdr', IP6CB: 'inet6_skb_parm', inet6_sk: 'ipv6_pinfo', __in6_dev_get: 'inet6_dev',
  in6_dev_get: 'inet6_dev', ip6_dst_idev: 'inet6_dev',
};

/** Structs that have a field of this name, for `x->field` with an unknown variable. */
const FIELD_OWNERS = new Map<string, string[]>();
for (const e of ENTRIES) {
  if (e.kind === 'field' && e.struct && e.field) {
    const list = FIELD_OWNERS.get(e.field) ?? [];
    list.push(e.struct);
    FIELD_OWNERS.set(e.field, list);
  }
}

/** Every entry, in data order. */
export function all(): readonly KbEntry[] {
  return ENTRIES;
}

/** The field `field` of `struct` (`sk_buff`, `struct sk_buff` or a variable name like `skb`). */
export function lookupField(struct: string, field: string): KbEntry | undefined {
  const s = struct.replace(/^struct\s+/, '').trim();
  return BY_NAME.get(`${s}.${field}`) ?? BY_NAME.get(`${VARIABLE_STRUCTS[s] ?? ''}.${field}`);
}

/**
 * An entry by name: `ip_forward`, `struct sk_buff`, `sk_buff.len`, `skb->len`, `dev->mtu`,
 * `skb.len`, `SKB_DROP_REASON_NO_SOCKET` (also the short `NO_SOCKET`-less forms are not
 * guessed). `x->field` with an unknown `x` resolves when exactly one struct has that field.
 */
export function lookup(name: string): KbEntry | undefined {
  const q = name.trim().replace(/^(struct|enum)\s+/, '');
  const direct = BY_NAME.get(q);
  if (direct) return direct;
  const m = /^([A-Za-z_]\w*)\s*(?:->|\.)\s*([A-Za-z_]\w*)$/.exec(q);
  if (m) {
    const f = lookupField(m[1], m[2]);
    if (f) return f;
    const owners = FIELD_OWNERS.get(m[2]);
    if (owners && owners.length === 1) return BY_NAME.get(`${owners[0]}.${m[2]}`);
  }
  return undefined;
}

/** The fields the KB knows for a struct. */
export function fieldsOf(struct: string): KbEntry[] {
  return ENTRIES.filter((e) => e.kind === 'field' && e.struct === struct);
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Names close to an unknown one: substring matches first, then small edit distances. */
export function suggest(name: string, max = 5): string[] {
  let q = name.trim().replace(/^(struct|enum)\s+/, '').replace('->', '.');
  const m = /^(\w+)\.(\w+)$/.exec(q);
  if (m && VARIABLE_STRUCTS[m[1]]) q = `${VARIABLE_STRUCTS[m[1]]}.${m[2]}`;
  q = q.toLowerCase();
  if (!q) return [];
  const scored: [number, string][] = [];
  for (const e of ENTRIES) {
    const n = e.name.toLowerCase();
    let score: number;
    if (n === q) continue;
    if (n.includes(q) || (q.length >= 4 && q.includes(n))) score = Math.abs(n.length - q.length) / 100;
    else {
      const d = distance(q, n);
      if (d > Math.max(2, Math.floor(q.length / 4))) continue;
      score = d;
    }
    scored.push([score, e.name]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map(([, n]) => n);
}
