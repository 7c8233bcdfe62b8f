// Simulated time and the deferred work of the kernel (softirqs, timers), in a deterministic
// order: by time, then by the order work was scheduled.
import { HZ } from '../proc/sysctl';

export interface Task {
  time: number;
  order: number;
  run: () => void;
  cancelled: boolean;
  /** housekeeping (a neighbour re-confirmation): does not keep the network from being "settled" */
  background: boolean;
  done: boolean;
  /** the context it runs in: a NET_RX softirq, other kernel work with bottom halves off (the default), or a system call */
  context: TaskContext;
  /** a timer_list on the timer wheel: the jiffy its bucket expires in, and whether it is TIMER_PINNED */
  wheel?: { bucket: number; pinned: boolean };
  /**
   * housekeeping that re-arms itself without end (an unending router solicitation series,
   * addrconf_rs.ts): background, and not run out when a run ends (World.finish)
   */
  endless?: boolean;
}

/** one jiffy in ns at the HZ of the kernels the model follows (Debian's CONFIG_HZ=250) */
export const JIFFY_NS = 1e9 / HZ;

/** jiffies at a time of the model's clock (ns): the model's clock starts on a jiffy's edge */
export function jiffiesAt(ns: number): number {
  return Math.floor(ns / JIFFY_NS);
}

/**
 * calc_wheel_index (kernel/time/timer.c, v6.12, LVL_CLK_SHIFT 3, LVL_BITS 6): the jiffy in which
 * a timer armed at jiffy `clk` to expire at jiffy `expires` runs. Each level beyond the first is
 * 8 times coarser, and the expiry is rounded up to the next step of its level so that no timer
 * runs early: a 1 s timer (250 jiffies) is on level 1, in steps of 8 jiffies (32 ms).
 */
export function wheelBucketExpiry(clk: number, expires: number): number {
  const delta = expires - clk;
  let lvl = 0;
  // LVL_START(n) = 63 << 3(n-1): 63, 504, 4032, … jiffies
  while (lvl < 8 && delta >= 63 * 2 ** (3 * lvl)) lvl++;
  const shift = 3 * lvl;
  return (Math.floor(expires / 2 ** shift) + 1) * 2 ** shift;
}

/**
 * 'net_rx': a raised NET_RX softirq (net_rx_action); 'process': a system call an application
 * makes (a ping's next request, a write after connect); 'bh': any other deferred kernel work
 * (timers), which runs with bottom halves off.
 */
export type TaskContext = 'net_rx' | 'process' | 'bh';

/** Called after every task that ran: the run's budget (src/model/sim/budget.ts) throws to stop it. */
export interface TaskMeter {
  check(now: number): void;
}

export class Scheduler {
  now = 0;
  meter: TaskMeter | null = null;
  private order = 0;
  private heap: Task[] = [];
  /** live timer_list tasks by the jiffy their wheel bucket expires in */
  private buckets = new Map<number, Task[]>();
  /** foreground tasks waiting: packets still on their way, or timers that hold packets */
  private foreground = 0;
  /** the task running now (null: the scenario driver itself, a system call) */
  private current: Task | null = null;

  at(time: number, run: () => void, background = false, context: TaskContext = 'bh'): Task {
    const t: Task = { time: Math.max(time, this.now), order: this.order++, run, cancelled: false, background, done: false, context };
    if (!background) this.foreground++;
    this.pushHeap(t);
    return t;
  }

  after(ns: number, run: () => void, background = false, context: TaskContext = 'bh'): Task {
    return this.at(this.now + ns, run, background, context);
  }

  /**
   * A kernel timer_list armed now to expire `ns` later. It runs at its own time, except that
   * timers of one wheel bucket run in one tick of the timer softirq, and run_timer_softirq runs
   * the CPU's BASE_LOCAL (TIMER_PINNED timers: a request sock's SYN-ACK timer) before its
   * BASE_GLOBAL (the others: a socket's retransmission timer), so a pinned timer of a bucket
   * runs before the unpinned ones of the same bucket even when it was armed a little later (a
   * SYN-ACK timer armed when the SYN arrived, against the connecting socket's SYN timer).
   */
  timer(ns: number, run: () => void, pinned: boolean, background = false): Task {
    const t = this.after(ns, run, background, 'bh');
    const bucket = wheelBucketExpiry(Math.floor(this.now / JIFFY_NS), Math.floor(this.now / JIFFY_NS) + Math.ceil(ns / JIFFY_NS));
    t.wheel = { bucket, pinned };
    const same = (this.buckets.get(bucket) ?? []).filter((x) => !x.cancelled && !x.done);
    same.push(t);
    this.buckets.set(bucket, same);
    const unpinned = same.filter((x) => !x.wheel!.pinned);
    if (unpinned.length && same.length > unpinned.length) {
      const first = unpinned.reduce((a, b) => (this.less(a, b) ? a : b));
      let moved = false;
      let k = 0;
      for (const x of same) {
        if (!x.wheel!.pinned || this.less(x, first)) continue;
        x.time = first.time;
        // before every unpinned one, in the order the pinned ones were armed
        x.order = first.order - 1 + ++k / (same.length + 1);
        moved = true;
      }
      if (moved) this.reheap();
    }
    return t;
  }

  private leaveBucket(t: Task): void {
    const live = this.buckets.get(t.wheel!.bucket)?.filter((x) => x !== t && !x.cancelled && !x.done);
    if (live?.length) this.buckets.set(t.wheel!.bucket, live);
    else this.buckets.delete(t.wheel!.bucket);
  }

  private reheap(): void {
    const h = this.heap;
    this.heap = [];
    for (const x of h) this.pushHeap(x);
  }

  cancel(t: Task | null | undefined): void {
    if (t && !t.cancelled && !t.done) {
      t.cancelled = true;
      if (t.wheel) this.leaveBucket(t);
      if (!t.background) this.foreground--;
    }
  }

  /** Runs tasks in time order until only background ones are left: the network has settled. */
  runUntilQuiet(maxTasks = 1_000_000): number {
    let n = 0;
    while (this.foreground > 0 && this.heap.length > 0 && n < maxTasks) {
      if (this.step()) n++;
    }
    return n;
  }

  private step(): boolean {
    const top = this.heap[0];
    this.popHeap();
    if (top.cancelled || top.done) return false;
    this.now = top.time;
    this.runTask(top);
    return true;
  }

  private runTask(t: Task): void {
    t.done = true;
    if (t.wheel) this.leaveBucket(t);
    if (!t.background) this.foreground--;
    const outer = this.current;
    this.current = t;
    try {
      t.run();
    } finally {
      this.current = outer;
    }
    this.meter?.check(this.now);
  }

  /** Whether the code running now is a system call (process context, bottom halves on). */
  get inProcessContext(): boolean {
    return this.current === null || this.current.context === 'process';
  }

  /**
   * do_softirq at a local_bh_enable in process context: the NET_RX softirqs raised meanwhile
   * (in this instant) run now, before the system call goes on, and so does what they raise in
   * turn (a veth peer's answer lands on the same CPU's backlog). Returns how many ran.
   */
  runPendingNetRx(): number {
    if (!this.inProcessContext) return 0;
    let n = 0;
    for (;;) {
      let next: Task | null = null;
      for (const t of this.heap) {
        if (t.context !== 'net_rx' || t.cancelled || t.done || t.time > this.now) continue;
        if (!next || this.less(t, next)) next = t;
      }
      if (!next) return n;
      this.runTask(next);
      n++;
    }
  }

  /** The time of the latest live task that is not endless (undefined: none is left). */
  lastNotEndless(): number | undefined {
    let last: number | undefined;
    for (const t of this.heap) if (!t.cancelled && !t.done && !t.endless && (last === undefined || t.time > last)) last = t.time;
    return last;
  }

  get pending(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Runs tasks until none is left or the next one is after `until`; returns how many ran. */
  runUntil(until = Infinity, maxTasks = 1_000_000): number {
    let n = 0;
    while (this.heap.length > 0 && n < maxTasks) {
      const top = this.heap[0];
      if (top.time > until) break;
      if (this.step()) n++;
    }
    if (until !== Infinity && this.now < until) this.now = until;
    return n;
  }

  private less(a: Task, b: Task): boolean {
    return a.time < b.time || (a.time === b.time && a.order < b.order);
  }

  private pushHeap(t: Task): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private popHeap(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
