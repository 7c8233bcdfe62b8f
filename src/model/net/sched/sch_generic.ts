// Queueing disciplines (net/sched/sch_generic.c): what a device really has by default —
// noqueue on veth and loopback (IFF_NO_QUEUE), pfifo_fast with tx_queue_len packets on a NIC.
export interface Qdisc {
  kind: 'noqueue' | 'pfifo_fast';
  /** packets queued (pfifo_fast has three bands by priority; the model keeps one FIFO) */
  qlen: number;
  limit: number;
  drops: number;
  sent: number;
}

export function qdiscFor(kind: 'noqueue' | 'pfifo_fast', limit: number): Qdisc {
  return { kind, qlen: 0, limit, drops: 0, sent: 0 };
}

export const SCH_FILE = 'net/sched/sch_generic.c';
