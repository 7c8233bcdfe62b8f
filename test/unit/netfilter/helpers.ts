// Running the netfilter examples and small inline scenarios from the tests.
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import * as assert from 'assert';
import type { NfHookName, Trace, TraceEvent } from '../../../src/trace/contract';
import { ScenarioError, ScenarioErrors } from '../../../src/scenario/types';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import type { EvalCtx, Expr, Rule } from '../../../src/model/net/netfilter/nf_tables';
import { pktinfo, pktinfoDone } from '../../../src/model/net/netfilter/nf_pktinfo';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';

export const ROOT = path.resolve(__dirname, '../../../..');

export function runExample(name: string): Trace {
  const file = path.join(ROOT, 'examples', name);
  return runScenarioText(fs.readFileSync(file, 'utf8'), `examples/${name}`, { readFile: (p) => fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8') });
}

/** Runs a scenario of test/fidelity/found/ (each one agrees with the real kernel). */
export function runFound(name: string): Trace {
  const file = path.join(ROOT, 'test/fidelity/found', name);
  return runScenarioText(fs.readFileSync(file, 'utf8'), file);
}

/** "kind fn" of the fate of the first packet whose summary matches `re`. */
export function fateOf(t: Trace, re: RegExp): string {
  const p = t.packets.find((x) => re.test(x.summary));
  if (!p) throw new Error(`no packet matches ${re}`);
  return `${p.fate.kind} ${p.fate.fn}`;
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

/** threeHosts in IPv6: client 2001:db8:1::10 — router — server 2001:db8:2::20 (no route back when `back` is false) */
export function threeHosts6(extra: { client?: string[]; router?: string[]; server?: string[]; back?: boolean }, rest: string): string {
  const ind = (ls: string[] = []): string => ls.map((l) => `    ${l}\n`).join('');
  return `name: t
hosts:
  client: |
    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
    ip link set eth0 up
    ip -6 route add default via 2001:db8:1::1
${ind(extra.client)}  router: |
    sysctl -w net.ipv6.conf.all.forwarding=1
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip -6 addr add 2001:db8:2::1/64 dev eth1 nodad
    ip link set eth0 up
    ip link set eth1 up
${ind(extra.router)}  server: |
    ip -6 addr add 2001:db8:2::20/64 dev eth0 nodad
    ip link set eth0 up
${extra.back === false ? '' : '    ip -6 route add default via 2001:db8:2::1\n'}${ind(extra.server)}links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0
${rest}`;
}

/** traffic items sent from the client */
export const fromClient = (sends: string[]): string => sends.map((t) => `  - from: client\n    send: ${t}\n`).join('');

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

export type Net = ReturnType<World['addHost']>;

/** iptables lines of the unit tests: load the lines into one host; the rules of the last line's chain. */
export function loadAll(lines: string[]): { net: Net; rules: Rule[] } {
  const net = new World().addHost('h');
  for (const l of lines) runIptables(net, splitFileLine(`iptables ${l}`, 'x', 1));
  const last = lines[lines.length - 1];
  const t = /-t (\S+)/.exec(last)?.[1] ?? 'filter';
  const chain = NfEngine.of(net).table('ip', t)!.chains.get(/-A (\S+)/.exec(last)![1])!;
  return { net, rules: chain.rules };
}

/** The detail of the ScenarioError `load` throws, or 'accepted'. */
export function refusal(load: () => unknown): string {
  try {
    load();
  } catch (e) {
    if (e instanceof ScenarioError) return e.detail;
    throw e;
  }
  return 'accepted';
}

export const refused = (line: string): string => refusal(() => loadAll([line]));

/** An IPv4 packet: 20-byte header (protocol, tos, ttl, fragment field) then the transport bytes. */
export function pkt(proto: number, l4: number[], o: { saddr?: number; daddr?: number; ttl?: number; tos?: number; frag?: number } = {}): SkBuff {
  const len = 20 + l4.length;
  const skb = new SkBuff(len, 1);
  skb.put(len);
  skb.network_header = 0;
  const b = skb.buf;
  b.set([0x45, o.tos ?? 0, len >> 8, len & 255, 0, 1, (o.frag ?? 0) >> 8, (o.frag ?? 0) & 255, o.ttl ?? 64, proto, 0, 0]);
  const sa = o.saddr ?? 0x0a000001;
  const da = o.daddr ?? 0x0a000002;
  b.set([sa >>> 24, (sa >>> 16) & 255, (sa >>> 8) & 255, sa & 255, da >>> 24, (da >>> 16) & 255, (da >>> 8) & 255, da & 255], 12);
  b.set(l4, 20);
  return skb;
}

/** Run one rule's expressions (not the counter) on a packet: true, false or a verdict code. */
export function evalRule(net: Net, rule: Rule, skb: SkBuff, hook: NfHookName = 'NF_INET_LOCAL_IN'): boolean | string {
  const e = NfEngine.of(net);
  const p = pktinfo(skb, hook, net.devices.get('lo') ?? null, null);
  try {
    const chain = [...e.tables[0].chains.values()].find((c) => c.rules.includes(rule)) ?? e.tables[0].chains.values().next().value!;
    const x: EvalCtx = { nf: e, net, p, chain, rule };
    for (const ex of rule.exprs as Expr[]) {
      if (ex.text === 'counter') continue;
      const v = ex.eval(x);
      if (v === false) return false;
      if (v !== true) return v.code;
    }
    return true;
  } finally {
    pktinfoDone();
  }
}

export const one = (line: string, skb: SkBuff): boolean | string => {
  const r = loadAll([line]);
  return evalRule(r.net, r.rules[0], skb);
};

/** The TCP checksum over the pseudo header and the segment of a packet made by pkt(): 0xffff when right. */
export function tcpSum(b: Uint8Array, len: number): number {
  let s = 6 + (len - 20);
  for (let i = 12; i < 20; i += 2) s += (b[i] << 8) | b[i + 1];
  for (let i = 20; i < len; i += 2) s += (b[i] << 8) | (i + 1 < len ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
export function withTcpSum(skb: SkBuff): SkBuff {
  const b = skb.buf;
  b[36] = 0;
  b[37] = 0;
  const v = ~tcpSum(b, skb.len) & 0xffff;
  b[36] = v >> 8;
  b[37] = v & 255;
  return skb;
}
/** a TCP header (ports 1000 → 80), flags, and options after the 20 bytes */
export const tcp = (flags: number, opts: number[] = []): number[] => [0x03, 0xe8, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, ((20 + opts.length) / 4) << 4, flags, 0xff, 0xff, 0, 0, 0, 0, ...opts];

/**
 * a (2001:db8:1::1) and b (2001:db8:1::2) on one link, each with `v4` 10.0.0.1 and .2 too; extra
 * setup lines for each, listeners (`- b: udp [::]:53`), and traffic lines as the YAML reads them.
 */
export function twoHosts(o: { a: string[]; b?: string[]; v4?: boolean; listen?: string[]; traffic: string[] }): string {
  const host = (n: number, extra: string[]): string =>
    [`ip -6 addr add 2001:db8:1::${n}/64 dev eth0 nodad`, ...(o.v4 ? [`ip addr add 10.0.0.${n}/24 dev eth0`] : []), 'ip link set eth0 up', ...extra].map((l) => `    ${l}\n`).join('');
  const listen = o.listen?.length ? `listen:\n${o.listen.map((l) => `  ${l}\n`).join('')}` : '';
  return `name: t\nhosts:\n  a: |\n${host(1, o.a)}  b: |\n${host(2, o.b ?? [])}links:\n  - a:eth0 b:eth0\n${listen}traffic:\n${o.traffic.map((l) => `  ${l}\n`).join('')}`;
}

/** An IPv6 packet to UDP with the given extension headers (each: next-header type, bytes). */
export function pkt6(hdrs: [number, number[]][], udp = true): SkBuff {
  const body: number[] = [];
  const types = hdrs.map((h) => h[0]);
  hdrs.forEach(([, bytes], i) => {
    const b = [...bytes];
    b[0] = i + 1 < hdrs.length ? types[i + 1] : udp ? 17 : 59;
    body.push(...b);
  });
  if (udp) body.push(0x9c, 0x40, 0x1b, 0x58, 0, 8, 0, 0);
  const b = new Uint8Array(40 + body.length);
  b[0] = 0x60;
  b[4] = body.length >> 8;
  b[5] = body.length & 255;
  b[6] = hdrs.length ? types[0] : 17;
  b[7] = 64;
  b[8] = 0x20;
  b[9] = 0x01;
  b[24] = 0x20;
  b[25] = 0x01;
  b.set(body, 40);
  const skb = new SkBuff(b.length, 1);
  skb.put(b.length);
  skb.network_header = 0;
  skb.buf.set(b);
  return skb;
}

/** a fragment header: offset (bytes), M flag, id */
export const fragHdr = (off: number, more: boolean, id: number): [number, number[]] => [44, [0, 0, (off >> 8) & 0xff, (off & 0xf8) | (more ? 1 : 0), id >>> 24, (id >> 16) & 255, (id >> 8) & 255, id & 255]];
export const optsHdr = (type: number, len8: number): [number, number[]] => [type, [0, len8 - 1, 1, (len8 * 8) - 4, ...new Array(len8 * 8 - 4).fill(0)]];
export const rtHdr = (type: number, segs: number): [number, number[]] => [43, [0, 0, type, segs, 0, 0, 0, 0]];

/** listeners on the server's UDP 5000 and 5001, and one datagram from the client per item: [port, at?] */
export const udpItems = (items: [number, string?][]): string => `listen:
  - server: udp 5000
  - server: udp 5001
traffic:
${items.map(([port, at], i) => `  - ${at ? `at: ${at}\n    ` : ''}from: client\n    send: udp to 10.0.2.2:${port} from :${40000 + i}`).join('\n')}
`;

/** where each UDP datagram ended, as `kind@host` */
export const udpFates = (t: Trace): string[] => t.packets.filter((p) => /: UDP,/.test(p.summary)).map((p) => `${p.fate.kind}@${p.fate.host}`);

/**
 * client 192.168.1.10 and server 192.168.1.20 on one link; `server` lines follow the server's
 * address, `rest` (listen:, traffic:) follows the links
 */
export const clientServer = (server: string[], rest: string): string => `name: t
hosts:
  client: |
    ip addr add 192.168.1.10/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 192.168.1.20/24 dev eth0
    ip link set eth0 up
${server.map((l) => `    ${l}\n`).join('')}links:
  - client:eth0 server:eth0
${rest}`;
