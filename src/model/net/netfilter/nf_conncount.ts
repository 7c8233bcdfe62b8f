// Counting the connections of a key (net/netfilter/nf_conncount.c, v6.12.117; the kernel this
// model follows has the skb-based API: nf_conncount_count_skb, nf_conncount_add_skb). The count
// is not read from the conntrack table: each key keeps its own list of tuples, filled by the
// packets that reach the rule, and pruned of the entries that are gone from the table or whose
// TCP connection is closed (already_closed: TIME_WAIT or CLOSE). xt_connlimit keys the lists by
// the masked address (count_tree); nft_connlimit (`ct count`) keeps one list per expression.
//
// One CPU: find_or_evict drops an entry that the table does not hold when this CPU added it or it
// is two jiffies old; the model runs on one CPU, so such an entry (a connection whose first
// packet was dropped before it was confirmed) is dropped at the next scan, as the kernel does
// after two jiffies on any CPU.
import { IPPROTO_TCP } from '../../proto/ipv4';
import { describeTuple, IPS_ASSURED, pktTuple, tupleKey, type NfConn, type Tuple } from './nf_conntrack';
import { jiffiesAt, type EvalCtx } from './nf_tables';

export const NF_CONNCOUNT_FILE = 'net/netfilter/nf_conncount.c';
/** CONNCOUNT_GC_MAX_COLLECT: a scan stops after evicting this many; also the fast-path's allowance */
const GC_MAX_COLLECT = 64;

/** struct nf_conncount_tuple: a connection counted, by its tuple (the original direction's, or the packet's) */
interface CountedTuple {
  tuple: Tuple;
  key: string;
}

/** struct nf_conncount_list */
export interface ConnCountList {
  head: CountedTuple[];
  /** jiffies of the last scan, and the count it left */
  lastGc: number;
  lastGcCount: number;
}

/** struct nf_conncount_data: the lists by key (the kernel's rb-trees in 256 slots; one map here) */
export interface ConnCountData {
  lists: Map<string, ConnCountList>;
}

export const newConnCountData = (): ConnCountData => ({ lists: new Map() });

/** nf_conncount_list_init */
export const newConnCountList = (now: number): ConnCountList => ({ head: [], lastGc: now, lastGcCount: 0 });

/** What a call saw, for the trace. */
export interface ConnCountResult {
  /** connections counted after this packet (0: the packet's tuple could not be read, hotdrop) */
  count: number;
  /** -EEXIST: an assured connection, not added; -ENOENT: no tuple */
  err: 0 | 'EEXIST' | 'ENOENT';
  /** the packet's connection was already in the list, or was added now */
  added: boolean;
  /** entries dropped from the list on the way (gone from the table, or TCP closed) */
  evicted: number;
}

/** already_closed: a TCP connection in TIME_WAIT or CLOSE no longer counts */
function alreadyClosed(ct: NfConn): boolean {
  return ct.tuple[0].proto === IPPROTO_TCP && (ct.tcpState === 'TIME_WAIT' || ct.tcpState === 'CLOSE');
}

/**
 * get_ct_or_tuple_from_skb: the packet's own entry (its original tuple), else the packet's tuple
 * and the entry the table holds for it, if any. Null when the tuple cannot be read.
 */
function ctOrTuple(x: EvalCtx): { ct: NfConn | null; tuple: Tuple } | null {
  const ct = x.nf.ctOf(x.p.skb);
  if (ct) return { ct, tuple: ct.tuple[0] };
  const tuple = pktTuple(x.p);
  if (!tuple) return null;
  return { ct: x.nf.ctFind(tuple), tuple };
}

/** find_or_evict on one CPU: the entry the table holds for the tuple, or null (and the tuple is dropped) */
function findOrEvict(x: EvalCtx, list: ConnCountList, i: number): NfConn | null {
  const found = x.nf.ctFind(list.head[i].tuple);
  if (found) return found;
  list.head.splice(i, 1);
  return null;
}

/** __nf_conncount_gc_list: drops the gone and closed entries, unless a scan ran this jiffy */
export function nf_conncount_gc_list(x: EvalCtx, list: ConnCountList): number {
  const now = jiffiesAt(x.net.w.sched.now);
  if (now === list.lastGc) return 0;
  let collected = 0;
  for (let i = 0; i < list.head.length; ) {
    const ct = findOrEvict(x, list, i);
    if (!ct) {
      collected++;
      continue;
    }
    if (alreadyClosed(ct)) {
      list.head.splice(i, 1);
      collected++;
      continue;
    }
    i++;
    if (collected > GC_MAX_COLLECT) break;
  }
  list.lastGc = now;
  list.lastGcCount = list.head.length;
  return collected;
}

/**
 * __nf_conncount_add: counts the packet's connection in the list. A confirmed, assured connection
 * is not added (-EEXIST); a confirmed one still in setup is added unless already there; a new one
 * is added, after a scan of the list unless one ran this jiffy with fewer than 64 added since.
 */
export function nf_conncount_add_skb(x: EvalCtx, list: ConnCountList): ConnCountResult {
  const r: ConnCountResult = { count: 0, err: 0, added: false, evicted: 0 };
  const got = ctOrTuple(x);
  if (!got) {
    r.err = 'ENOENT';
    return r;
  }
  const { ct, tuple } = got;
  const key = tupleKey(tuple);
  const now = jiffiesAt(x.net.w.sched.now);
  let scan = true;
  if (ct?.confirmed) {
    if (ct.status & IPS_ASSURED) {
      r.err = 'EEXIST';
      return r;
    }
  } else if (now === list.lastGc && list.head.length - list.lastGcCount < GC_MAX_COLLECT) scan = false;
  if (scan) {
    let collect = 0;
    for (let i = 0; i < list.head.length; ) {
      if (collect > GC_MAX_COLLECT) break;
      const c = list.head[i];
      const found = findOrEvict(x, list, i);
      if (!found) {
        collect++;
        r.evicted++;
        continue;
      }
      // the same tuple twice: the rule sees a connection's later packets too (no --syn)
      if (c.key === key) {
        r.added = true;
        r.count = list.head.length;
        return r;
      }
      if (alreadyClosed(found)) {
        list.head.splice(i, 1);
        collect++;
        r.evicted++;
        continue;
      }
      i++;
    }
    list.lastGc = now;
    list.lastGcCount = list.head.length;
  }
  list.head.push({ tuple, key });
  r.added = true;
  r.count = list.head.length;
  return r;
}

/**
 * count_tree with a packet: the list of the key counts the packet's connection; a key not seen
 * before gets a list holding it (insert_tree adds it whatever its state). -ENOENT gives 0 (the
 * caller's hotdrop); -EEXIST scans the list and gives its count. A list left empty stays in the
 * tree (the kernel frees it only when a gc pass meets it on the way to another key, or its
 * worker runs), and then goes through __nf_conncount_add like any other.
 */
export function nf_conncount_count_skb(x: EvalCtx, data: ConnCountData, key: string): ConnCountResult {
  const list = data.lists.get(key);
  if (!list) {
    const got = ctOrTuple(x);
    if (!got) return { count: 0, err: 'ENOENT', added: false, evicted: 0 };
    const l = newConnCountList(jiffiesAt(x.net.w.sched.now));
    l.head.push({ tuple: got.tuple, key: tupleKey(got.tuple) });
    data.lists.set(key, l);
    return { count: 1, err: 0, added: true, evicted: 0 };
  }
  // an empty list is left to insert_tree, which adds to it without the gc pass on -EEXIST
  const empty = list.head.length === 0;
  const r = nf_conncount_add_skb(x, list);
  if (r.err === 'ENOENT') return r;
  if (r.err === 'EEXIST' && !empty) r.evicted += nf_conncount_gc_list(x, list);
  r.count = list.head.length;
  return r;
}

/** The connections a list holds, for the trace: `#3 tcp 10.0.0.2:40000 → …` */
export function describeCounted(x: EvalCtx, list: ConnCountList | undefined): string {
  if (!list?.head.length) return 'none';
  return list.head
    .map((c) => {
      const own = x.nf.ctOf(x.p.skb);
      const ct = own && tupleKey(own.tuple[0]) === c.key ? own : x.nf.ctFind(c.tuple);
      return ct ? `#${ct.id}` : describeTuple(c.tuple);
    })
    .join(', ');
}
