// The budget of one run: how much work, simulated time, wall-clock time and memory it may use.
// A hostile or mistaken scenario (a neighbour asked to solicit two billion times, a thousand
// 65000-byte pings) is bounded here, not by the kernel's rules: the model stays faithful, and
// the run stops cleanly once it has used its budget, keeping what ran so far.
import type { Recorder } from './recorder';

export interface Budget {
  maxTasks: number;
  maxEvents: number;
  maxSimNs: number;
  maxWallMs: number;
  maxMemoryBytes: number;
}

export type BudgetLimit = keyof Budget;

/** Thrown from inside the scheduler when a limit is reached; the runner catches it. */
export class BudgetExceeded extends Error {
  constructor(
    readonly limit: BudgetLimit,
    readonly max: number,
    readonly at: { tasks: number; events: number; simNs: number; wallMs: number; memoryBytes: number },
  ) {
    super(`the run reached its budget: ${limit} ${max}`);
    this.name = 'BudgetExceeded';
  }
}

export class BudgetMeter {
  tasks = 0;
  private readonly start: number;

  constructor(
    readonly budget: Budget,
    private readonly rec: Recorder,
    /** wall-clock ms (Date.now outside the model) */
    private readonly wall: () => number,
  ) {
    this.start = wall();
  }

  /** After each task the scheduler runs, and between traffic items. */
  check(now: number, counted = true): void {
    if (counted) this.tasks++;
    const b = this.budget;
    if (this.tasks > b.maxTasks) this.fail('maxTasks', now);
    if (this.rec.eventCount > b.maxEvents) this.fail('maxEvents', now);
    if (now > b.maxSimNs) this.fail('maxSimNs', now);
    if (this.rec.bytes > b.maxMemoryBytes) this.fail('maxMemoryBytes', now);
    // read after every task: a task may be long (a 65000-byte datagram cut into 45 fragments);
    // not read at all without a limit (a capture replay's), where it was a clock read per task
    if (b.maxWallMs !== Infinity && this.wall() - this.start > b.maxWallMs) this.fail('maxWallMs', now);
  }

  private fail(limit: BudgetLimit, now: number): never {
    throw new BudgetExceeded(limit, this.budget[limit], { tasks: this.tasks, events: this.rec.eventCount, simNs: now, wallMs: this.wall() - this.start, memoryBytes: this.rec.bytes });
  }
}
