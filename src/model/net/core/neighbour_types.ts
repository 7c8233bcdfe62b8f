// struct neighbour (include/net/neighbour.h): the ARP cache entry of one next hop on one device.
import type { NetDevice } from './netdevice';
import type { SkBuff } from './skbuff';
import type { Task } from '../../sim/scheduler';

export type NudState =
  | 'NUD_NONE'
  | 'NUD_INCOMPLETE'
  | 'NUD_REACHABLE'
  | 'NUD_STALE'
  | 'NUD_DELAY'
  | 'NUD_PROBE'
  | 'NUD_FAILED'
  | 'NUD_NOARP'
  | 'NUD_PERMANENT';

/**
 * neigh->ops and the table's own parts for an entry of nd_tbl (IPv6 neighbour discovery); an
 * arp_tbl entry has none. The state machine in neighbour.c is the same for both (v6.12).
 */
export interface NeighOps {
  /** primary_key of an nd_tbl entry: the IPv6 address */
  key6: Uint8Array;
  text: string;
  /** tbl->protocol as the link-layer header carries it */
  protocol: number;
  /** the parameters of nd_tbl (its defaults; the model has no net.ipv6.neigh sysctls) */
  parm(p: 'mcast_solicit' | 'ucast_solicit' | 'app_solicit' | 'retrans_time_ms' | 'unres_qlen_bytes' | 'base_reachable_time_ms'): number;
  solicit(n: Neighbour, skb: SkBuff | null): void;
  error_report(n: Neighbour, skb: SkBuff): void;
}

export interface Neighbour {
  /** primary_key: the next hop's IPv4 address (0 for an nd_tbl entry, whose key is ops.key6) */
  key: number;
  ops?: NeighOps;
  dev: NetDevice;
  state: NudState;
  /** ha: the link-layer address once known */
  ha: string | null;
  /** packets waiting for resolution (arp_queue), bounded by unres_qlen_bytes */
  arpQueue: SkBuff[];
  arpQueueBytes: number;
  probes: number;
  timer: Task | null;
  confirmed: number;
  updated: number;
}

/** NUD_VALID: an entry whose address can be used */
export const nudValid = (s: NudState): boolean =>
  s === 'NUD_PERMANENT' || s === 'NUD_NOARP' || s === 'NUD_REACHABLE' || s === 'NUD_PROBE' || s === 'NUD_STALE' || s === 'NUD_DELAY';

/** NUD_CONNECTED: usable without further confirmation */
export const nudConnected = (s: NudState): boolean => s === 'NUD_PERMANENT' || s === 'NUD_NOARP' || s === 'NUD_REACHABLE';
