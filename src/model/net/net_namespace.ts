// struct net: one host of the scenario, a network namespace with its own devices, routes,
// neighbours, sysctls, counters and sockets (include/net/net_namespace.h).
import { NetDevice, type DevKind } from './core/netdevice';
import { qdiscFor } from './sched/sch_generic';
import { Fib, type FibRoute } from './ipv4/fib';
import type { Neighbour } from './core/neighbour_types';
import type { SkBuff } from './core/skbuff';
import type { World } from '../world';
import type { Layer, Fate } from '../trace';
import type { StepExtra } from '../sim/recorder';
import type { Task } from '../sim/scheduler';
import type { SockTables } from './ipv4/sock_types';
import type { FragQueue } from './ipv4/ip_fragment_types';
import type { NetfilterEngine } from './netfilter/core';

export class SysctlError extends Error {}

/** Per-device IPv4 settings (IPV4_DEVCONF_*) that the model reads, with a fresh netns's values. */
export const DEVCONF_DEFAULTS: Record<string, number> = {
  forwarding: 0,
  rp_filter: 0,
  accept_redirects: 1,
  send_redirects: 1,
  secure_redirects: 1,
  shared_media: 1,
  accept_local: 0,
  route_localnet: 0,
  log_martians: 0,
  arp_ignore: 0,
  arp_announce: 0,
  arp_filter: 0,
  arp_accept: 0,
  proxy_arp: 0,
  bc_forwarding: 0,
  drop_unicast_in_l2_multicast: 0,
  src_valid_mark: 0,
};

/** Namespace-wide sysctls the model reads, with a fresh netns's values (v6.12). */
export const NET_SYSCTL_DEFAULTS: Record<string, number> = {
  'net.ipv4.ip_forward': 0,
  'net.ipv4.ip_default_ttl': 64,
  'net.ipv4.ip_no_pmtu_disc': 0,
  'net.ipv4.icmp_ratelimit': 1000,
  'net.ipv4.icmp_ratemask': 0x1818,
  'net.ipv4.icmp_msgs_per_sec': 1000,
  'net.ipv4.icmp_msgs_burst': 50,
  'net.ipv4.icmp_echo_ignore_all': 0,
  'net.ipv4.icmp_echo_ignore_broadcasts': 1,
  'net.ipv4.icmp_ignore_bogus_error_responses': 1,
  /** IP4_REPLY_MARK: ICMP replies and errors (and TCP resets) carry the packet's mark when 1 */
  'net.ipv4.fwmark_reflect': 0,
  'net.ipv4.ip_early_demux': 1,
  'net.ipv4.ipfrag_high_thresh': 4194304,
  'net.ipv4.ipfrag_low_thresh': 3145728,
  'net.ipv4.ipfrag_time': 30,
  'net.ipv4.ipfrag_max_dist': 64,
  'net.ipv4.tcp_syn_retries': 6,
  /** tcp_sk_init (v6.5+): the first N SYN timeouts keep the RTO instead of doubling it */
  'net.ipv4.tcp_syn_linear_timeouts': 4,
  'net.ipv4.tcp_synack_retries': 5,
  'net.ipv4.tcp_timestamps': 1,
  'net.ipv4.tcp_sack': 1,
  'net.ipv4.tcp_window_scaling': 1,
  'net.ipv4.tcp_syncookies': 1,
  'net.ipv4.tcp_rmem_default': 131072,
  'net.ipv4.udp_early_demux': 1,
  'net.ipv4.tcp_early_demux': 1,
  'net.core.netdev_budget': 300,
  'net.core.netdev_max_backlog': 1000,
  'net.core.dev_weight': 64,
  'net.core.rmem_default': 212992,
  'net.core.rmem_max': 212992,
  'net.ipv4.neigh.default.mcast_solicit': 3,
  'net.ipv4.neigh.default.ucast_solicit': 3,
  'net.ipv4.neigh.default.app_solicit': 0,
  'net.ipv4.neigh.default.retrans_time_ms': 1000,
  'net.ipv4.neigh.default.unres_qlen_bytes': 212992,
  'net.ipv4.neigh.default.base_reachable_time_ms': 30000,
};

export class Net {
  readonly devices = new Map<string, NetDevice>();
  readonly fib = new Fib();
  /** arp_tbl entries: key "ifindex/ip" */
  readonly neigh = new Map<string, Neighbour>();
  readonly sysctl = new Map<string, number>();
  /** nstat counters since the start of the run */
  readonly mib = new Map<string, number>();
  sock: SockTables = { udp: [], tcp: [], raw: [], nextEphemeral: 32768 };
  /** the rule engine of issue 3, when the scenario has rules */
  nf: NetfilterEngine | null = null;
  readonly fragQueues = new Map<string, FragQueue>();
  fragMem = 0;
  /** per-CPU softnet_data of the one CPU: the backlog and the NAPI poll list */
  readonly backlog: SkBuff[] = [];
  readonly pollList: NetDevice[] = [];
  backlogScheduled = false;
  softirqPending: Task | null = null;
  /** icmp_global: the token bucket of icmp_msgs_per_sec */
  icmpGlobal = { credit: 50, stamp: 0 };
  /** inet_peer rate-limit state per destination (icmpv4_xrlim_allow) */
  readonly peers = new Map<number, { rateTokens: number; rateLast: number }>();
  /** ip_idents: a deterministic IP ID generator per destination */
  readonly ipIdents = new Map<string, number>();
  /** route exceptions learnt from ICMP fragmentation needed: destination → path MTU */
  readonly pmtu = new Map<number, number>();
  /** next-hop exceptions from accepted ICMP redirects: destination → new gateway on that route's next hop */
  readonly fnhe = new Map<number, { route: FibRoute; gw: number }>();
  private nextIfindex = 1;
  /** seeded from the host name: the few random choices the kernel makes are repeatable here */
  private rng: number;
  readonly lo: NetDevice;

  constructor(
    readonly name: string,
    readonly w: World,
  ) {
    for (const [key, v] of Object.entries(NET_SYSCTL_DEFAULTS)) this.sysctl.set(key, v);
    for (const scope of ['all', 'default']) {
      for (const [key, v] of Object.entries(DEVCONF_DEFAULTS)) this.sysctl.set(`net.ipv4.conf.${scope}.${key}`, v);
    }
    this.lo = this.addDevice('lo', '00:00:00:00:00:00', 'loopback', 65536, 1000);
    let h = 2166136261;
    for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    this.rng = h || 1;
  }

  /** xorshift32: a deterministic stand-in for get_random_u32_below */
  randBelow(n: number): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng % n;
  }

  addDevice(name: string, mac: string, kind: DevKind, mtu: number, txqlen: number): NetDevice {
    const dev = new NetDevice(this, name, this.nextIfindex++, mac, kind, mtu, txqlen);
    dev.qdisc = qdiscFor('noqueue', txqlen);
    this.devices.set(name, dev);
    for (const [key] of Object.entries(DEVCONF_DEFAULTS)) {
      this.sysctl.set(`net.ipv4.conf.${name}.${key}`, this.sysctl.get(`net.ipv4.conf.default.${key}`)!);
    }
    return dev;
  }

  devByIndex(ifindex: number): NetDevice | undefined {
    for (const d of this.devices.values()) if (d.ifindex === ifindex) return d;
    return undefined;
  }

  get(key: string): number {
    const v = this.sysctl.get(key);
    if (v === undefined) throw new SysctlError(`unknown sysctl ${key}`);
    return v;
  }

  /** IN_DEV_CONF_GET */
  devconf(dev: NetDevice, key: string): number {
    return this.get(`net.ipv4.conf.${dev.name}.${key}`);
  }

  /** IN_DEV_ORCONF: the device's value or the "all" one */
  devOrconf(dev: NetDevice, key: string): number {
    return this.devconf(dev, key) || this.get(`net.ipv4.conf.all.${key}`);
  }

  /** IN_DEV_MAXCONF (rp_filter, arp_ignore…): the larger of "all" and the device's */
  devMaxconf(dev: NetDevice, key: string): number {
    return Math.max(this.devconf(dev, key), this.get(`net.ipv4.conf.all.${key}`));
  }

  /** `sysctl -w`: forwarding switches propagate the way devinet_sysctl_forward makes them do. */
  setSysctl(key: string, value: number): void {
    if (!this.sysctl.has(key)) throw new SysctlError(`cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory`);
    this.sysctl.set(key, value);
    if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') {
      this.sysctl.set('net.ipv4.ip_forward', value);
      this.sysctl.set('net.ipv4.conf.all.forwarding', value);
      this.sysctl.set('net.ipv4.conf.default.forwarding', value);
      for (const d of this.devices.keys()) this.sysctl.set(`net.ipv4.conf.${d}.forwarding`, value);
    }
  }

  // --- recording helpers, bound to this host ---

  count(name: string, n = 1): void {
    this.mib.set(name, (this.mib.get(name) ?? 0) + n);
    this.w.rec.count(this.name, name, n);
  }

  step(skb: SkBuff | null, layer: Layer, fn: string, file: string, what: string, extra?: StepExtra): void {
    this.w.rec.step(this.name, skb, layer, fn, file, what, extra);
  }

  /** kfree_skb_reason: the packet's journey ends here with a drop reason. */
  drop(skb: SkBuff, layer: Layer, fn: string, file: string, reason: string, what: string): void {
    this.step(skb, layer, fn, file, what, { drop: `SKB_DROP_REASON_${reason}` });
    this.w.rec.fate(skb.pkt, { kind: 'dropped', host: this.name, fn, reason: `SKB_DROP_REASON_${reason}` });
  }

  fate(skb: SkBuff, fate: Omit<Fate, 'host'>): void {
    this.w.rec.fate(skb.pkt, { ...fate, host: this.name });
  }

  call<T>(fn: string, body: () => T): T {
    return this.w.rec.call(fn, body);
  }
}
