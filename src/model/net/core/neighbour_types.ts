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

export interface Neighbour {
  /** primary_key: the next hop's IPv4 address */
  key: number;
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
