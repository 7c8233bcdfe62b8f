// Replays one scenario on the running kernel: one namespace per host, a veth pair per link with
// the scenario's interface names and the model's MAC addresses, IPv6 off, the setup lines run
// verbatim; then listeners, captures, nft tracing and nstat baselines; then the traffic, paced
// as the model paced it (a timed item, `at: +5ms`, that long after the previous one's start and
// without waiting for quiet in between); then everything is read back and torn down.
import { linkUpWaitMs, v6Pinned, V6_SETTLE_MS, type Mark } from './link_up';
export { V6_PINNED, v6Pinned } from './link_up';
import { describeLinkUp, parseSll2Pcap } from './link_up_frames';
import * as fs from 'fs';
import * as path from 'path';
import type { Scenario, TrafficItem } from '../scenario/types';
import type { Trace } from '../trace/contract';
import { deriveMac } from '../model/proto/addr';
import { Netns, Proc, sleep, CmdError } from './lab';
import { missingFeature, PINNED_SYSCTLS } from './exceptions';
import { countFor, type DropTracer } from './drops';
import { PY_HELPER, pythonPath } from './helper';
import { errnoName } from './errno';
import { usesIpv6 } from '../scenario/ipv6_use';
import { QUIET_POLL_MS, settles, settleWaitMs } from './pacing';
import { groupPasses, parseNftRuleset, parseNftTrace, parseNstatJson, parsePcap, parsePing, type NftChainInfo } from './parse';
import { injectedFrames, itemDurations, maskPort, modelDrops, observeModel, pingKind, type Observation, type HookPass } from './observe';

export const OWN_TABLE = 'nsx_fidelity_trace';

/** How long the harness waits at most for the nft trace monitors to print what the model traced. */
export const MONITOR_CATCH_UP_MS = 10000;

/** Hook entries per pass, summed: what a host's trace holds, however the passes are split. */
const hookCount = (passes: { hooks: unknown[] }[]): number => passes.reduce((n, p) => n + p.hooks.length, 0);

/**
 * Waits until each host's `nft monitor trace` has printed at least as many hook entries as the
 * model traced there, and then until its output stops growing. On a loaded machine (load 30 and
 * more) the monitor reads its netlink socket late, and stopping it at once lost the last packets'
 * passes while the counters agreed (gen-990047-30: the kernel's trace ended at an `output` hook
 * line, the rest of that pass and three more packets unread). This only waits (up to
 * MONITOR_CATCH_UP_MS): a host whose kernel trace really has fewer passes is compared as it is.
 */
async function monitorsCaughtUp(monitors: { host: string; proc: Proc }[], chains: Map<string, Map<string, NftChainInfo>>, trace: Trace): Promise<void> {
  const model = observeModel(trace, new Set()).hooks;
  const end = Date.now() + MONITOR_CATCH_UP_MS;
  const behind = (m: { host: string; proc: Proc }): boolean => hookCount(groupPasses(parseNftTrace(m.proc.out), OWN_TABLE, chains.get(m.host)!)) < hookCount(model.get(m.host) ?? []);
  while (Date.now() < end && monitors.some(behind)) await sleep(250);
  // the last pass may still be half printed
  let last = monitors.map((m) => m.proc.out.length).join();
  while (Date.now() < end) {
    await sleep(250);
    const now = monitors.map((m) => m.proc.out.length).join();
    if (now === last) break;
    last = now;
  }
}

/** The frames packet_snd sent during traffic item `i` (a capture item sends many). */
function itemFrames(t: Trace, marks: { events: number }[], i: number): { host: string; dev: string; bytes: Uint8Array; time: number }[] {
  const out: { host: string; dev: string; bytes: Uint8Array; time: number }[] = [];
  for (let k = marks[i].events; k < marks[i + 1].events; k++) {
    const e = t.events[k];
    if (e.fn === 'packet_snd' && e.skb?.dev) out.push({ host: e.host, dev: e.skb.dev, bytes: Buffer.from(e.skb.bytes.slice(e.skb.data * 2, e.skb.tail * 2), 'hex'), time: e.time });
  }
  return out;
}
/**
 * How long a listener, tcpdump or a listener's final read may take to answer. Generous: on a
 * loaded machine (many scenarios at once, other work) starting python3 or tcpdump takes
 * seconds, and a scenario that gives up there reports an error instead of a comparison.
 */
export const STARTUP_MS = 60000;

/** The harness's own trace tables: the earliest priority on every IPv4 hook, in `ip` and `inet`. */
export { V6_SETTLE_MS };
/** The longest link-up the harness waits out (a finite router solicitation series can last hours). */
export const LINK_UP_MAX_MS = 60000;

/** nft's names of the neighbour discovery messages (ICMPv6 133-137), as its trace prints them. */
const ND_TYPES = new Set(['nd-router-solicit', 'nd-router-advert', 'nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-redirect']);

export function traceRuleset(): string {
  const hooks = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
  const chains = hooks.map((h) => `  chain ${h} { type filter hook ${h} priority -2147483648; policy accept; meta nftrace set 1; }`).join('\n');
  return `table ip ${OWN_TABLE} {\n${chains}\n}\ntable inet ${OWN_TABLE} {\n${chains}\n}\n`;
}

export interface KernelRun {
  obs: Observation;
  /** problems that make the run not comparable (a setup line failed …) */
  errors: string[];
  notes: string[];
  /** "host:if" → captured or why not */
  captured: Set<string>;
  /** why the scenario cannot be replayed on this kernel at all (a feature it was built without) */
  unsupported: string[];
  /** how long the traffic really took on the kernel (ms): longer than the model's on a loaded machine */
  trafficMs?: number;
  /** net.ipv6.icmp.ratelimit of a new namespace (ms): 100 on a kernel with 0201eedb69b2 (variant_check.ts) */
  icmpv6Ratelimit?: number;
}

/**
 * The payload `udp_sendmsg` / `udpv6_sendmsg` in the model writes when the scenario gives none:
 * a…z repeated. `size` is the IP packet's length: 28 bytes of IPv4 and UDP headers (60 by
 * default), 48 of IPv6 and UDP (80 by default).
 */
export function udpPayload(size: number | undefined, payload: string | undefined, v6 = false): Buffer {
  if (payload !== undefined) return Buffer.from(payload, 'utf8');
  const n = v6 ? (size ?? 80) - 48 : (size ?? 60) - 28;
  return Buffer.from(Array.from({ length: Math.max(0, n) }, (_, i) => 0x61 + (i % 26)));
}

/**
 * Is `addr` a broadcast address for `host`: the limited broadcast, or the broadcast address of
 * one of its subnets (as `ip addr add` computes it, or as its `broadcast` option gives it)?
 */
export function isBroadcastFor(sc: Scenario, host: string, addr: string): boolean {
  if (addr === '255.255.255.255') return true;
  const num = (a: string): number => a.split('.').reduce((x, o) => ((x << 8) | Number(o)) >>> 0, 0);
  const want = num(addr);
  for (const c of sc.hosts.find((h) => h.name === host)?.setup ?? []) {
    if (c.kind !== 'addr-add') continue;
    if (c.broadcast !== undefined && c.broadcast !== '+' && c.broadcast === addr) return true;
    if (c.plen < 31 && (num(c.addr) | (0xffffffff >>> c.plen)) >>> 0 === want) return true;
  }
  return false;
}

/** A sender's answer as a send result: the name of the errno it failed with, or "ok". */
function sendResult(v: Record<string, unknown>): string {
  return v.error ? errnoName(String(v.error), Number(v.errno) || undefined) : 'ok';
}

/**
 * ping's command line. To a broadcast address ping needs `-b` (it refuses otherwise: "Do you
 * want to ping broadcast? Then -b"), which sets SO_BROADCAST on its socket, as the model's ping
 * socket is.
 */
export function pingArgs(s: { to: { text: string }; count: number; ttl?: number; size?: number; df?: boolean }, broadcast = false): string[] {
  const a = ['ping', '-n', '-c', String(s.count), '-i', '1', '-W', '10'];
  // `size` is the IP packet's length: 28 bytes of IPv4 and ICMP headers, 48 of IPv6 and ICMPv6
  const v6 = s.to.text.includes(':');
  if (broadcast) a.push('-b');
  if (s.ttl !== undefined) a.push('-t', String(s.ttl));
  if (s.size !== undefined && s.size !== (v6 ? 104 : 84)) a.push('-s', String(s.size - (v6 ? 48 : 28)));
  if (s.df === true) a.push('-M', 'do');
  if (s.df === false) a.push('-M', 'dont');
  a.push(s.to.text);
  return a;
}


function printable(b: Buffer): string {
  const s = Array.from(b.subarray(0, 64), (c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : '.')).join('');
  return b.length > 64 ? `${s}…` : s;
}

export async function replay(sc: Scenario, trace: Trace, marks: Mark[], prefix: string, dir: string, log: (s: string) => void, drops?: DropTracer): Promise<KernelRun> {
  const errors: string[] = [];
  const notes: string[] = [];
  const unsupported: string[] = [];
  const ns = new Map<string, Netns>();
  const procs: Proc[] = [];
  const captured = new Set<string>();
  const obs: Observation = { frames: new Map(), hooks: new Map(), counters: {}, sockets: new Map(), pings: [], sends: [] };
  const nsName = (h: string): string => `${prefix}-${h}`;
  let icmpv6Ratelimit: number | undefined;
  try {
    // hosts: namespace, lo up, IPv6 off (before any device is made, so new devices inherit it)
    const v6 = usesIpv6(sc);
    for (const h of sc.hosts) {
      const n = Netns.create(nsName(h.name));
      ns.set(h.name, n);
      n.exec(['ip', 'link', 'set', 'lo', 'up']);
      if (icmpv6Ratelimit === undefined) icmpv6Ratelimit = Number(n.exec(['sysctl', '-n', 'net.ipv6.icmp.ratelimit']).trim()) || undefined;
      // a scenario that uses IPv6 keeps it on; unless it sets them, its devices send no router
      // solicitations (v6Pinned). Any other runs with IPv6 off, as the model runs it (docs/fidelity.md)
      if (v6 && v6Pinned(sc).length) n.exec(['sysctl', '-qw', ...v6Pinned(sc).map((p) => `${p.key}=${p.value}`)]);
      else if (!v6) n.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      for (const p of PINNED_SYSCTLS) n.exec(['sysctl', '-qw', `${p.key}=${p.value}`]);
    }
    for (const l of sc.links) {
      const [a, b] = [l.a, l.b];
      ns.get(a.host.text)!.exec([
        'ip', 'link', 'add', 'name', a.ifname.text, 'address', deriveMac(a.host.text, a.ifname.text),
        'type', 'veth', 'peer', 'name', b.ifname.text, 'netns', nsName(b.host.text), 'address', deriveMac(b.host.text, b.ifname.text),
      ]);
      if (l.kind === 'nic') notes.push(`link ${a.host.text}:${a.ifname.text} ${b.host.text}:${b.ifname.text} is a "nic" in the model (NAPI, pfifo_fast) but a veth pair here: what is compared is what a veth shows too (frames, counters, hooks)`);
    }
    // IPv6's link-up traffic: one capture per namespace from before the setup lines (an `any`
    // capture: a device cannot be captured on before it is up) to the end of the link-up wait
    const linkUpDumps: { host: string; file: string; proc: Proc }[] = [];
    if (v6) {
      for (const h of sc.hosts) {
        const file = path.join(dir, `linkup-${h.name}.pcap`);
        const p = ns.get(h.name)!.spawn(['tcpdump', '-i', 'any', '-y', 'LINUX_SLL2', '-Q', 'out', '-w', file, '-U', '-n', '-s', '0', '-Z', 'root', '--immediate-mode', 'ip6']);
        procs.push(p);
        if (!(await p.until((_o, e) => /listening on/.test(e), STARTUP_MS))) errors.push(`tcpdump -i any on ${h.name} (the link-up capture) did not start: ${p.err.trim()}`);
        else linkUpDumps.push({ host: h.name, file, proc: p });
      }
      if (errors.length) return { obs, errors, notes, captured, unsupported };
    }
    // a long finite router solicitation series keeps the model's link-up going, and the harness
    // would wait it out in real time
    if (v6 && linkUpWaitMs(marks, V6_SETTLE_MS) > LINK_UP_MAX_MS) {
      unsupported.push(`the model's link-up lasts ${Math.round(linkUpWaitMs(marks, V6_SETTLE_MS) / 1000)} s (router solicitations: router_solicitations × rs_interval), more than the ${LINK_UP_MAX_MS / 1000} s the harness waits for one`);
      return { obs, errors, notes, captured, unsupported };
    }
    // the setup lines, verbatim, in order
    const cwd = path.dirname(path.resolve(sc.file));
    for (const h of sc.hosts) {
      for (const line of h.script ?? []) {
        try {
          // the one piece of shell a setup line may use: `< FILE` (iptables-restore < rules.v4);
          // files are found next to the scenario, as the model finds them
          const lt = line.argv.indexOf('<');
          if (lt >= 0 && lt === line.argv.length - 2) ns.get(h.name)!.exec(line.argv.slice(0, lt), { cwd, input: fs.readFileSync(path.resolve(cwd, line.argv[lt + 1]), 'utf8') });
          else ns.get(h.name)!.exec(line.argv, { cwd });
        } catch (e) {
          const missing = missingFeature(line.argv);
          if (missing) unsupported.push(`setup of ${h.name}, line ${line.pos.line} \`${line.text}\`: ${missing}`);
          else errors.push(`setup of ${h.name}, line ${line.pos.line} \`${line.text}\` failed on the kernel: ${e instanceof CmdError ? e.stderr.trim() : String(e)}`);
        }
      }
    }
    if (errors.length || unsupported.length) return { obs, errors, notes, captured, unsupported };
    // IPv6's link-up traffic (DAD of the link-local addresses, the unsolicited MLD reports and
    // their retransmission) is over before captures and counters start (docs/fidelity.md)
    if (v6) {
      await sleep(linkUpWaitMs(marks, V6_SETTLE_MS));
      obs.linkUp = new Map();
      for (const d of linkUpDumps) {
        await d.proc.stop('SIGINT');
        const names = new Map((JSON.parse(ns.get(d.host)!.exec(['ip', '-j', 'link', 'show'])) as { ifindex: number; ifname: string }[]).map((l) => [l.ifindex, l.ifname]));
        for (const f of fs.existsSync(d.file) ? parseSll2Pcap(fs.readFileSync(d.file)) : []) {
          const k = `${d.host}:${names.get(f.ifindex) ?? `ifindex ${f.ifindex}`}`;
          if (!obs.linkUp.has(k)) obs.linkUp.set(k, []);
          obs.linkUp.get(k)!.push(f.packet);
        }
      }
      if (process.env.NSX_FIDELITY_DEBUG) for (const [k, l] of obs.linkUp) log(`  debug link-up on ${k}: ${l.map((p) => `${describeLinkUp(p)} [${Buffer.from(p).toString("hex")}]`).join("; ")}`);
    }
    // nft tracing, after the setup (a setup line may flush the ruleset)
    const chains = new Map<string, Map<string, NftChainInfo>>();
    for (const h of sc.hosts) {
      const n = ns.get(h.name)!;
      n.exec(['nft', '-f', '-'], { input: traceRuleset() });
      chains.set(h.name, parseNftRuleset(n.exec(['nft', '-j', '-a', 'list', 'ruleset'])));
    }
    // listeners
    const listeners: { key: string; proc: Proc; proto: 'udp' | 'tcp' }[] = [];
    for (const l of sc.listen) {
      const n = ns.get(l.host.text)!;
      const argv = l.proto === 'udp' ? [pythonPath(), '-c', PY_HELPER, 'udp-listen', l.addr, String(l.port), l.rcvbuf !== undefined ? String(l.rcvbuf) : '-', l.connect ? `${l.connect.addr}:${l.connect.port}` : '-'] : [pythonPath(), '-c', PY_HELPER, 'tcp-listen', l.addr, String(l.port)];
      const p = n.spawn(argv);
      procs.push(p);
      const r = await p.jsonLine(0, STARTUP_MS);
      if (!r || !r.value.ready) {
        const why = p.err.trim() || (r ? JSON.stringify(r.value) : p.running ? `no answer within ${STARTUP_MS / 1000} s (a loaded machine: fewer --jobs)` : `it exited (${p.child.exitCode ?? p.child.signalCode}) without a word`);
        errors.push(`listener ${l.host.text} ${l.proto} ${l.addr}:${l.port} did not start: ${why}`);
        continue;
      }
      // keyed as the model's socket report names it: [ADDR]:PORT for an IPv6 one
      listeners.push({ key: `${l.host.text} ${l.proto} ${l.addr.includes(':') ? `[${l.addr}]` : l.addr}:${l.port}`, proc: p, proto: l.proto });
    }
    // one sender per host (UDP sockets, TCP connections, raw frames)
    const senders = new Map<string, { proc: Proc; at: number; last: Promise<void> }>();
    for (const h of sc.hosts) {
      const p = ns.get(h.name)!.spawn([pythonPath(), '-c', PY_HELPER, 'sender']);
      procs.push(p);
      senders.set(h.name, { proc: p, at: 0, last: Promise.resolve() });
    }
    // captures: the frames leaving each interface (tcpdump -Q out), one pcap each
    const dumps: { key: string; file: string; proc: Proc }[] = [];
    for (const l of sc.links) {
      for (const end of [l.a, l.b]) {
        const key = `${end.host.text}:${end.ifname.text}`;
        const n = ns.get(end.host.text)!;
        const info = JSON.parse(n.exec(['ip', '-j', 'link', 'show', 'dev', end.ifname.text])) as { flags: string[] }[];
        if (!info[0]?.flags.includes('UP')) {
          notes.push(`${key} is down: not captured (a down device sends nothing)`);
          continue;
        }
        const file = path.join(dir, `${end.host.text}-${end.ifname.text}.pcap`);
        const p = n.spawn(['tcpdump', '-i', end.ifname.text, '-Q', 'out', '-w', file, '-U', '-n', '-s', '0', '-Z', 'root', '--immediate-mode']);
        procs.push(p);
        if (!(await p.until((_o, e) => /listening on/.test(e), STARTUP_MS))) {
          errors.push(`tcpdump on ${key} did not start: ${p.err.trim()}`);
          continue;
        }
        captured.add(key);
        dumps.push({ key, file, proc: p });
      }
    }
    const monitors: { host: string; proc: Proc }[] = [];
    for (const h of sc.hosts) {
      const p = ns.get(h.name)!.spawn(['nft', '-a', 'monitor', 'trace']);
      procs.push(p);
      monitors.push({ host: h.name, proc: p });
    }
    await sleep(400);
    const env = (h: string): NodeJS.ProcessEnv => ({ ...process.env, NSTAT_HISTORY: path.join(dir, `nstat-${h}`) });
    for (const h of sc.hosts) ns.get(h.name)!.exec(['nstat', '-n'], { env: env(h.name) });
    // drops from here on, in these namespaces only (the kernel's window on this scenario)
    const dropWindow = drops?.open(new Map(sc.hosts.map((h) => [nsName(h.name), h.name])));
    if (errors.length) return { obs, errors, notes, captured, unsupported };

    // the traffic, paced as the model paced it
    const durations = itemDurations(trace, marks);
    const inject = injectedFrames(trace, marks);
    const pcapSize = (): number => dumps.reduce((s, d) => s + (fs.existsSync(d.file) ? fs.statSync(d.file).size : 0), 0);
    const quiet = async (minMs: number, capMs: number): Promise<void> => {
      await sleep(minMs);
      const end = Date.now() + capMs;
      let last = pcapSize();
      while (Date.now() < end) {
        await sleep(QUIET_POLL_MS);
        const now = pcapSize();
        if (now === last) return;
        last = now;
      }
    };
    const pings: { host: string; proc: Proc }[] = [];
    const t0 = Date.now();
    // A sender answers each command in order; the answer is read later when the next item is
    // timed (`at:`), so that a send does not hold the next one back.
    const ask = (host: string, cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const s = senders.get(host)!;
      s.proc.write(JSON.stringify(cmd) + '\n');
      const answer = s.last.then(async () => {
        // a TCP connect may wait its whole SYN retry time (`timeout`, s) before it answers
        const r = await s.proc.jsonLine(s.at, 30000 + 1000 * (Number(cmd.timeout) || 0));
        if (!r) return { error: `no answer from the sender on ${host}: ${s.proc.err.trim()}` };
        s.at = r.next;
        return r.value;
      });
      s.last = answer.then(() => undefined);
      return answer;
    };
    // what a timed group (an item and the timed ones after it) still has to collect at its end
    let open: Promise<unknown>[] = [];
    let groupPings: Proc[] = [];
    let prevStart = t0;
    for (let i = 0; i < sc.traffic.length; i++) {
      const item: TrafficItem = sc.traffic[i];
      const timed = item.kind !== 'wait' && item.at !== undefined && i > 0;
      // a timed item keeps its distance to the previous item's real start; others follow the
      // model's clock from the first item (usually already past, since the kernel waits longer)
      const startAt = timed ? prevStart + (marks[i].now - marks[i - 1].now) / 1e6 : t0 + (marks[i].now - marks[0].now) / 1e6;
      if (Date.now() < startAt) await sleep(startAt - Date.now());
      prevStart = Date.now();
      const dur = durations[i] / 1e6;
      const next = sc.traffic[i + 1];
      const nextTimed = next !== undefined && next.kind !== 'wait' && next.at !== undefined;
      if (item.kind === 'wait') {
        await sleep(item.ns / 1e6);
        continue;
      }
      if (item.kind === 'local') {
        const s = item.send;
        const host = item.from.text;
        if (s.proto === 'icmp') {
          const pingProc = ns.get(host)!.spawn(pingArgs(s, isBroadcastFor(sc, host, s.to.text)));
          procs.push(pingProc);
          pings.push({ host, proc: pingProc });
          groupPings.push(pingProc);
        } else {
          // a TCP connect may wait the model's whole time for the item (its SYN retries)
          const tcpTimeout = Math.max(1, dur / 1000 + 1);
          const sendOne = () =>
            s.proto === 'udp'
              ? ask(host, { op: 'udp', daddr: s.to.text, dport: s.dport, sport: s.sport ?? null, sock: (s.count ?? 1) > 1 ? `item${i}` : null, ttl: s.ttl ?? null, pmtu: s.df === true ? 'do' : s.df === false ? 'dont' : null, broadcast: !!s.broadcast, hex: udpPayload(s.size, s.payload, s.to.text.includes(':')).toString('hex') })
              : ask(host, { op: 'tcp', daddr: s.to.text, dport: s.dport, sport: s.sport ?? null, data: s.data ?? 0, timeout: tcpTimeout });
          if (s.proto === 'tcp' && (s.count ?? 1) > 1 && s.rate) {
            // connects at a rate overlap (each waits for its answer while the next starts): the
            // sender starts them all on schedule and answers with each one's result, in order
            const r = await ask(host, { op: 'tcp-many', daddr: s.to.text, dport: s.dport, data: s.data ?? 0, count: s.count, rate: s.rate, timeout: tcpTimeout });
            const each = Array.isArray(r.results) ? (r.results as Record<string, unknown>[]) : [r];
            obs.sends.push({ item: i, host, result: each.map(sendResult).find((x) => x !== 'ok') ?? 'ok' });
          } else if ((s.count ?? 1) === 1) {
            // not awaited: a timed item (`at:`) after this one must not wait for its answer
            open.push(sendOne().then((v) => obs.sends.push({ item: i, host, result: sendResult(v) })));
          } else {
            // `count N [rate R]`: N sends, R per second (or one after another); the first error is the item's result
            let result = 'ok';
            const t1 = Date.now();
            const starts = marks[i].sends;
            for (let k = 0; k < (s.count ?? 1); k++) {
              if (s.rate && k) await sleep(Math.max(0, t1 + (k * 1000) / s.rate - Date.now()));
              // without a rate, each send once the one before settled: at the model's time for it,
              // which lets pass what the harness waits between items (RepeatPacing)
              else if (k && starts?.[k] !== undefined) await sleep(Math.max(0, startAt + (starts[k] - marks[i].now) / 1e6 - Date.now()));
              const r = await sendOne();
              if (result === 'ok') result = sendResult(r);
            }
            obs.sends.push({ item: i, host, result });
          }
        }
      } else if (item.kind === 'pcap') {
        // a capture item: every frame the model sent, at the model's spacing
        for (const f of itemFrames(trace, marks, i)) {
          const due = startAt + (f.time - marks[i].now) / 1e6;
          if (Date.now() < due) await sleep(due - Date.now());
          const r = await ask(f.host, { op: 'frame', ifname: f.dev, hex: Buffer.from(f.bytes).toString('hex') });
          if (r.error) errors.push(`traffic item ${i + 1}: sending a frame of the capture on ${f.host}:${f.dev} failed: ${String(r.error)}`);
        }
      } else {
        const f = inject.get(i);
        if (!f) {
          errors.push(`traffic item ${i + 1}: the model put no frame on the wire`);
          continue;
        }
        const r = ask(f.host, { op: 'frame', ifname: f.dev, hex: Buffer.from(f.bytes).toString('hex') });
        // packet_snd's result (EMSGSIZE, ENOBUFS from a peer that drops…) is compared as a send
        // result; a sender that did not answer at all is the harness's error
        open.push(
          r.then((v) => {
            if (v.error && v.errno === undefined) errors.push(`traffic item ${i + 1}: sending the frame on ${f.host}:${f.dev} failed: ${String(v.error)}`);
            else obs.sends.push({ item: i, host: f.host, result: sendResult(v) });
          }),
        );
      }
      if (nextTimed) continue;
      await Promise.all(open);
      open = [];
      // settled: the model's busy time for this item, counted from the item's start (a TCP
      // connect's answer comes at its end: counted from there, a connect whose SYNs went
      // unanswered waited its time twice), then until the captures are quiet (pacing.ts: the
      // model's run lets the same time pass)
      if (settles(dur, groupPings.length > 0)) await quiet(Math.max(0, prevStart + settleWaitMs(dur) - Date.now()), 3000);
      for (const p of groupPings) await p.stop('SIGINT');
      groupPings = [];
      if (process.env.NSX_FIDELITY_DEBUG) for (const h of sc.hosts) log(`  debug after item ${i + 1} on ${h.name}: ${ns.get(h.name)!.exec(['ss', '-uanm']).replace(/\s+/g, ' ')}`);
    }
    await Promise.all(open);
    for (const p of groupPings) await p.stop('SIGINT');
    obs.sends.sort((a, b) => a.item - b.item);
    // the applications read their queues (as the model's listeners do, after all traffic)
    for (const l of listeners) l.proc.write('read\n');
    for (const l of listeners) {
      const r = await l.proc.jsonLine(l.proc.out.indexOf('\n') + 1, STARTUP_MS);
      const lines: string[] = [];
      const v = (r?.value ?? {}) as { received?: { from?: string; bytes?: number; hex?: string; error?: string }[]; accepted?: string[] };
      for (const x of v.received ?? []) {
        if (x.error) lines.push(`error ${x.error}`);
        else lines.push(`from ${maskPort(x.from ?? '?')} ${x.bytes} bytes${l.proto === 'udp' ? ` "${printable(Buffer.from(x.hex ?? '', 'hex'))}"` : ''}`);
      }
      for (const a of v.accepted ?? []) lines.push(`accepted ${maskPort(a)}`);
      obs.sockets.set(l.key, lines);
    }
    // what the model ran after the traffic (housekeeping timers: neighbour probes …)
    const finalNs = Math.max(0, (trace.events.length ? trace.events[trace.events.length - 1].time : 0) - marks[marks.length - 1].now);
    await quiet(settleWaitMs(finalNs / 1e6), 3000);
    for (const h of sc.hosts) obs.counters[h.name] = parseNstatJson(ns.get(h.name)!.exec(['nstat', '--json'], { env: env(h.name) }));
    if (drops && dropWindow) {
      const made = modelDrops(trace);
      const got = await drops.collect(dropWindow, new Map(sc.hosts.map((h) => [h.name, countFor(made, h.name)])));
      if (process.env.NSX_FIDELITY_DEBUG) for (const d of got) log(`  debug drop on ${d.host}: ${d.fn} ${d.reason} ${d.id.summary}`);
      obs.drops = got.map((d) => ({ host: d.host, fn: d.fn, reason: d.reason, id: d.id }));
      obs.symbols = drops.symbols;
    }
    for (const d of dumps) await d.proc.stop('SIGINT');
    await monitorsCaughtUp(monitors, chains, trace);
    for (const m of monitors) await m.proc.stop('SIGTERM');
    for (const d of dumps) {
      const frames = fs.existsSync(d.file) ? parsePcap(fs.readFileSync(d.file)) : [];
      // for reading a difference with tshark: the kernel's capture, kept where the variable says
      if (process.env.NSX_FIDELITY_KEEP_PCAPS && fs.existsSync(d.file)) fs.copyFileSync(d.file, path.join(process.env.NSX_FIDELITY_KEEP_PCAPS, path.basename(d.file)));
      obs.frames.set(d.key, frames.map((bytes) => ({ bytes })));
    }
    for (const m of monitors) {
      // IPv6 packets are traced by the inet table (ip6 saddr, ip6 daddr, ip6 hoplimit);
      // a fragment past offset 0 is printed as `ether type ip6` only: compared by hooks and rules
      const passes = groupPasses(parseNftTrace(m.proc.out), OWN_TABLE, chains.get(m.host)!);
      obs.hooks.set(
        m.host,
        passes.map((p): HookPass => ({
          hooks: p.hooks.map((x) => {
            const ttl = x.fields['ip ttl'] ?? x.fields['ip6 hoplimit'];
            return { hook: x.hook, saddr: x.fields['ip saddr'] ?? x.fields['ip6 saddr'], daddr: x.fields['ip daddr'] ?? x.fields['ip6 daddr'], ttl: ttl !== undefined ? Number(ttl) : undefined };
          }),
          steps: p.steps,
          ...(ND_TYPES.has(p.hooks[0]?.fields['icmpv6 type'] ?? '') && { nd: true }),
        })),
      );
    }
    const byHost = new Map<string, string[]>();
    for (const p of pings) {
      const r = parsePing(p.proc.out + '\n' + p.proc.err);
      if (!byHost.has(p.host)) byHost.set(p.host, []);
      byHost.get(p.host)!.push(...r.lines.map((x) => `${pingKind(x.what)} from ${x.from}`));
      if (r.error) {
        obs.pings.push({ host: p.host, heard: [], error: r.error });
        log(`  kernel: ping on ${p.host}: ${r.error}`);
      }
    }
    for (const [host, heard] of byHost) obs.pings.push({ host, heard });
    const trafficMs = Date.now() - t0;
    log(`  kernel: ${sc.hosts.length} namespaces, ${dumps.length} captures, ${trafficMs} ms of traffic`);
    return { obs, errors, notes, captured, unsupported, trafficMs, icmpv6Ratelimit };
  } finally {
    for (const p of procs) await p.stop('SIGKILL', 500);
    for (const n of ns.values()) {
      try {
        n.destroy();
      } catch {
        /* cleanupAll retries */
      }
    }
  }
}
