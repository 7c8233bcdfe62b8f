// `netstack replay CAPTURE --scenario FILE --into HOST:IF [--timing asis|max] [--json]`: what
// the model's kernel, with the scenario's setup and ruleset, does with each frame of a capture
// that arrives on HOST:IF. Prints each frame's fate, then a summary by fate, function, drop
// reason and rule. The scenario's own traffic runs first (it may open connections the capture
// continues), then the capture, streamed from the file. Runs at the fates level: no events.
import * as path from 'path';
import { fileChunks, scenarioCaptureOpener } from '../capture/file';
import { parseScenario } from '../scenario/parse';
import { readScenarioFile, scenarioFileReader } from '../scenario/files';
import { replayItem, runReplay, summaryLine, type ReplayRun } from '../scenario/replay';
import { ScenarioError, ScenarioErrors } from '../scenario/types';
import { LineWriter, type Sink } from './stream';

export const REPLAY_USAGE = `  netstack replay CAPTURE --scenario FILE --into HOST:IF [--timing asis|max] [--json]
                                   send a capture's frames (pcap or pcapng, Ethernet) into HOST:IF
                                   of a scenario and print what becomes of each, and a summary`;

interface Options {
  capture: string;
  scenario: string;
  into: string;
  timing: 'asis' | 'max';
  json: boolean;
}

function options(argv: string[]): Options | string {
  const o: Partial<Options> = { timing: 'asis', json: false };
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--scenario' || a === '--into' || a === '--timing') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
      if (a === '--scenario') o.scenario = v;
      else if (a === '--into') o.into = v;
      else if (v === 'asis' || v === 'max') o.timing = v;
      else return `--timing ${v}: expected asis or max`;
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else pos.push(a);
  }
  if (pos.length !== 1) return 'give exactly one capture file';
  if (!o.scenario) return '--scenario FILE is needed: the network the capture is replayed into';
  if (!o.into) return '--into HOST:IF is needed: the interface the frames arrive on';
  return { ...(o as Options), capture: pos[0] };
}

export async function replayCommand(argv: string[], sink: Sink, err: (s: string) => void): Promise<number> {
  const o = options(argv);
  if (typeof o === 'string') {
    err(`netstack replay: ${o}\nusage:\n${REPLAY_USAGE}`);
    return 2;
  }
  let text: string;
  try {
    // read with the care `netstack trace` takes: a regular file within the size limit
    text = readScenarioFile(o.scenario);
  } catch (e) {
    err(`netstack: cannot read ${o.scenario}: ${(e as Error).message}`);
    return 2;
  }
  const dir = path.dirname(o.scenario);
  let run: ReplayRun;
  try {
    const sc = parseScenario(text, o.scenario);
    const item = replayItem(sc, o.into, o.capture, o.timing);
    if (typeof item === 'string') {
      err(`netstack replay: --into ${item}`);
      return 2;
    }
    run = runReplay(sc, item, () => ({ [Symbol.iterator]: () => fileChunks(o.capture) }), {
      // the rules files the scenario names are confined to its folder, as for `netstack trace`
      readFile: scenarioFileReader(o.scenario),
      // the capture on the command line is the user's own file; those the scenario names stay confined to its folder
      openCapture: scenarioCaptureOpener(dir),
    });
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      const list = e instanceof ScenarioErrors ? e.errors : [e];
      err(list.map((x) => (x.pos.line === 0 ? `netstack replay: ${x.detail}` : x.message)).join('\n'));
      return 1;
    }
    throw e;
  }
  const { groups } = run;
  const w = new LineWriter(sink);
  for (let i = 0; i < run.frames; i++) {
    const { frame: n, offset, packet: p, refused } = run.frame(i);
    if (o.json) {
      await w.line(JSON.stringify({ frame: n, offset, packet: p ? p.id : null, summary: p?.summary ?? null, fate: p ? p.fate : { kind: 'not-sent', detail: refused } }));
    } else if (p) {
      const f = p.fate;
      await w.line(`frame ${n} (#${p.id}) ${f.kind} ${f.host}:${f.fn}${f.reason ? ` ${f.reason}` : ''}${f.detail ? ` (${f.detail})` : ''}  ${p.summary}`);
    } else {
      await w.line(`frame ${n} not sent: ${refused}`);
    }
  }
  const summary = summaryLine(groups);
  if (o.json) await w.line(JSON.stringify({ summary: Object.fromEntries(groups), frames: run.frames }));
  else await w.line(`${run.frames.toLocaleString('en')} frame${run.frames === 1 ? '' : 's'}: ${summary || 'none'}`);
  await w.flush();
  sink.end?.();
  return 0;
}
