// struct ipq (net/ipv4/ip_fragment.c) around struct inet_frag_queue (include/net/inet_frag.h),
// Linux v6.12: one datagram being reassembled.
import type { SkBuff } from '../core/skbuff';
import type { Task } from '../../sim/scheduler';

export type DefragUser = 'IP_DEFRAG_LOCAL_DELIVER' | 'IP_DEFRAG_CONNTRACK_IN' | 'IP_DEFRAG_CONNTRACK_OUT' | 'IP6_DEFRAG_LOCAL_DELIVER' | 'IP6_DEFRAG_CONNTRACK_IN' | 'IP6_DEFRAG_CONNTRACK_OUT';

/** a queued fragment: FRAG_CB(skb)->ip_defrag_offset and where its data ends (after `end & ~7`) */
export interface QueuedFrag {
  offset: number;
  end: number;
  skb: SkBuff;
}

export interface FragQueue {
  /** "saddr daddr id protocol user" (struct frag_v4_compare_key) */
  key: string;
  user: DefragUser;
  /** the fragments by offset (the rb-tree, its runs flattened) */
  frags: QueuedFrag[];
  /**
   * the runs of the rb-tree: fragments appended at the tail's end (fragrun_append_to_last)
   * extend the tail's run; any other insert starts a run. A duplicate is judged against a run.
   */
  runs: { offset: number; end: number }[];
  /** the run the last fragment at the highest end belongs to (q->last_run_head), and that fragment's end */
  tailRun: { offset: number; end: number } | null;
  /** the datagram's length once the last fragment (MF clear) has come, else the furthest end seen */
  len: number;
  /** bytes received so far (meat) */
  meat: number;
  /** INET_FRAG_FIRST_IN, INET_FRAG_LAST_IN, INET_FRAG_COMPLETE */
  firstIn: boolean;
  lastIn: boolean;
  complete: boolean;
  /** what the queue holds against ipfrag_high_thresh: sizeof(struct ipq) + each fragment's truesize */
  mem: number;
  timer: Task | null;
  /** the largest fragment (IP header + data), and the largest with DF set (max_df_size) */
  maxSize: number;
  maxDfSize: number;
  /** ifindex of the device the last fragment came in on (qp->iif) */
  iif: number;
  /** the first packet id seen, parent of the reassembled datagram */
  firstPkt: number;
  /** the family's fqdir the queue lives in (q->fqdir); absent: IPv4's */
  dir?: Fqdir;
  /** IPv6 (struct frag_queue): the offset of the next-header byte that points at the fragment header (nhoffset) */
  nhoffset?: number;
  /** IPv6: the ECN bits seen, as ip6_frag_ecn's bit set (fq->ecn) */
  ecn?: number;
}

/**
 * struct fqdir with its struct inet_frags: one family's queues and the memory they hold, its
 * limit and timeout sysctls, and the size of its queue struct. IPv4 keeps its queues on the
 * namespace (net.fragQueues, net.fragMem); IPv6 has its own (net->ipv6.fqdir).
 */
export interface Fqdir {
  readonly queues: Map<string, FragQueue>;
  mem: number;
  readonly highThresh: string;
  readonly timeout: string;
  /** sizeof(struct ipq) or sizeof(struct frag_queue): charged for every queue (f->qsize) */
  readonly qsize: number;
}
