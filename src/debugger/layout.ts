// Where things are in the packet debugger's layer picture, derived once per trace: the hosts
// and their devices, the links between them (inferred from frames that leave one host and
// arrive at another), the spot of every event (host, lane, the hook it sits at), each packet's
// events, and the turn a packet takes at a step. Pure data, no DOM: the webview draws it, the
// unit tests check it. It reads the trace's compact index (src/protocol.ts `TraceIndex`), which is
// all the webview has of events other than the current one.

import type { Layer, NfHookName, PacketInfo, Trace, TraceEvent } from '../trace/contract';
import { INDEX_FLAG, INDEX_LAYERS, type TraceIndex } from '../protocol';
import { eventCount, indexTrace, nameAt, packetLinks } from './traceIndex';

/** Spots inside a host box. `in` is the receive column, `out` the transmit column. */
export type Slot =
  | 'sock-in'
  | 'sock-out'
  | 'l4-in'
  | 'l4-out'
  | 'input'
  | 'route-in'
  | 'pre'
  | 'l3-in'
  | 'l2-in'
  | 'forward'
  | 'output'
  | 'route-out'
  | 'post'
  | 'l3-out'
  | 'l2-out';

export const HOST_W = 250;
export const HOST_GAP = 70;
export const HOST_H = 330;
export const HOST_TOP = 28;
const X_IN = 62;
const X_FWD = 125;
const X_OUT = 188;

/** Spot coordinates relative to the host box's top-left. */
export const SLOT_XY: Record<Slot, [number, number]> = {
  'sock-in': [X_IN, 38],
  'sock-out': [X_OUT, 38],
  'l4-in': [X_IN, 84],
  'l4-out': [X_OUT, 84],
  input: [X_IN, 128],
  output: [X_OUT, 128],
  'route-in': [X_IN, 172],
  'route-out': [X_OUT, 106],
  forward: [X_FWD, 172],
  pre: [X_IN, 212],
  post: [X_OUT, 212],
  'l3-in': [X_IN, 236],
  'l3-out': [X_OUT, 236],
  'l2-in': [X_IN, 270],
  'l2-out': [X_OUT, 270],
};

/** Lanes drawn across each host (y from, y to), top to bottom. */
export const LANES: { layer: Layer; label: string; y0: number; y1: number }[] = [
  { layer: 'socket', label: 'socket', y0: 20, y1: 60 },
  { layer: 'L4', label: 'L4', y0: 60, y1: 106 },
  { layer: 'L3', label: 'L3 · netfilter', y0: 106, y1: 250 },
  { layer: 'L2', label: 'L2', y0: 250, y1: 292 },
];
export const DEVICE_Y = 304;

/** Netfilter hooks drawn where they sit. */
export const HOOK_SLOTS: { hook: NfHookName; label: string; slot: Slot }[] = [
  { hook: 'NF_INET_PRE_ROUTING', label: 'PREROUTING', slot: 'pre' },
  { hook: 'NF_INET_LOCAL_IN', label: 'INPUT', slot: 'input' },
  { hook: 'NF_INET_FORWARD', label: 'FORWARD', slot: 'forward' },
  { hook: 'NF_INET_LOCAL_OUT', label: 'OUTPUT', slot: 'output' },
  { hook: 'NF_INET_POST_ROUTING', label: 'POSTROUTING', slot: 'post' },
];

const HOOK_TO_SLOT: Record<string, Slot> = Object.fromEntries(HOOK_SLOTS.map((h) => [h.hook, h.slot]));

const FN_SLOTS: Record<string, Slot> = {};
const put = (slot: Slot, fns: string): void => {
  for (const f of fns.split(/\s+/)) if (f) FN_SLOTS[f] = slot;
};
put('l2-in', 'eth_type_trans netif_rx __netif_rx netif_rx_internal enqueue_to_backlog process_backlog napi_gro_receive netif_receive_skb __netif_receive_skb __netif_receive_skb_core __netif_receive_skb_one_core net_rx_action napi_poll e1000_clean_rx_irq veth_poll br_handle_frame arp_rcv arp_process neigh_update packet_rcv');
put('l2-out', 'arp_create dev_queue_xmit __dev_queue_xmit dev_hard_start_xmit veth_xmit veth_forward_skb e1000_xmit_frame loopback_xmit sch_direct_xmit qdisc_run __qdisc_run pfifo_fast_enqueue arp_send_dst arp_xmit arp_solicit neigh_timer_handler');
put('l3-in', 'ip_rcv ip_rcv_core ip_list_rcv ip_defrag ip_frag_queue');
put('route-in', 'ip_rcv_finish ip_rcv_finish_core ip_route_input_noref ip_route_input_slow ip_route_input_rcu ip_mkroute_input __mkroute_input ip_route_input_mc fib_lookup fib_validate_source');
put('input', 'ip_local_deliver ip_local_deliver_finish ip_protocol_deliver_rcu');
put('forward', 'ip_forward ip_forward_finish ip_forward_options');
put('l4-in', 'icmp_rcv icmp_echo icmp_unreach icmp_timestamp udp_rcv __udp4_lib_rcv __udp4_lib_lookup_skb udp_unicast_rcv_skb tcp_v4_rcv tcp_v4_do_rcv tcp_rcv_state_process tcp_conn_request raw_local_deliver');
put('sock-in', 'raw_rcv raw_v4_input raw_rcv_skb ping_rcv ping_err ping_queue_rcv_skb udp_queue_rcv_skb __udp_queue_rcv_skb sock_queue_rcv_skb __sock_queue_rcv_skb tcp_rcv_established tcp_queue_rcv tcp_data_queue inet_csk_accept udp_recvmsg tcp_recvmsg');
put('sock-out', 'ping_v4_sendmsg udp_sendmsg tcp_sendmsg tcp_sendmsg_locked raw_sendmsg inet_sendmsg __sys_sendto __sys_connect tcp_v4_connect inet_stream_connect');
put('l4-out', 'udp_send_skb tcp_transmit_skb __tcp_transmit_skb tcp_write_xmit tcp_v4_send_reset tcp_v4_send_synack tcp_v4_send_ack icmp_reply ip_make_skb ip_append_data');
put('route-out', 'icmp_push_reply __icmp_send icmp_send ip_route_output_flow ip_route_output_key_hash ip_route_output_key __ip_make_skb ip_push_pending_frames ip_send_skb ip_queue_xmit __ip_queue_xmit ip_build_and_send_pkt ip_send_unicast_reply');
put('output', 'ip_local_out __ip_local_out');
put('l3-out', 'ip_output ip_finish_output ip_finish_output2 __ip_finish_output ip_fragment ip_do_fragment neigh_output neigh_resolve_output neigh_hh_output __neigh_event_send neigh_connected_output dst_output');

/** y offsets for functions at a hook's spot: ip_local_deliver below INPUT, ip_forward above FORWARD, ip_local_out above OUTPUT */
const FN_BESIDE_HOOK: Partial<Record<Slot, number>> = { input: 17, forward: -17, output: -15, pre: 17, post: -15 };

const LAYER_SLOTS: Record<Layer, [Slot, Slot]> = {
  socket: ['sock-in', 'sock-out'],
  L4: ['l4-in', 'l4-out'],
  L3: ['l3-in', 'l3-out'],
  L2: ['l2-in', 'l2-out'],
};

function outwardFn(fn: string): boolean {
  return /xmit|output|send|_out\b|_out_/.test(fn);
}

const SLOT_LAYER: Record<Slot, Layer> = {
  'sock-in': 'socket',
  'sock-out': 'socket',
  'l4-in': 'L4',
  'l4-out': 'L4',
  input: 'L3',
  output: 'L3',
  'route-in': 'L3',
  'route-out': 'L3',
  forward: 'L3',
  pre: 'L3',
  post: 'L3',
  'l3-in': 'L3',
  'l3-out': 'L3',
  'l2-in': 'L2',
  'l2-out': 'L2',
};
const OUT_SLOTS = new Set<Slot>(['sock-out', 'l4-out', 'output', 'route-out', 'post', 'l3-out', 'l2-out']);

/** The spot of one event inside its host, without looking at its neighbours. */
export function slotOf(e: TraceEvent): Slot {
  return slotFor(e.fn, e.layer, e.hook?.hook, e.skb?.pkt_type === 'PACKET_OUTGOING');
}

function slotFor(fn: string, layer: Layer, hook: string | undefined, outgoing: boolean): Slot {
  if (hook) {
    const s = HOOK_TO_SLOT[hook];
    if (s) return s;
  }
  const s = FN_SLOTS[fn];
  const [i, o] = LAYER_SLOTS[layer];
  // the trace's own layer wins: a function we place elsewhere goes to its layer's lane, same column
  if (s) return SLOT_LAYER[s] === layer ? s : OUT_SLOTS.has(s) ? o : i;
  return outgoing || outwardFn(fn) ? o : i;
}

export interface HostBox {
  name: string;
  x: number;
  /** devices seen on this host, in order of appearance, with their x (absolute) */
  devices: { name: string; x: number }[];
}

export interface Link {
  a: { host: string; dev: string };
  b: { host: string; dev: string };
}

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  hosts: HostBox[];
  links: Link[];
  width: number;
  height: number;
  /** the spots events are at: a host's slot and its point in the picture, each once */
  spots: { slot: Slot; point: Point }[];
  /** per event: its spot (into spots); numbers, so a 100,000-event layout is two typed arrays and no garbage */
  spotOf: Int32Array;
  /** per event: the previous event of the same packet, or -1 */
  prevOfPacket: Int32Array;
  /** per event: the next event of the same packet, or -1 */
  nextOfPacket: Int32Array;
  /** packet id → indices of its events, in order */
  eventsOfPacket: Map<number, number[]>;
  /** packet id → its info (fate, summary) */
  packetInfo: Map<number, PacketInfo>;
}

/** Drops and frees happen where the packet was: such an event keeps the previous spot. */
function keepsSpot(fn: string): boolean {
  return fn === 'kfree_skb_reason' || fn === 'kfree_skb' || fn === 'consume_skb' || fn === 'sk_skb_reason_drop';
}

/** The layout of a trace, from its index (a whole trace is indexed first). */
export function layoutTrace(t: Trace | TraceIndex): Layout {
  const ix = 'events' in t ? indexTrace(t) : t;
  const n = eventCount(ix);
  const str = ix.strings;
  const hostNames: string[] = [];
  const devs = new Map<string, string[]>();
  const seenHost = (h: string): void => {
    if (!devs.has(h)) {
      devs.set(h, []);
      hostNames.push(h);
    }
  };
  // the hosts and links as the run built them, when the trace has them; else inferred below
  const links: Link[] = [];
  const linkKey = new Set<string>();
  const addLink = (a: { host: string; dev: string }, b: { host: string; dev: string }): void => {
    const k1 = `${a.host}:${a.dev}|${b.host}:${b.dev}`;
    const k2 = `${b.host}:${b.dev}|${a.host}:${a.dev}`;
    if (linkKey.has(k1) || linkKey.has(k2)) return;
    linkKey.add(k1);
    links.push({ a, b });
  };
  for (const h of ix.hosts ?? []) {
    seenHost(h.name);
    const l = devs.get(h.name) as string[];
    for (const d of h.devices) {
      if (d.kind === 'loopback' || d.name === 'lo') continue;
      if (!l.includes(d.name)) l.push(d.name);
      const m = d.peer ? /^([^:]+):(.+)$/.exec(d.peer) : null;
      if (m) addLink({ host: h.name, dev: d.name }, { host: m[1], dev: m[2] });
    }
  }
  for (const p of ix.packets) seenHost(p.origin);
  // hosts and devices in order of appearance; a (host, dev) pair is looked at once
  const seenPair = new Set<number>();
  const S = str.length + 1;
  for (let i = 0; i < n; i++) {
    const hk = ix.host[i];
    const dk = ix.dev[i];
    const key = hk * S + (dk + 1);
    if (seenPair.has(key)) continue;
    seenPair.add(key);
    const h = str[hk];
    seenHost(h);
    const d = dk >= 0 ? str[dk] : undefined;
    if (d && d !== 'lo') {
      const l = devs.get(h) as string[];
      if (!l.includes(d)) l.push(d);
    }
  }
  const { prev: prevOfPacket, next: nextOfPacket, of: eventsOfPacket } = packetLinks(ix.packet);
  // links: a frame leaves host A on dev X (last event there) and next shows on host B on dev Y
  if (!ix.hosts) {
    for (let i = 0; i < n; i++) {
      const p = prevOfPacket[i];
      if (p >= 0 && ix.host[p] !== ix.host[i] && ix.dev[p] >= 0 && ix.dev[i] >= 0) addLink({ host: str[ix.host[p]], dev: str[ix.dev[p]] }, { host: str[ix.host[i]], dev: str[ix.dev[i]] });
    }
  }
  // order hosts along the links (a chain client – router – server reads left to right)
  const order = orderHosts(hostNames, links);
  const hosts: HostBox[] = order.map((name, k) => {
    const x = k * (HOST_W + HOST_GAP);
    const ds = devs.get(name) ?? [];
    // devices linked to the host on the left sit left, to the right sit right
    const side = (d: string): number => {
      for (const l of links) {
        const [me, other] = l.a.host === name && l.a.dev === d ? [l.a, l.b] : l.b.host === name && l.b.dev === d ? [l.b, l.a] : [null, null];
        if (me && other) return order.indexOf(other.host) < k ? -1 : 1;
      }
      return 0;
    };
    const sorted = [...ds].sort((p, q) => side(p) - side(q));
    const step = HOST_W / (sorted.length + 1);
    return { name, x, devices: sorted.map((d, i) => ({ name: d, x: x + step * (i + 1) })) };
  });
  const hostX = new Map(hosts.map((h) => [h.name, h.x]));
  // per name: whether it is a free that keeps the spot; per event the spot from a few numbers,
  // and one shared point object per (host, spot, beside a hook) rather than one per event
  const keeps = str.map(keepsSpot);
  const slotMemo = new Map<number, Slot>();
  const slotNo = new Map<Slot, number>(Object.keys(SLOT_XY).map((k, i) => [k as Slot, i]));
  const spotNo = new Map<number, number>();
  const spots: { slot: Slot; point: Point }[] = [];
  const spotOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = prevOfPacket[i];
    const keep = keeps[ix.fn[i]] && p >= 0 && ix.host[p] === ix.host[i];
    if (keep) {
      spotOf[i] = spotOf[p];
      continue;
    }
    const hk = ix.hook[i];
    const out = (ix.flags[i] & INDEX_FLAG.outgoing) !== 0;
    const memoKey = ((ix.fn[i] * 4 + ix.layer[i]) * (S + 1) + (hk + 1)) * 2 + (out ? 1 : 0);
    let sl = slotMemo.get(memoKey);
    if (sl === undefined) {
      sl = slotFor(str[ix.fn[i]], INDEX_LAYERS[ix.layer[i]], hk >= 0 ? str[hk] : undefined, out);
      slotMemo.set(memoKey, sl);
    }
    // a function (not the hook itself) that sits at a hook's spot is drawn just before the hook
    const dy = hk >= 0 ? 0 : (FN_BESIDE_HOOK[sl] ?? 0);
    const pk = (ix.host[i] * 32 + (slotNo.get(sl) as number)) * 2 + (hk >= 0 ? 1 : 0);
    let k = spotNo.get(pk);
    if (k === undefined) {
      const [sx, sy] = SLOT_XY[sl];
      k = spots.length;
      spots.push({ slot: sl, point: { x: (hostX.get(str[ix.host[i]]) ?? 0) + sx, y: HOST_TOP + sy + dy } });
      spotNo.set(pk, k);
    }
    spotOf[i] = k;
  }
  const width = Math.max(HOST_W, hosts.length * (HOST_W + HOST_GAP) - HOST_GAP);
  const packetInfo = new Map(ix.packets.map((p) => [p.id, p]));
  return { hosts, links, width, height: HOST_TOP + HOST_H, spots, spotOf, prevOfPacket, nextOfPacket, eventsOfPacket, packetInfo };
}

/** Event i's slot in its host. */
export const slotAt = (layout: Layout, i: number): Slot => layout.spots[layout.spotOf[i]].slot;

/** Event i's point in the picture. */
export const pointAt = (layout: Layout, i: number): Point => layout.spots[layout.spotOf[i]].point;

function orderHosts(names: string[], links: Link[]): string[] {
  if (names.length <= 2) return names;
  const adj = new Map<string, string[]>(names.map((h) => [h, []]));
  for (const l of links) {
    adj.get(l.a.host)?.push(l.b.host);
    adj.get(l.b.host)?.push(l.a.host);
  }
  // start from an end of the chain (a host with one neighbour), the first such in appearance order
  const start = names.find((h) => (adj.get(h) ?? []).length === 1) ?? names[0];
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (h: string): void => {
    if (seen.has(h)) return;
    seen.add(h);
    out.push(h);
    for (const m of adj.get(h) ?? []) visit(m);
  };
  visit(start);
  for (const h of names) visit(h);
  return out;
}

/** The points of a packet's path up to and including event `index` (crossing links via the devices). */
export function pathTo(layout: Layout, ix: TraceIndex, index: number): Point[] {
  const list = layout.eventsOfPacket.get(ix.packet[index]) ?? [];
  const pts: Point[] = [];
  const devPoint = (host: string, dev: string | undefined): Point | undefined => {
    const h = layout.hosts.find((x) => x.name === host);
    const d = h?.devices.find((x) => x.name === dev);
    return d ? { x: d.x, y: HOST_TOP + DEVICE_Y } : undefined;
  };
  let prev = -1;
  for (const i of list) {
    if (i > index) break;
    if (prev >= 0 && ix.host[prev] !== ix.host[i]) {
      const a = devPoint(ix.strings[ix.host[prev]], nameAt(ix, 'dev', prev));
      const b = devPoint(ix.strings[ix.host[i]], nameAt(ix, 'dev', i));
      // no known wire between them (an event without an skb): the path starts again here
      if (a && b) pts.push(a, b);
      else pts.length = 0;
    }
    pts.push(pointAt(layout, i));
    prev = i;
  }
  return pts;
}

const SLOT_RANK: Record<Slot, number> = {
  'sock-in': 0,
  'sock-out': 0,
  'l4-in': 1,
  'l4-out': 1,
  input: 2,
  output: 2,
  'route-out': 2,
  'route-in': 3,
  forward: 3,
  pre: 4,
  post: 4,
  'l3-in': 5,
  'l3-out': 5,
  'l2-in': 6,
  'l2-out': 6,
};

const SLOT_WORDS: Record<Slot, string> = {
  'sock-in': 'a socket',
  'sock-out': 'the socket layer',
  'l4-in': 'L4',
  'l4-out': 'L4',
  input: 'INPUT',
  output: 'OUTPUT',
  'route-in': 'routing',
  'route-out': 'routing',
  forward: 'FORWARD',
  pre: 'PREROUTING',
  post: 'POSTROUTING',
  'l3-in': 'L3',
  'l3-out': 'L3',
  'l2-in': 'L2',
  'l2-out': 'L2',
};

/** The turn the packet takes after this event, in a few words with an arrow. */
export function turnAt(layout: Layout, ix: TraceIndex, index: number): string {
  const drop = nameAt(ix, 'drop', index);
  if (drop) return `✕ dropped: ${drop.replace(/^SKB_DROP_REASON_/, '')}`;
  const next = layout.nextOfPacket[index];
  const nd = next >= 0 ? nameAt(ix, 'drop', next) : undefined;
  if (nd) return `✕ about to be dropped (${nd.replace(/^SKB_DROP_REASON_/, '')})`;
  if (next < 0) {
    const f = layout.packetInfo.get(ix.packet[index])?.fate;
    if (!f) return '■ last event';
    if (f.kind === 'delivered') return `■ delivered${f.detail ? `: ${f.detail}` : ''}`;
    if (f.kind === 'consumed') return `■ consumed${f.detail ? `: ${f.detail}` : ''}`;
    if (f.kind === 'dropped') return `✕ dropped at ${f.fn}`;
    if (f.kind === 'transmitted') return '→ out of the scenario';
    return '… pending when the run ended';
  }
  if (ix.host[next] !== ix.host[index]) {
    const dev = nameAt(ix, 'dev', next);
    return `→ over the wire to ${ix.strings[ix.host[next]]}${dev ? `:${dev}` : ''}`;
  }
  const a = slotAt(layout, index);
  const b = slotAt(layout, next);
  const gap = next - index - 1;
  if (a === b) {
    if (ix.hook[next] >= 0 && ix.hook[index] < 0) return `→ through the ${SLOT_WORDS[b]} hook`;
    return gap > 0 ? `⏸ waits at ${SLOT_WORDS[b]} while ${gap} other event${gap === 1 ? '' : 's'} happen` : `· stays at ${SLOT_WORDS[b]}`;
  }
  if (b === 'forward') return '→ across to FORWARD';
  if (a === 'forward') return `↘ down to ${SLOT_WORDS[b]}`;
  const ra = SLOT_RANK[a];
  const rb = SLOT_RANK[b];
  if (rb < ra) return `↑ up to ${SLOT_WORDS[b]}`;
  if (rb > ra) return INDEX_LAYERS[ix.layer[next]] === 'L2' && INDEX_LAYERS[ix.layer[index]] !== 'L2' ? `↓ down to ${nameAt(ix, 'dev', next) ?? 'the device'}` : `↓ down to ${SLOT_WORDS[b]}`;
  return `→ on to ${SLOT_WORDS[b]}`;
}
