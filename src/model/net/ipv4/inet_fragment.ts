// The protocol-independent half of reassembly (net/ipv4/inet_fragment.c, Linux v6.12): finding
// or making a queue under the memory limit, placing a fragment in it (duplicates and overlaps),
// taking a queue out of service, and freeing what a dead queue still holds.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { DefragUser, Fqdir, FragQueue } from './ip_fragment_types';

export type { Fqdir } from './ip_fragment_types';

/** net->ipv4.fqdir: the namespace's own fields, so that IPv4 reads exactly what it always did. */
export function ipv4Fqdir(net: Net): Fqdir {
  return {
    queues: net.fragQueues,
    get mem() {
      return net.fragMem;
    },
    set mem(v: number) {
      net.fragMem = v;
    },
    highThresh: 'net.ipv4.ipfrag_high_thresh',
    timeout: 'net.ipv4.ipfrag_time',
    qsize: IPQ_SIZE,
  };
}

const FILE = 'net/ipv4/inet_fragment.c';
/**
 * sizeof(struct ipq), charged to the namespace's fragment memory for every queue (f->qsize):
 * 200 bytes on x86_64, read from the running kernel's BTF (6.18); v6.12's struct has the same fields.
 */
export const IPQ_SIZE = 200;

/**
 * inet_frag_find: no queue at all (not even an existing one) while the namespace's fragment
 * memory is over ipfrag_high_thresh, or when the threshold is 0; otherwise the queue for this
 * key, made (and its ipfrag_time timer started) when there is none.
 */
export function inet_frag_find(net: Net, key: string, user: DefragUser, firstPkt: number, expire: (q: FragQueue) => void, dir: Fqdir = ipv4Fqdir(net)): FragQueue | null {
  const high = net.get(dir.highThresh);
  if (!high || dir.mem > high) return null;
  let q = dir.queues.get(key);
  if (q) return q;
  q = {
    key,
    user,
    frags: [],
    runs: [],
    tailRun: null,
    len: 0,
    meat: 0,
    firstIn: false,
    lastIn: false,
    complete: false,
    mem: dir.qsize,
    timer: null,
    maxSize: 0,
    maxDfSize: 0,
    iif: 0,
    firstPkt,
    dir,
  };
  dir.mem += dir.qsize;
  dir.queues.set(key, q);
  const made = q;
  q.timer = net.w.sched.after(net.get(dir.timeout) * 1e9, () => expire(made));
  return q;
}

export type InsertResult = 'IPFRAG_OK' | 'IPFRAG_DUP' | 'IPFRAG_OVERLAP';

/**
 * inet_frag_queue_insert: a fragment past the tail's end goes at the end (starting inside the
 * tail is an overlap); any other is placed among the runs: wholly inside one run it is a
 * duplicate (dropped alone, RFC 5722 errata 3089), touching one otherwise it overlaps (the whole
 * datagram goes).
 */
export function inet_frag_queue_insert(q: FragQueue, skb: SkBuff, offset: number, end: number): InsertResult {
  const tail = q.tailRun;
  if (!tail) {
    const run = { offset, end };
    q.runs.push(run);
    q.tailRun = run;
  } else if (tail.end < end) {
    if (offset < tail.end) return 'IPFRAG_OVERLAP';
    if (offset === tail.end) tail.end = end;
    else {
      const run = { offset, end };
      q.runs.push(run);
      q.tailRun = run;
    }
  } else {
    const hit = q.runs.find((r) => offset < r.end && end > r.offset);
    if (hit) return offset >= hit.offset && end <= hit.end ? 'IPFRAG_DUP' : 'IPFRAG_OVERLAP';
    q.runs.push({ offset, end });
  }
  q.frags.push({ offset, end, skb });
  q.frags.sort((a, b) => a.offset - b.offset);
  return 'IPFRAG_OK';
}

/** inet_frag_kill: the queue is complete (or dead): its timer stops and the lookup no longer finds it. */
export function inet_frag_kill(net: Net, q: FragQueue): void {
  net.w.sched.cancel(q.timer);
  if (!q.complete) {
    q.complete = true;
    (q.dir ?? ipv4Fqdir(net)).queues.delete(q.key);
  }
}

/**
 * inet_frag_destroy → inet_frag_rbtree_purge: the last reference to a killed queue is gone; the
 * fragments it still holds are freed, as consumed unless the timer killed it (INET_FRAG_DROP:
 * FRAG_REASM_TIMEOUT), and its memory is given back.
 */
export function inet_frag_destroy(net: Net, q: FragQueue, timedOut: boolean): void {
  net.call('inet_frag_destroy', () =>
    net.call('inet_frag_rbtree_purge', () => {
      for (const f of q.frags) {
        if (timedOut) net.drop(f.skb, 'L3', 'inet_frag_rbtree_purge', FILE, 'FRAG_REASM_TIMEOUT', 'The queue timed out: this fragment, still in it, is freed.');
        else {
          net.step(f.skb, 'L3', 'inet_frag_rbtree_purge', FILE, 'The queue was killed: this fragment, still in it, is freed as consumed (consume_skb, not a drop).');
          net.fate(f.skb, { kind: 'consumed', fn: 'inet_frag_rbtree_purge', detail: 'freed with its killed reassembly queue' });
        }
      }
      q.frags = [];
      q.runs = [];
      q.tailRun = null;
      (q.dir ?? ipv4Fqdir(net)).mem -= q.mem;
      q.mem = 0;
    }),
  );
}
