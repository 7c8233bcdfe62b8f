// Replaying a capture into a scenario, shared by `netstack replay` and VS Code's "Replay
// Capture…": the capture's frames arrive on HOST:IF after the scenario's own traffic (which may
// open connections the capture continues), at the fates level, and each frame's end is kept
// compactly (a capture may hold millions) and grouped by fate, function, drop reason and rule.
// No file system here: the caller opens the capture.
import type { Fate, PacketInfo, Trace } from '../trace/contract';
import { runScenario, type RunOptions } from './run';
import type { CaptureSent } from './runPcap';
import type { PcapItem, Scenario, Tok } from './types';

/**
 * The traffic item for a capture that arrives on `into` (HOST:IF), checked against the scenario's
 * links; else why not, in words that start with `--into`'s value. `capture` is how errors name
 * the capture (its path).
 */
export function replayItem(sc: Scenario, into: string, capture: string, timing: 'asis' | 'max' = 'asis'): PcapItem | string {
  const colon = into.indexOf(':');
  if (colon <= 0 || colon === into.length - 1) return `${into}: expected HOST:IF, like server:eth0`;
  const host = into.slice(0, colon);
  const ifname = into.slice(colon + 1);
  if (!sc.hosts.some((h) => h.name === host)) return `${into}: the scenario has no host ${host}; hosts are ${sc.hosts.map((h) => h.name).join(', ')}`;
  const linked = sc.links.some((l) => [l.a, l.b].some((e) => e.host.text === host && e.ifname.text === ifname));
  if (!linked) return `${into}: ${host} has no interface ${ifname} on a link (frames come from the wire, so the interface must be one end of a link)`;
  // line 0: not a place in the scenario (errors at line 0 are told without a position)
  const pos = { file: capture, line: 0, col: 0 };
  const tok = (text: string): Tok => ({ text, pos });
  return { kind: 'pcap', pos, file: tok(capture), host: tok(host), ifname: tok(ifname), timing };
}

/**
 * The ends of a scenario's links (`- a:eth0 b:eth0`) read from its text without parsing or
 * running it, to offer as HOST:IF before a run (replayItem checks the choice).
 */
export function linkEnds(text: string): string[] {
  const out: string[] = [];
  let inLinks = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inLinks = /^links:/.test(line);
    else if (inLinks) {
      const m = /^\s*-\s*([\w.-]+:[\w.@-]+)\s+([\w.-]+:[\w.@-]+)/.exec(line);
      if (m) out.push(m[1], m[2]);
    }
  }
  return [...new Set(out)];
}

/** One group of the summary: a fate, and for a drop where and why (the rule is in the detail). */
export function replayGroup(f: Fate | undefined, refused?: string): string {
  if (!f) return `not sent: ${(refused ?? '').replace(/:.*$/, '')}`;
  if (f.kind !== 'dropped') return f.kind;
  const reason = (f.reason ?? '').replace(/^SKB_DROP_REASON_/, '');
  return `dropped: ${f.fn} ${reason}${f.detail ? ` (${f.detail})` : ''}`;
}

/** The groups, largest first: `9,812 delivered; 140 dropped: nft_do_chain NETFILTER_DROP (…)`. */
export function summaryLine(groups: Map<string, number>): string {
  return sortedGroups(groups)
    .map(([k, n]) => `${n.toLocaleString('en')} ${k}`)
    .join('; ');
}

export function sortedGroups(groups: Map<string, number>): [string, number][] {
  return [...groups.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** What became of one frame of the capture. */
export interface ReplayedFrame {
  /** 1-based, in capture order */
  frame: number;
  /** the frame's byte offset in the capture */
  offset: number;
  /** the model's packet, or undefined when the frame was refused before the wire */
  packet?: PacketInfo;
  /** why it was refused (the errno a replay tool would get) */
  refused?: string;
  group: string;
}

export interface ReplayRun {
  trace: Trace;
  /** how many frames the capture had */
  frames: number;
  /** frame count per group */
  groups: Map<string, number>;
  /** frame `i` (0-based) */
  frame(i: number): ReplayedFrame;
}

export interface ReplayOptions extends RunOptions {
  /**
   * Re-execute only a window of the capture's frames (0-based, both ends included) with the full
   * trace: the frames before it go at the fates level, none after it is read (RunOptions.record).
   */
  frames?: { from: number; until: number };
}

/** Frames of context a re-executed window keeps on each side of the frame it opens. */
export const REPLAY_WINDOW_CONTEXT = 4;

/** The window that opens frame `frame` (0-based): a few frames before it and after it. */
export function frameWindow(frame: number, context = REPLAY_WINDOW_CONTEXT): { from: number; until: number } {
  return { from: Math.max(0, frame - context), until: frame + context };
}

/**
 * Run `sc` with the capture appended as its last traffic item, at the fates level (no events).
 * `open` gives the capture's bytes; the scenario's own captures go through `opts.openCapture`.
 * Throws what runScenario throws (ScenarioError(s), with the capture's errors at line 0).
 */
export function runReplay(sc: Scenario, item: PcapItem, open: () => Iterable<Uint8Array>, opts: ReplayOptions = {}): ReplayRun {
  // per frame, kept compact: its packet id (-1 when refused), its byte offset, why it was refused
  const sentPacket: number[] = [];
  const sentOffset: number[] = [];
  const refusedWhy = new Map<number, string>();
  const withCapture: Scenario = { ...sc, traffic: [...sc.traffic, item] };
  const captureAt = withCapture.traffic.length - 1;
  const scenarioCaptures = opts.openCapture;
  const { frames, ...rest } = opts;
  const trace = runScenario(withCapture, {
    ...rest,
    ...(frames && { record: { item: captureAt, fromFrame: frames.from, untilFrame: frames.until } }),
    level: opts.level ?? 'fates',
    openCapture: (f, i) => {
      if (i === captureAt) return open();
      if (!scenarioCaptures) throw new Error('this run was given no capture reader');
      return scenarioCaptures(f, i);
    },
    onCaptureFrame: (s: CaptureSent) => {
      opts.onCaptureFrame?.(s);
      // only the frames of the replayed capture are reported
      if (s.item !== captureAt) return;
      if (s.refused) refusedWhy.set(sentPacket.length, s.refused);
      sentPacket.push(s.packet ?? -1);
      sentOffset.push(s.frame.offset);
    },
  });
  const packets = new Map(trace.packets.map((p) => [p.id, p]));
  const frame = (i: number): ReplayedFrame => {
    const id = sentPacket[i];
    const packet = id >= 0 ? packets.get(id) : undefined;
    const refused = refusedWhy.get(i);
    return { frame: i + 1, offset: sentOffset[i], packet, refused, group: replayGroup(packet?.fate, refused) };
  };
  const groups = new Map<string, number>();
  for (let i = 0; i < sentPacket.length; i++) {
    const g = frame(i).group;
    groups.set(g, (groups.get(g) ?? 0) + 1);
  }
  return { trace, frames: sentPacket.length, groups, frame };
}
