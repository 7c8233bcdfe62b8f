import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace, TraceEvent } from '../../../src/trace/contract';

export const EXAMPLES = path.resolve(__dirname, '../../../../examples');

export function runExample(name: string): Trace {
  const file = path.join(EXAMPLES, `${name}.yaml`);
  return runScenarioText(fs.readFileSync(file, 'utf8'), file, { readFile: (p) => fs.readFileSync(path.resolve(EXAMPLES, p), 'utf8') });
}

/** A scenario file anywhere (files it names are read relative to it). */
export function runScenarioFile(file: string): Trace {
  return runScenarioText(fs.readFileSync(file, 'utf8'), file, { readFile: (p) => fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8') });
}

/** The kernel functions one packet passed through on one host, in order. */
export function fns(t: Trace, packet: number, host?: string): string[] {
  return t.events.filter((e) => e.packet === packet && (!host || e.host === host)).map((e) => e.fn);
}

/** Asserts that `want` appears in `have` in this order (other steps may come between). */
export function isSubsequence(have: string[], want: string[]): boolean {
  let i = 0;
  for (const h of have) if (h === want[i]) i++;
  return i === want.length;
}

export function firstPacket(t: Trace, pred: (summary: string) => boolean): number {
  const p = t.packets.find((x) => pred(x.summary));
  if (!p) throw new Error(`no packet matches; packets: ${t.packets.map((x) => x.summary).join(' | ')}`);
  return p.id;
}

export function eventsOf(t: Trace, packet: number, fn: string): TraceEvent[] {
  return t.events.filter((e) => e.packet === packet && e.fn === fn);
}
