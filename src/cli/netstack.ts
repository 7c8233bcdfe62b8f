// `netstack`: the model in a terminal. `netstack trace FILE [--json]` runs a scenario;
// `netstack ruleset FILE` prints what the model understood of its firewall;
// `netstack explain SYMBOL` and `netstack resolve TREE` read the kernel knowledge base.
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../scenario/run';
import { readScenarioFile, scenarioFileReader } from '../scenario/files';
import { DEFAULT_BUDGET, DEFAULT_INPUT_LIMITS, LIMIT_SETTINGS, type InputLimits, type RunBudget } from '../scenario/limits';
import type { Trace } from '../trace/contract';
import { ScenarioErrors, ScenarioError } from '../scenario/types';
import { formatTraceLines } from '../debugger/format';
import { scenarioCaptureOpener } from '../capture/file';
import { traceToPcapng } from './pcap';
import { REPLAY_USAGE, replayCommand } from './replay';
import { RULESET_USAGE, rulesetCommand } from './ruleset';
import { collect, streamSink, traceJsonParts, writeParts, type Sink } from './stream';
import { takeValued } from './args';

const USAGE = `usage:
  netstack trace FILE [--json] [--fates] [--pcap OUT.pcapng] [--root DIR] [LIMITS]
                                   run a scenario on the model and print its trace;
                                   --pcap also writes every frame a device sent (Wireshark);
                                   --root DIR lets rules files come from DIR (default: the scenario's folder);
                                   --fates records only packets, fates and counters (no events)
${REPLAY_USAGE}
${RULESET_USAGE}
  netstack explain SYMBOL          explain a kernel symbol (sk_buff, skb->len, ip_forward…)
  netstack resolve TREE            find every known symbol's definition in a kernel tree
  netstack exercise list | check …  guided exercises (netstack exercise for its options)

limits (a run that reaches one stops and keeps what ran; an input over one is refused):
${Object.entries(LIMIT_SETTINGS)
  .map(([k, v]) => `  ${v.flag.padEnd(31)}  ${v.what} (default ${showDefault(k as keyof typeof LIMIT_SETTINGS)})`)
  .join('\n')}`;

function showDefault(k: keyof typeof LIMIT_SETTINGS): string {
  if (k in DEFAULT_BUDGET) {
    const v = DEFAULT_BUDGET[k as keyof RunBudget];
    return k === 'maxSimNs' ? `${v / 1e9 / 86400}d` : k === 'maxWallMs' ? `${v / 1000}s` : String(v);
  }
  return String(DEFAULT_INPUT_LIMITS[k as keyof InputLimits]);
}

export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void, sink?: Sink): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'trace':
      return trace(rest, out, err, sink);
    case 'replay':
      return replayCommand(rest, sink ?? collect(out), err);
    case 'explain':
    case 'resolve': {
      const k = await import('./kernelCommands');
      return cmd === 'explain' ? k.explainCommand(rest, out) : k.resolveCommand(rest, out);
    }
    case 'ruleset':
      return rulesetCommand(rest, out, err);
    case 'exercise': {
      const x = await import('./exerciseCommand');
      return x.exerciseCommand(rest, out, err);
    }
    case undefined:
    case '-h':
    case '--help':
      out(USAGE);
      return cmd ? 0 : 2;
    default:
      err(`netstack: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

const DURATION: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 };

/** A limit flag's value: a count, bytes (with k/M/G), or a duration (31s, 500ms, 2h). */
function limitValue(key: keyof typeof LIMIT_SETTINGS, text: string): number | undefined {
  if (key === 'maxSimNs' || key === 'maxWallMs') {
    const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h|d)$/.exec(text);
    if (!m) return undefined;
    const ns = Number(m[1]) * DURATION[m[2]];
    return key === 'maxWallMs' ? ns / 1e6 : ns;
  }
  const m = /^(\d+)([kMG]?)$/.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]) * ({ '': 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]];
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

async function trace(argv: string[], out: (s: string) => void, err: (s: string) => void, sink?: Sink): Promise<number> {
  const args = [...argv];
  const json = args.includes('--json');
  const fates = args.includes('--fates');
  const valued = (flag: string): string | undefined | null => takeValued(args, flag);
  const pcapFile = valued('--pcap');
  const root = valued('--root');
  if (pcapFile === null || root === null) {
    err(`netstack trace: ${pcapFile === null ? '--pcap' : '--root'} needs ${pcapFile === null ? 'a file name' : 'a folder'}`);
    return 2;
  }
  const limits: Partial<InputLimits> = {};
  const budget: Partial<RunBudget> = {};
  for (const [key, setting] of Object.entries(LIMIT_SETTINGS) as [keyof typeof LIMIT_SETTINGS, (typeof LIMIT_SETTINGS)[keyof typeof LIMIT_SETTINGS]][]) {
    const flag = setting.flag.split(' ')[0];
    const v = valued(flag);
    if (v === undefined) continue;
    const n = v === null ? undefined : limitValue(key, v);
    if (n === undefined) {
      err(`netstack trace: ${flag} needs ${setting.flag.split(' ')[1].toLowerCase()}, like ${key === 'maxSimNs' || key === 'maxWallMs' ? '60s' : '1000000'}`);
      return 2;
    }
    if (key in DEFAULT_BUDGET) budget[key as keyof RunBudget] = n;
    else limits[key as keyof InputLimits] = n;
  }
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--fates');
  if (unknown.length || files.length !== 1) {
    err(unknown.length ? `netstack trace: unknown option ${unknown[0]}` : 'netstack trace: give exactly one scenario file');
    return 2;
  }
  if (fates && pcapFile) {
    // the frames a pcap holds are the events of a full trace, which --fates does not record
    err('netstack trace: --pcap writes the frames of a full trace, and --fates records none: leave out one of them');
    return 2;
  }
  const file = files[0];
  let text: string;
  try {
    // the scenario itself is read with the same care as the files it names: a regular file, not too large
    text = readScenarioFile(file, limits.maxInputBytes);
  } catch (e) {
    err(`netstack: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  let t: Trace;
  try {
    const readFile = scenarioFileReader(file, { root, maxBytes: limits.maxFileBytes });
    t = runScenarioText(text, file, { readFile, limits, budget, openCapture: scenarioCaptureOpener(path.dirname(file)), level: fates ? 'fates' : 'full' });
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  if (pcapFile) {
    const pc = traceToPcapng(t);
    try {
      fs.writeFileSync(pcapFile, pc.bytes);
    } catch (e) {
      err(`netstack: cannot write ${pcapFile}: ${(e as Error).message}`);
      return 2;
    }
    err(`netstack: wrote ${pc.frames} frames on ${pc.interfaces.length} interfaces to ${pcapFile}`);
  }
  // streamed: a long trace would not fit in one string
  const to = sink ?? collect(out);
  await writeParts(json ? traceJsonParts(t) : lines(formatTraceLines(t, { color: process.stdout.isTTY })), to);
  if (json) to.write('\n');
  to.end?.();
  if (t.stopped) {
    err(`netstack: ${file}: ${t.stopped.message}`);
    return 3;
  }
  return 0;
}

function* lines(ls: Iterable<string>): Generator<string> {
  for (const l of ls) yield l + '\n';
}

if (require.main === module) {
  // `netstack … | head`: the reader went away; what it did not want is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'), streamSink(process.stdout)).then(
    // exitCode, not exit(): a large trace piped elsewhere must be written out in full first.
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      // only a bug gets here: every input error is a ScenarioError with its position
      process.stderr.write(`netstack: internal error (a bug in netstack; please report it with the scenario that caused it):\n${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 70;
    },
  );
}
