// Runs scenarios in worker threads (scenarioWorker.ts) on behalf of the extension host: one run
// per key (a document), a newer run of the same key ending the older one, each run within a
// budget of wall time (the worker is terminated) and memory (the worker's heap limit). At most
// `maxWorkers` run at once (opening forty scenarios queues them, it does not start forty
// threads); a worker that finished is kept for the next run, so that an edit does not pay for
// loading the model again.
// No vscode here, so that the unit tests drive it in plain Node.
import { Worker } from 'worker_threads';
import type { WorkReply, WorkRequest } from './messages';

export interface Budget {
  /** wall time of one run, in ms */
  wallMs: number;
  /** the worker's heap, in MB */
  memoryMb: number;
}

export type Outcome =
  | { status: 'done'; reply: WorkReply; ms: number }
  /** a newer run of the same key, a closed document, or the user */
  | { status: 'cancelled' }
  | { status: 'budget'; limit: 'wall'; ms: number }
  | { status: 'budget'; limit: 'memory'; mb: number }
  /** the worker could not start or died otherwise */
  | { status: 'failed'; error: string };

export interface Run {
  readonly done: Promise<Outcome>;
  cancel(): void;
}

interface Pending {
  req: Omit<WorkRequest, 'id'>;
  settle: (o: Outcome) => void;
  /** set once the run has a worker: ends it */
  stop?: (o: Outcome) => void;
  finished: boolean;
}

export class ScenarioRunner {
  private nextId = 1;
  private readonly idle: { worker: Worker; memoryMb: number }[] = [];
  private readonly queue: Pending[] = [];
  private busy = 0;
  private readonly byKey = new Map<string, Run>();
  private disposed = false;

  constructor(
    /** the worker's script (dist/scenarioWorker.js) */
    private readonly script: string,
    private readonly budget: () => Budget,
    private readonly maxWorkers = 2,
  ) {}

  /** Start a run for `key`, ending any run of the same key still going or waiting. */
  run(key: string, req: Omit<WorkRequest, 'id'>): Run {
    this.byKey.get(key)?.cancel();
    const run = this.enqueue(req);
    this.byKey.set(key, run);
    void run.done.then(() => {
      if (this.byKey.get(key) === run) this.byKey.delete(key);
    });
    return run;
  }

  /** End the run of `key`, if one is going or waiting (its outcome is `cancelled`). */
  cancel(key: string): void {
    this.byKey.get(key)?.cancel();
  }

  /** How many runs are going or waiting. */
  get pending(): number {
    return this.byKey.size;
  }

  dispose(): void {
    this.disposed = true;
    for (const r of [...this.byKey.values()]) r.cancel();
    for (const p of this.queue.splice(0)) this.end(p, { status: 'cancelled' });
    for (const i of this.idle.splice(0)) void i.worker.terminate();
  }

  private enqueue(req: Omit<WorkRequest, 'id'>): Run {
    let settle!: (o: Outcome) => void;
    const done = new Promise<Outcome>((r) => (settle = r));
    const p: Pending = { req, settle, finished: false };
    if (this.disposed) this.end(p, { status: 'cancelled' });
    else {
      this.queue.push(p);
      this.pump();
    }
    return {
      done,
      cancel: () => {
        if (p.stop) p.stop({ status: 'cancelled' });
        else {
          const i = this.queue.indexOf(p);
          if (i >= 0) this.queue.splice(i, 1);
          this.end(p, { status: 'cancelled' });
        }
      },
    };
  }

  private end(p: Pending, o: Outcome): void {
    if (p.finished) return;
    p.finished = true;
    p.settle(o);
  }

  private pump(): void {
    while (this.busy < this.maxWorkers && this.queue.length > 0 && !this.disposed) this.start(this.queue.shift() as Pending);
  }

  private worker(memoryMb: number): Worker {
    const k = this.idle.findIndex((i) => i.memoryMb === memoryMb);
    if (k >= 0) {
      const [i] = this.idle.splice(k, 1);
      i.worker.ref();
      return i.worker;
    }
    return new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
  }

  private start(p: Pending): void {
    const budget = this.budget();
    const w = this.worker(budget.memoryMb);
    this.busy++;
    const id = this.nextId++;
    const t0 = Date.now();
    const stop = (o: Outcome, keep = false): void => {
      if (p.finished) return;
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      this.busy--;
      if (keep && !this.disposed && this.idle.length < this.maxWorkers) {
        // kept for the next run; it must not keep the process alive meanwhile
        w.unref();
        this.idle.push({ worker: w, memoryMb: budget.memoryMb });
      } else {
        void w.terminate();
      }
      this.end(p, o);
      this.pump();
    };
    p.stop = stop;
    const onMessage = (m: WorkReply): void => {
      if (m.id === id) stop({ status: 'done', reply: m, ms: Date.now() - t0 }, true);
    };
    const onError = (e: Error & { code?: string }): void => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') stop({ status: 'budget', limit: 'memory', mb: budget.memoryMb });
      else stop({ status: 'failed', error: e.stack ?? e.message });
    };
    const onExit = (code: number): void => stop({ status: 'failed', error: `the scenario worker exited with code ${code}` });
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    const timer = setTimeout(() => stop({ status: 'budget', limit: 'wall', ms: budget.wallMs }), budget.wallMs);
    w.postMessage({ ...p.req, id } satisfies WorkRequest);
  }
}
