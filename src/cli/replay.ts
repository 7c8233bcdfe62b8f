// `netstack replay CAPTURE --scenario FILE --into HOST:IF [--timing asis|max] [--json]`: what
// the model's kernel, with the scenario's setup and ruleset, does with each frame of a capture
// that arrives on HOST:IF. Prints each frame's fate, then a summary by fate, function, drop
// reason and rule. The scenario's own traffic runs first (it may open connections the capture
// continues), then the capture, streamed from the file. Runs at the fates level: no events.
import * as fs from 'fs';
import * as path from 'path';
import { fileChunks, scenarioCaptureOpener } from '../capture/file';
import { parseScenario } from '../scenario/parse';
import { runScenario } from '../scenario/run';
import type { CaptureSent } from '../scenario/runPcap';
import { ScenarioError, ScenarioErrors, type PcapItem, type Scenario, type Tok } from '../scenario/types';
import type { Fate, PacketInfo } from '../trace/contract';
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

/** The interface named by --into, checked against the scenario's links. */
function intoItem(sc: Scenario, into: string, capture: string): PcapItem | string {
  const colon = into.indexOf(':');
  if (colon <= 0 || colon === into.length - 1) return `--into ${into}: expected HOST:IF, like server:eth0`;
  const host = into.slice(0, colon);
  const ifname = into.slice(colon + 1);
  if (!sc.hosts.some((h) => h.name === host)) return `--into ${into}: the scenario has no host ${host}; hosts are ${sc.hosts.map((h) => h.name).join(', ')}`;
  const linked = sc.links.some((l) => [l.a, l.b].some((e) => e.host.text === host && e.ifname.text === ifname));
  if (!linked) return `--into ${into}: ${host} has no interface ${ifname} on a link (frames come from the wire, so the interface must be one end of a link)`;
  // line 0: not a place in the scenario (see the error printing in replayCommand)
  const pos = { file: capture, line: 0, col: 0 };
  const tok = (text: string): Tok => ({ text, pos });
  return { kind: 'pcap', pos, file: tok(capture), host: tok(host), ifname: tok(ifname), timing: 'asis' };
}

/** One group of the summary: a fate, and for a drop where and why. */
function groupKey(f: Fate): string {
  if (f.kind !== 'dropped') return f.kind;
  const reason = (f.reason ?? '').replace(/^SKB_DROP_REASON_/, '');
  return `dropped: ${f.fn} ${reason}${f.detail ? ` (${f.detail})` : ''}`;
}

export function summaryLine(groups: Map<string, number>): string {
  return [...groups.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n.toLocaleString('en')} ${k}`)
    .join('; ');
}

export async function replayCommand(argv: string[], sink: Sink, err: (s: string) => void): Promise<number> {
  const o = options(argv);
  if (typeof o === 'string') {
    err(`netstack replay: ${o}\nusage:\n${REPLAY_USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = fs.readFileSync(o.scenario, 'utf8');
  } catch (e) {
    err(`netstack: cannot read ${o.scenario}: ${(e as Error).message}`);
    return 2;
  }
  const dir = path.dirname(o.scenario);
  // per frame of the capture, kept compact (a capture may have millions): its packet id (-1 when
  // refused), its byte offset, and for refused frames why
  const sentPacket: number[] = [];
  const sentOffset: number[] = [];
  const refusedWhy = new Map<number, string>();
  let packets: Map<number, PacketInfo>;
  try {
    const sc = parseScenario(text, o.scenario);
    const item = intoItem(sc, o.into, o.capture);
    if (typeof item === 'string') {
      err(`netstack replay: ${item}`);
      return 2;
    }
    item.timing = o.timing;
    sc.traffic.push(item);
    const captureAt = sc.traffic.length - 1;
    const scenarioCaptures = scenarioCaptureOpener(dir);
    const trace = runScenario(sc, {
      level: 'fates',
      readFile: (p) => fs.readFileSync(path.resolve(dir, p), 'utf8'),
      // the capture on the command line is the user's own file; those the scenario names stay confined to its folder
      openCapture: (f, i) => (i === captureAt ? { [Symbol.iterator]: () => fileChunks(o.capture) } : scenarioCaptures(f)),
      onCaptureFrame: (s: CaptureSent) => {
        // only the frames of the command line's capture are reported
        if (s.item !== captureAt) return;
        if (s.refused) refusedWhy.set(sentPacket.length, s.refused);
        sentPacket.push(s.packet ?? -1);
        sentOffset.push(s.frame.offset);
      },
    });
    packets = new Map(trace.packets.map((p) => [p.id, p]));
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      const list = e instanceof ScenarioErrors ? e.errors : [e];
      err(list.map((x) => (x.pos.line === 0 ? `netstack replay: ${x.detail}` : x.message)).join('\n'));
      return 1;
    }
    throw e;
  }
  const groups = new Map<string, number>();
  const w = new LineWriter(sink);
  for (let i = 0; i < sentPacket.length; i++) {
    const id = sentPacket[i];
    const p = id >= 0 ? packets.get(id) : undefined;
    const refused = refusedWhy.get(i);
    const key = p ? groupKey(p.fate) : `not sent: ${(refused ?? '').replace(/:.*$/, '')}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
    const n = i + 1;
    if (o.json) {
      await w.line(JSON.stringify({ frame: n, offset: sentOffset[i], packet: p ? id : null, summary: p?.summary ?? null, fate: p ? p.fate : { kind: 'not-sent', detail: refused } }));
    } else if (p) {
      const f = p.fate;
      await w.line(`frame ${n} (#${p.id}) ${f.kind} ${f.host}:${f.fn}${f.reason ? ` ${f.reason}` : ''}${f.detail ? ` (${f.detail})` : ''}  ${p.summary}`);
    } else {
      await w.line(`frame ${n} not sent: ${refused}`);
    }
  }
  const summary = summaryLine(groups);
  if (o.json) await w.line(JSON.stringify({ summary: Object.fromEntries(groups), frames: sentPacket.length }));
  else await w.line(`${sentPacket.length.toLocaleString('en')} frame${sentPacket.length === 1 ? '' : 's'}: ${summary || 'none'}`);
  await w.flush();
  sink.end?.();
  return 0;
}
