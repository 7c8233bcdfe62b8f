// struct ipq (net/ipv4/ip_fragment.c): one datagram being reassembled.
import type { SkBuff } from '../core/skbuff';
import type { Task } from '../../sim/scheduler';

export interface FragQueue {
  /** "saddr daddr id protocol user" */
  key: string;
  frags: { offset: number; end: number; skb: SkBuff }[];
  /** the datagram's length once the last fragment (MF clear) has come, else 0 */
  len: number;
  /** bytes received so far (meat) */
  meat: number;
  lastIn: boolean;
  firstIn: boolean;
  mem: number;
  timer: Task | null;
  maxSize: number;
  /** the first packet id seen, parent of the reassembled datagram */
  firstPkt: number;
}
