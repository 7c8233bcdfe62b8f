// The parsed scenario: what src/scenario/parse.ts produces from a YAML file and what
// src/scenario/build.ts applies to the model. Every node keeps where it came from, so that an
// error found while applying it (an unknown device, a gateway that is not reachable) can still
// name file, line and column.

export interface SourcePos {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

/** A word of a command line with where it stands. */
export interface Tok {
  text: string;
  pos: SourcePos;
}

export class ScenarioError extends Error {
  constructor(
    readonly detail: string,
    readonly pos: SourcePos,
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${detail}`);
    this.name = 'ScenarioError';
  }
}

/** Several errors at once: a parse reports all it finds, not only the first. */
export class ScenarioErrors extends Error {
  constructor(readonly errors: ScenarioError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ScenarioErrors';
  }
}

export interface Prefix {
  /** dotted quad of the network address as written (host bits may be set for `ip addr`) */
  addr: string;
  plen: number;
}

export type RouteType = 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';

export type SetupCommand =
  | { kind: 'addr-add'; pos: SourcePos; addr: string; plen: number; dev: Tok; broadcast?: string; scope?: string }
  | { kind: 'addr-del'; pos: SourcePos; addr: string; plen: number; dev: Tok }
  | {
      kind: 'link-set';
      pos: SourcePos;
      dev: Tok;
      up?: boolean;
      mtu?: number;
      address?: string;
      txqueuelen?: number;
      promisc?: boolean;
      arp?: boolean;
    }
  | {
      kind: 'route-add' | 'route-del' | 'route-replace';
      pos: SourcePos;
      type: RouteType;
      /** `default` is 0.0.0.0/0 */
      dst: Prefix;
      via?: Tok;
      dev?: Tok;
      src?: Tok;
      metric?: number;
      /** table id: main 254, local 255, or a number */
      table?: number;
      scope?: string;
      proto?: string;
      mtu?: number;
      /** `mtu lock N`: RTAX_LOCK for the MTU (no path MTU discovery on this route) */
      mtuLock?: boolean;
    }
  | { kind: 'rule-add' | 'rule-del'; pos: SourcePos; priority?: number; from?: Prefix; to?: Prefix; fwmark?: { value: number; mask: number }; iif?: Tok; oif?: Tok; table?: number; action: 'lookup' | 'blackhole' | 'unreachable' | 'prohibit' }
  | { kind: 'neigh-add' | 'neigh-replace' | 'neigh-del'; pos: SourcePos; addr: string; lladdr?: string; dev: Tok; nud: 'permanent' | 'reachable' | 'stale' | 'noarp' }
  /** `ip -6 address add|del ADDR/PLEN dev IF [nodad]`: without nodad the address goes through DAD */
  | { kind: 'addr6'; op: 'add' | 'del'; pos: SourcePos; addr: string; plen: number; dev: Tok; nodad: boolean }
  /** `ip -6 route add|replace|del [TYPE] PREFIX [via GW] [dev IF] [metric N] [mtu N]` (main table) */
  | { kind: 'route6'; op: 'add' | 'del' | 'replace'; pos: SourcePos; type: string; dst: { addr: string; plen: number }; via?: Tok; dev?: Tok; metric?: number; mtu?: number }
  /** `ip -6 neigh add|replace|del ADDR [lladdr MAC] dev IF [nud STATE]` */
  | { kind: 'neigh6'; op: 'add' | 'del' | 'replace'; pos: SourcePos; addr: string; lladdr?: string; dev: Tok; nud: string }
  /** `sysctl -w KEY=VALUE`; key normalised to dots (net.ipv4.ip_forward) */
  | { kind: 'sysctl'; pos: SourcePos; key: Tok; value: Tok }
  /** `nft …` and `iptables …` lines, passed through as words for the netfilter layer */
  | { kind: 'nft' | 'iptables'; pos: SourcePos; words: Tok[]; line: string };

export interface HostSpec {
  name: string;
  pos: SourcePos;
  setup: SetupCommand[];
  /** each setup line as a shell would run it (words unquoted, continuations joined): replayed verbatim on a real kernel */
  script?: { argv: string[]; text: string; pos: SourcePos }[];
}

export interface LinkEnd {
  host: Tok;
  ifname: Tok;
}

export interface LinkSpec {
  pos: SourcePos;
  a: LinkEnd;
  b: LinkEnd;
  kind: 'veth' | 'nic';
}

export interface ListenSpec {
  pos: SourcePos;
  host: Tok;
  proto: 'udp' | 'tcp';
  /** bind address, 0.0.0.0 when not given */
  addr: string;
  port: number;
  /** SO_RCVBUF in bytes (UDP receive-buffer-full scenarios) */
  rcvbuf?: number;
  /** UDP: connect() the socket to this peer */
  connect?: { addr: string; port: number };
}

export interface IpOptions {
  ttl?: number;
  /** IP datagram total length in bytes */
  size?: number;
  /** true: DF set; false: DF clear; undefined: the tool's default */
  df?: boolean;
  tos?: number;
  id?: number;
}

/** Traffic made by a socket or a tool on a host: goes down the real TX path. */
export type LocalSend =
  | ({ proto: 'icmp'; type: 'echo-request'; to: Tok; count: number } & IpOptions)
  | ({ proto: 'udp'; to: Tok; dport: number; sport?: number; payload?: string; /** SO_BROADCAST */ broadcast?: boolean } & IpOptions & Repeat)
  | ({ proto: 'tcp'; to: Tok; dport: number; sport?: number; /** bytes written after the handshake */ data?: number } & IpOptions & Repeat);

/** `count N [rate R]`: N datagrams or connections; without a rate each once the network has settled, with one R per second of simulated time. */
export interface Repeat {
  count?: number;
  rate?: number;
}

/** A frame that arrives from the wire on HOST:IF, built byte by byte. */
export interface WireSend extends IpOptions {
  proto: 'udp' | 'tcp' | 'icmp';
  src: Tok;
  dst: Tok;
  sport?: number;
  dport?: number;
  /** tcp: flags like "S", "SA", "A", "R"; icmp: "echo-request" … */
  flags?: string;
  /** tcp: the sequence number, acknowledgment number and window of the header (defaults 1000, 1 with ACK or 0, 64240) */
  seq?: number;
  ack?: number;
  window?: number;
  icmpType?: string;
  badIpChecksum?: boolean;
  badL4Checksum?: boolean;
  /** fragment: offset in bytes (multiple of 8) and the MF bit */
  frag?: { offset: number; more: boolean };
  /** destination MAC of the frame; default: the receiving interface's own */
  dstMac?: string;
  srcMac?: string;
  /** IP header fields forced to a wrong value, to exercise ip_rcv_core's checks */
  version?: number;
  ihl?: number;
  /** cut the frame to this many bytes of IP datagram (tot_len stays as computed) */
  truncate?: number;
  payload?: string;
  /** an IPv6 frame (src/scenario/wire6.ts): `ttl` is its hop limit, `tos` its traffic class, `id` the Fragment header's identification */
  v6?: boolean;
  /** IPv6 extension headers before the Fragment header, in order */
  ext?: import('../model/net/packet/frame6').Ext6[];
  /** IPv6: the next header the last header names instead of the upper layer's */
  nextHeader?: number;
}

/**
 * `at: +DURATION`: the item starts that long (simulated ns) after the previous item started,
 * without waiting for the network to settle in between (so fragments can meet in one queue).
 * Absent: the item starts once the network has settled after the previous one.
 */
export interface Timed {
  at?: number;
}

export type TrafficItem =
  | ({ kind: 'local'; pos: SourcePos; from: Tok; send: LocalSend; raw: string } & Timed)
  | ({ kind: 'wire'; pos: SourcePos; host: Tok; ifname: Tok; send: WireSend; raw: string } & Timed)
  /** let simulated time pass (timers: ARP probes, reassembly timeout) */
  | { kind: 'wait'; pos: SourcePos; ns: number }
  /** a capture's frames arriving from the wire on HOST:IF (src/scenario/pcapItem.ts) */
  | PcapItem;

export interface PcapItem {
  kind: 'pcap';
  pos: SourcePos;
  /** the capture file as written, relative to the scenario's folder */
  file: Tok;
  host: Tok;
  ifname: Tok;
  /** asis: each frame at its captured time after the first; max: each once the network has settled after the one before */
  timing: 'asis' | 'max';
  /** a capture keeps its own timing; `at:` is not taken here */
  at?: undefined;
}

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  hosts: HostSpec[];
  links: LinkSpec[];
  listen: ListenSpec[];
  traffic: TrafficItem[];
}
