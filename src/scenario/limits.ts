// Limits of our own, for input from strangers: a scenario is run as soon as it is opened, so no
// file may make the parser or the model run without end or eat the memory. The kernel's own
// bounds (sysctl ranges, the jump stack) are in the model; these are the tool's, each with the
// setting that raises it, named in the error that reports it.

/** What the parser accepts. */
export interface InputLimits {
  /** bytes of a scenario file */
  maxInputBytes: number;
  /** bytes of a rules file (`nft -f`, `iptables-restore <`) */
  maxFileBytes: number;
  /** YAML aliases (`*name`) followed in one file; the `yaml` package's own default is 100 */
  maxAliasCount: number;
  /** nesting of YAML collections (maps and lists in maps and lists) */
  maxDepth: number;
}

/** What one run may use; reaching one ends the run with what ran so far. */
export interface RunBudget {
  /** deferred work items (softirqs, timers) run by the scheduler */
  maxTasks: number;
  /** trace events recorded */
  maxEvents: number;
  /** simulated time, in ns */
  maxSimNs: number;
  /** wall-clock time, in ms */
  maxWallMs: number;
  /** an estimate of the memory the trace holds (bytes of sk_buff snapshots and events) */
  maxMemoryBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxInputBytes: 16 * 1024 * 1024,
  maxFileBytes: 16 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
};

/** Sized so that a run stays within seconds and a few hundred MB of heap (the examples use far less). */
export const DEFAULT_BUDGET: RunBudget = {
  maxTasks: 1_000_000,
  maxEvents: 200_000,
  maxSimNs: 30 * 24 * 3600 * 1e9,
  maxWallMs: 10_000,
  maxMemoryBytes: 256 * 1024 * 1024,
};

/** Each limit → how to raise it: the CLI flag, and the option of runScenario / parseScenario. */
export const LIMIT_SETTINGS: Record<keyof InputLimits | keyof RunBudget, { flag: string; option: string; what: string }> = {
  maxInputBytes: { flag: '--max-input-bytes N', option: 'limits.maxInputBytes', what: 'bytes of a scenario file' },
  maxFileBytes: { flag: '--max-file-bytes N', option: 'limits.maxFileBytes', what: 'bytes of a rules file' },
  maxAliasCount: { flag: '--max-aliases N', option: 'limits.maxAliasCount', what: 'YAML aliases followed' },
  maxDepth: { flag: '--max-depth N', option: 'limits.maxDepth', what: 'levels of YAML nesting' },
  maxTasks: { flag: '--max-tasks N', option: 'budget.maxTasks', what: 'scheduler tasks (softirqs and timers run)' },
  maxEvents: { flag: '--max-events N', option: 'budget.maxEvents', what: 'trace events' },
  maxSimNs: { flag: '--max-sim-time DURATION', option: 'budget.maxSimNs', what: 'ns of simulated time' },
  maxWallMs: { flag: '--max-wall-time DURATION', option: 'budget.maxWallMs', what: 'ms of wall-clock time' },
  maxMemoryBytes: { flag: '--max-memory BYTES', option: 'budget.maxMemoryBytes', what: 'bytes of trace memory (estimated)' },
};

/** "raise it with --max-x N (option limits.maxX)" */
export function raiseHint(limit: keyof typeof LIMIT_SETTINGS): string {
  const s = LIMIT_SETTINGS[limit];
  return `raise it with ${s.flag} (netstack trace) or the option ${s.option}`;
}
