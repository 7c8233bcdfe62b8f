// Running the netfilter examples and small inline scenarios from the tests.
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import * as assert from 'assert';
import type { Trace, TraceEvent } from '../../../src/trace/contract';
import { ScenarioErrors } from '../../../src/scenario/types';

export const ROOT = path.resolve(__dirname, '../../../..');

export function runExample(name: string): Trace {
  const file = path.join(ROOT, 'examples', name);
  return runScenarioText(fs.readFileSync(file, 'utf8'), `examples/${name}`, { readFile: (p) => fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8') });
}

export function run(text: string, files: Record<string, string> = {}): Trace {
  return runScenarioText(text, 'nf.yaml', {
    readFile: (p) => {
      if (!(p in files)) throw new Error('ENOENT: no such file');
      return files[p];
    },
  });
}

/** router between client (10.0.1.2) and server (10.0.2.2); extra setup lines for each host */
export function threeHosts(extra: { client?: string[]; router?: string[]; server?: string[] }, rest: string): string {
  const ind = (ls: string[] = []): string => ls.map((l) => `    ${l}\n`).join('');
  return `name: t
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
${ind(extra.client)}  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.1/24 dev eth0
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth0 up
    ip link set eth1 up
${ind(extra.router)}  server: |
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1
${ind(extra.server)}links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0
${rest}`;
}

/** netfilter events of a host: "fn table/chain rule verdict" */
export function nfEvents(t: Trace, host: string, pkt?: number): TraceEvent[] {
  return t.events.filter((e) => e.host === host && e.hook && (pkt === undefined || e.packet === pkt));
}

export function ipAt(hex: string, nh: number): { saddr: string; daddr: string; sport: number; dport: number; bytes: Uint8Array } {
  const b = Uint8Array.from(hex.match(/../g)!.map((x) => parseInt(x, 16)));
  const ip = (o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const ihl = (b[nh] & 15) * 4;
  return { saddr: ip(nh + 12), daddr: ip(nh + 16), sport: (b[nh + ihl] << 8) | b[nh + ihl + 1], dport: (b[nh + ihl + 2] << 8) | b[nh + ihl + 3], bytes: b };
}

/** one's-complement sum check of the IPv4 header at nh: true when right */
export function ipCsumOk(b: Uint8Array, nh: number): boolean {
  let s = 0;
  for (let i = 0; i < (b[nh] & 15) * 4; i += 2) s += (b[nh + i] << 8) | b[nh + i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** The one error a scenario gives: where it is and what it says. */
export function errAt(text: string, files: Record<string, string> = {}): { file: string; line: number; col: number; detail: string } {
  try {
    run(text, files);
  } catch (e) {
    if (e instanceof ScenarioErrors) {
      assert.strictEqual(e.errors.length, 1, e.message);
      const x = e.errors[0];
      return { file: x.pos.file, line: x.pos.line, col: x.pos.col, detail: x.detail };
    }
    throw e;
  }
  return assert.fail('expected an error');
}

export const T = 'traffic: []\n';
/** router setup line n (1-based among the extras) is scenario line 12 + n */
export const line = (n: number): number => 12 + n;
