// The trace contract (docs/architecture.md "Run to completion, record, then step").
// Everything that steps — the CLI, the packet debugger, exercises — reads these types only.
// Plain data (JSON-safe) so the same object crosses to the webview and into `--json` output.
// Its own part, not the model's: the model writes a trace and everything else reads one, so the
// readers (the webview above all) never depend on model code, whichever family made the trace.

/** The reference kernel every `fn`/`file` in a trace is named against. */
export const REFERENCE_KERNEL = 'v6.12';

export type Layer = 'L2' | 'L3' | 'L4' | 'socket';

export type PktType = 'PACKET_HOST' | 'PACKET_BROADCAST' | 'PACKET_MULTICAST' | 'PACKET_OTHERHOST' | 'PACKET_OUTGOING' | 'PACKET_LOOPBACK';

export type IpSummed = 'CHECKSUM_NONE' | 'CHECKSUM_UNNECESSARY' | 'CHECKSUM_COMPLETE' | 'CHECKSUM_PARTIAL';

/** The sk_buff as it is after a step. Offsets count from `head` (0), as skb->data - skb->head. */
export interface SkbSnapshot {
  len: number;
  /** offset of skb->data from skb->head */
  data: number;
  tail: number;
  end: number;
  headroom: number;
  tailroom: number;
  /** ETH_P_* value of skb->protocol, and its name (ETH_P_IP, ETH_P_ARP…) */
  protocol: number;
  protocolName: string;
  pkt_type: PktType;
  /** skb->dev name, or null */
  dev: string | null;
  /** skb->skb_iif */
  iif: number;
  mark: number;
  /** header offsets from head; null when unset (the kernel's (u16)~0) */
  mac_header: number | null;
  network_header: number | null;
  transport_header: number | null;
  ip_summed: IpSummed;
  /** the route attached (skb_dst), described, e.g. "local 10.0.2.2 dev lo" */
  dst: string | null;
  /** conntrack info when there is one, e.g. "IP_CT_NEW" */
  ct: string | null;
  /**
   * The whole buffer head..end, lowercase hex; bytes outside data..tail are headroom/tailroom.
   * In a trace the model recorded it is an accessor that makes the hex from the recorder's byte
   * store on each read (it reads as a plain property: JSON, spread, structuredClone): read it
   * once where it is used, not in a loop.
   */
  bytes: string;
}

export type NfHookName = 'NF_INET_PRE_ROUTING' | 'NF_INET_LOCAL_IN' | 'NF_INET_FORWARD' | 'NF_INET_LOCAL_OUT' | 'NF_INET_POST_ROUTING';

export type NfVerdict = 'NF_ACCEPT' | 'NF_DROP' | 'NF_STOLEN' | 'NF_QUEUE' | 'NF_REPEAT';

/** Netfilter context of an event, where there is one. */
export interface HookContext {
  hook: NfHookName;
  /** "ip", "inet", "iptables"… */
  family?: string;
  table?: string;
  chain?: string;
  priority?: number;
  /** the rule as written, and its 1-based position in its chain */
  rule?: string;
  ruleIndex?: number;
  /** where the rule was written: the scenario line, or the line of a rules file */
  ruleAt?: { file: string; line: number; col: number };
  verdict?: NfVerdict | string;
}

export type FateKind =
  /** handed to a socket's receive queue */
  | 'delivered'
  | 'dropped'
  /** used up by the stack: an echo request answered, an ARP reply learnt, a SYN turned into a request sock, a fragment queued and merged */
  | 'consumed'
  /** sent out of an interface that has no peer in the scenario */
  | 'transmitted'
  /** still waiting when the run ended (e.g. queued on an unresolved neighbour) */
  | 'pending';

export interface Fate {
  kind: FateKind;
  host: string;
  fn: string;
  /** SKB_DROP_REASON_… for a drop */
  reason?: string;
  /** a short phrase: which socket, which queue */
  detail?: string;
}

export interface PacketInfo {
  id: number;
  /** the packet that made this one (the datagram an ICMP error is about, the packet an ARP request resolves for…) */
  parent: number | null;
  /** one line, tcpdump-like: "10.0.1.2 > 10.0.2.2: ICMP echo request, id 1, seq 1, ttl 1" */
  summary: string;
  /** the host where the packet was made (or where it came in from the wire) */
  origin: string;
  fate: Fate;
}

export interface TraceEvent {
  seq: number;
  /** simulated time in nanoseconds since the start of the run */
  time: number;
  host: string;
  /** the packet this step works on; 0 for a step about no packet (a neighbour timer) */
  packet: number;
  layer: Layer;
  /** kernel function modelled at this step, and its file in the reference kernel */
  fn: string;
  file: string;
  /** the kernel call path at this step, outermost first, ending with `fn` */
  stack: string[];
  /** one plain sentence: what happened and why */
  what: string;
  skb?: SkbSnapshot;
  hook?: HookContext;
  /** nstat counter deltas caused at this step */
  counters?: Record<string, number>;
  /**
   * SKB_DROP_REASON_… when an sk_buff of the packet is freed with kfree_skb_reason at this step.
   * Usually that ends the packet (its fate says so), but not always: the original of an echo
   * reply is freed in icmp_rcv (ping_rcv's NO_SOCKET) after ping's raw socket got a clone.
   */
  drop?: string;
  /**
   * What the function returns where it decides something, as the kernel names it: NET_RX_DROP,
   * NET_XMIT_DROP, NF_DROP, -EHOSTUNREACH, -ENOBUFS… (absent where the step decides nothing or
   * the model does not say). Additive: older traces have no `ret`.
   */
  ret?: string;
}

export interface SocketReport {
  host: string;
  proto: 'udp' | 'tcp';
  /** "10.0.2.2:53" or "0.0.0.0:80" */
  local: string;
  state?: string;
  /** what the socket's receive queue got, in order */
  received: { from: string; bytes: number; packet: number; data?: string }[];
  /** TCP: connections accepted from the listen queue */
  accepted?: string[];
}

/** A ping item's raw ICMP (or ICMPv6) socket: what ping took from it, in order, as it arrived. */
export interface PingSocketReport {
  host: string;
  /** the echo identifier of its echo requests */
  echoId: number;
  /** each message as the socket got it: its source address (after any NAT on the way back) and its kind */
  received: { from: string; what: string; packet: number }[];
}

/** A device as `ip -d link` and `ip addr` would show it at the end of the run. */
export interface DeviceInfo {
  name: string;
  ifindex: number;
  kind: 'loopback' | 'veth' | 'nic';
  mac: string;
  mtu: number;
  /** "<BROADCAST,MULTICAST,UP,LOWER_UP>" */
  flags: string;
  qdisc: string;
  txqueuelen: number;
  addrs: string[];
  /** the other end of the link: "router:eth0" */
  peer: string | null;
  stats: { rx_packets: number; tx_packets: number; rx_bytes: number; tx_bytes: number; rx_dropped: number; tx_dropped: number };
}

/** A host (network namespace) at the end of the run. */
export interface HostInfo {
  name: string;
  devices: DeviceInfo[];
  /** `ip route show table all`, roughly as iproute2 prints it */
  routes: string[];
  /** `ip neigh`: "10.0.1.1 dev eth0 lladdr 02:… REACHABLE" */
  neighbours: string[];
}

export interface Trace {
  scenario: string;
  kernel: string;
  /** the hosts, their devices and links, routes and neighbours (at the end of the run) */
  hosts?: HostInfo[];
  packets: PacketInfo[];
  events: TraceEvent[];
  /** host → nstat name → delta over the run */
  counters: Record<string, Record<string, number>>;
  sockets: SocketReport[];
  /** ping's sockets, one per ping item, in the order the items ran. Additive: older traces have none. */
  pingSockets?: PingSocketReport[];
  /** set when the run reached its budget (src/model/sim/budget.ts) and stopped early: which limit, and how to raise it */
  stopped?: { limit: string; message: string };
  /**
   * Set when the trace is a re-executed window (the run went at the fates level up to it, and
   * stopped after it): events start at traffic item `item` (0-based) and, in a capture, at frame
   * `fromFrame` (0-based), and end after frame `untilFrame` once the network settled. Packets,
   * fates and counters are the whole run's up to the window's end. Additive: absent on a whole run.
   */
  window?: { item: number; fromFrame?: number; untilFrame?: number };
}
