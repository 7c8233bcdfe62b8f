// The model's observation against the kernel's: every difference named by scenario, host,
// packet, field, model value and kernel value.
import { diffFrames, normalizeFrame, type Norm } from './frames';
import type { DropRecord, HookPass, Observation, WireFrame } from './observe';
import { IGNORED_COUNTERS } from './counters';
import { IGNORED_DROP_REASONS, sameLocation } from './drops';
import { compareLinkUp } from './link_up_frames';
import { compareRsSets, isRsFrame } from './rs_frames';
import { withoutNdEffects } from './reconfirm6';

export interface Difference {
  host: string;
  /** "frame 3 on router:eth1 (ICMP time exceeded …)", "packet 4", "counter" … */
  what: string;
  field: string;
  model: string;
  kernel: string;
}

export function formatDiff(scenario: string, d: Difference): string {
  return `${scenario}: host ${d.host}, ${d.what}: ${d.field}: model ${d.model} vs kernel ${d.kernel}`;
}

type Kind = 'arp' | 'ip' | 'ip6' | 'other';

function split(frames: WireFrame[]): Record<Kind, (WireFrame & { n: Norm })[]> {
  const out: Record<Kind, (WireFrame & { n: Norm })[]> = { arp: [], ip: [], ip6: [], other: [] };
  for (const f of frames) {
    const n = normalizeFrame(f.bytes);
    const t = f.bytes.length >= 14 ? (f.bytes[12] << 8) | f.bytes[13] : 0;
    (t === 0x0806 ? out.arp : t === 0x0800 ? out.ip : t === 0x86dd ? out.ip6 : out.other).push({ ...f, n });
  }
  return out;
}

/**
 * Why some frames are not compared in long runs: a neighbour entry stays REACHABLE for a random
 * reachable_time drawn from [base_reachable_time/2, 3·base_reachable_time/2) (15-45 s by default,
 * neigh_rand_reach_time in net/core/neighbour.c), then goes STALE, and the next packet to it
 * triggers a unicast re-confirmation probe 5 s later. In a run longer than 15 s, how many such
 * probes the kernel sends, and when, depends on that random draw.
 */
export const NONDETERMINISM = {
  'neigh-random-reachable-time':
    'in runs longer than 15 s (base_reachable_time/2), ARP and neighbour discovery re-confirmation probes (requests and solicitations sent to a unicast MAC, NUD_PROBE) and the replies to them are left out (for IPv6 also their netfilter passes and the ICMPv6 and IPv6 counters they moved): their number depends on the random reachable_time (neigh_rand_reach_time, 15-45 s)',
  'neigh-delay-timer-slack':
    'a TCP socket confirmed a neighbour within 256 ms of its entry entering NUD_DELAY: the kernel\'s timer wheel runs the 5 s DELAY timer 1 to 64 jiffies late (calc_wheel_index, level 2 at HZ=250), so whether that confirmation is recent enough, and a unicast ARP probe is sent or not, depends on the real gap between the packets; unicast ARP probes and their replies are left out',
} as const;

/** The timer wheel's lateness for a 5 s timer at HZ=250: up to 64 jiffies of 4 ms (ns). */
export const DELAY_TIMER_SLACK_NS = 256e6;

/**
 * Whether the model's trace has a TCP neighbour confirmation (sock_confirm_neigh) so soon after an
 * entry of the same host went to NUD_DELAY (the DELAY timer fired 5 s after) that the kernel's
 * timer slack decides the outcome (see NONDETERMINISM).
 */
export function delayTimerRace(events: readonly { fn: string; host: string; time: number; what: string }[]): boolean {
  const confirms = events.filter((e) => e.fn === 'sock_confirm_neigh');
  if (!confirms.length) return false;
  return events.some((e) => {
    if (e.fn !== 'neigh_timer_handler' || !/NUD_DELAY → /.test(e.what)) return false;
    const entered = e.time - 5e9;
    return confirms.some((c) => c.host === e.host && c.time >= entered && c.time <= entered + DELAY_TIMER_SLACK_NS);
  });
}

/** A run this long (model time, ns) can see a neighbour entry age to STALE at random. */
export const RANDOM_REACHABLE_AFTER_NS = 15e9;

function arpInfo(b: Uint8Array): { op: number; ethDst: string; ethSrc: string; spa: string; tpa: string } | undefined {
  if (b.length < 42 || ((b[12] << 8) | b[13]) !== 0x0806) return undefined;
  const hx = (o: number, n: number): string => Array.from(b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join(':');
  return { op: (b[20] << 8) | b[21], ethDst: hx(0, 6), ethSrc: hx(6, 6), spa: b.subarray(28, 32).join('.'), tpa: b.subarray(38, 42).join('.') };
}

/**
 * A neighbour solicitation or advertisement (ICMPv6 135/136 right after the IPv6 header, as ndisc
 * sends them): its Ethernet destination and source, IPv6 source and destination, and target.
 */
function ndInfo(b: Uint8Array): { op: number; ethDst: string; ethSrc: string; spa: string; tpa: string; target: string } | undefined {
  if (b.length < 14 + 40 + 24 || ((b[12] << 8) | b[13]) !== 0x86dd || b[14 + 6] !== 58) return undefined;
  const type = b[54];
  if (type !== 135 && type !== 136) return undefined;
  const hx = (o: number, n: number): string => Array.from(b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join(':');
  // NS is the request (op 1), NA the reply (op 2), as with ARP
  return { op: type === 135 ? 1 : 2, ethDst: hx(0, 6), ethSrc: hx(6, 6), spa: hx(22, 16), tpa: type === 135 ? hx(62, 16) : hx(38, 16), target: hx(62, 16) };
}

/** An ARP request or reply, or the same from neighbour discovery (a unicast NS is ndisc's NUD_PROBE, as a unicast ARP request is arp's). */
function neighInfo(b: Uint8Array): { op: number; ethDst: string; ethSrc: string; spa: string; tpa: string } | undefined {
  const nd = ndInfo(b);
  if (nd) return nd.op === 1 ? nd : { ...nd, spa: nd.target };
  return arpInfo(b);
}

/** A frame left out of the comparison: the interface it left by ("host:ifname") and its bytes. */
export interface RemovedFrame {
  key: string;
  bytes: Uint8Array;
}

type NeighMsg = { op: number; ethDst: string; ethSrc: string; spa: string; tpa: string };

/** A re-confirmation probe: a request (ARP, or an NS) sent to a unicast MAC, as NUD_PROBE sends it. */
const isUnicastProbe = (a: NeighMsg): boolean => a.op === 1 && a.ethDst !== 'ff:ff:ff:ff:ff:ff' && !a.ethDst.startsWith('33:33:');

/** A reply from the probed address back to the prober's MAC. */
const answers = (r: NeighMsg, probe: NeighMsg): boolean => r.op === 2 && r.spa === probe.tpa && r.tpa === probe.spa && r.ethDst === probe.ethSrc;

/**
 * Leaves out ARP re-confirmation probes (unicast requests) and as many matching replies (see
 * NONDETERMINISM); likewise neighbour discovery's (a neighbour solicitation sent to a unicast MAC,
 * ndisc_solicit in NUD_PROBE, and the advertisement answering it: same neighbour state machine).
 * `removed` counts the probes; `left` is every frame left out (withoutNdEffects takes the IPv6
 * ones out of the hooks and counters).
 */
export function withoutReconfirmations(frames: Map<string, WireFrame[]>): { frames: Map<string, WireFrame[]>; removed: number; left: RemovedFrame[] } {
  const out = new Map<string, WireFrame[]>();
  for (const [k, v] of frames) out.set(k, v.slice());
  const left: RemovedFrame[] = [];
  let removed = 0;
  for (const [key, list] of out) {
    for (let i = 0; i < list.length; i++) {
      const a = neighInfo(list[i].bytes);
      if (!a || !isUnicastProbe(a)) continue;
      left.push({ key, bytes: list[i].bytes });
      list.splice(i--, 1);
      removed++;
      // its reply: from the probed address back to the prober, on whichever interface sent it (the latest such)
      for (const [k2, other] of out) {
        let j = -1;
        other.forEach((f, n) => {
          const r = neighInfo(f.bytes);
          if (r && answers(r, a)) j = n;
        });
        if (j >= 0) {
          left.push({ key: k2, bytes: other[j].bytes });
          other.splice(j, 1);
          break;
        }
      }
    }
  }
  return { frames: out, removed, left };
}

/**
 * The unicast ARP requests (arp_solicit in NUD_PROBE, sent when an entry's 5 s DELAY timer
 * expires) of every captured interface of both sides: what a re-confirmation sets off is such a
 * request and the replies answering one (same addresses, to the prober's MAC). Both sides' probes
 * count, so that a probe one side lacks does not move the other frames of one side only.
 */
function probesOf(...sides: Map<string, WireFrame[]>[]): NeighMsg[] {
  const probes: NeighMsg[] = [];
  for (const frames of sides) {
    for (const list of frames.values()) {
      for (const f of list) {
        const a = arpInfo(f.bytes);
        if (a && isUnicastProbe(a)) probes.push(a);
      }
    }
  }
  return probes;
}

function isReconfirmation(b: Uint8Array, probes: NeighMsg[]): boolean {
  const r = arpInfo(b);
  return !!r && (isUnicastProbe(r) || probes.some((a) => answers(r, a)));
}

/**
 * An interface's ARP frames for comparison: the ones a re-confirmation sets off are compared
 * apart from the others, sorted by what they are. A DELAY timer runs 1 to 64 jiffies late on the kernel's timer
 * wheel (DELAY_TIMER_SLACK_NS), so where its probe, and the peer's reply to it, fall among the
 * other ARP frames of the interface (a resolution's retries one second apart) depends on the clock
 * (gen-990127-36: h1's reply to h2's probe before or after h1's third request for a missing host).
 * Each such frame is still compared, only not its place.
 */
function arpApart<T extends WireFrame & { n: Norm }>(list: T[], probes: NeighMsg[]): { ordered: T[]; timed: T[] } {
  if (!probes.length) return { ordered: list, timed: [] };
  const ordered: T[] = [];
  const timed: T[] = [];
  for (const f of list) (isReconfirmation(f.bytes, probes) ? timed : ordered).push(f);
  const key = (f: T): string => f.n.summary;
  timed.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  return { ordered, timed };
}

/**
 * Frames leaving each captured interface, IPv4, IPv6 and ARP each in order (ARP housekeeping — a
 * neighbour's re-confirmation probe — may fall between other frames at a time that depends on
 * the clock, so the two streams are compared separately, and the probes apart: arpApart).
 */
export function compareFrames(model: Observation, kernel: Observation, captured: Set<string>): Difference[] {
  const out: Difference[] = [];
  const probes = probesOf(model.frames, kernel.frames);
  for (const key of [...captured].sort()) {
    const [host, ifname] = key.split(':');
    const m = split(model.frames.get(key) ?? []);
    const k = split(kernel.frames.get(key) ?? []);
    // router solicitations are compared apart, by their bytes as a set (rs_frames.ts)
    const mrs = m.ip6.filter((f) => isRsFrame(f.bytes));
    const krs = k.ip6.filter((f) => isRsFrame(f.bytes));
    m.ip6 = m.ip6.filter((f) => !isRsFrame(f.bytes));
    k.ip6 = k.ip6.filter((f) => !isRsFrame(f.bytes));
    for (const d of compareRsSets(mrs.map((f) => f.bytes), krs.map((f) => f.bytes), model.linkUp?.get(key) ?? [], kernel.linkUp?.get(key) ?? [])) {
      out.push({ host, what: `router solicitation out of ${ifname} (${d.bytes})`, field: 'sent (as a set, with the link-up\'s)', model: d.side === 'model' ? 'sent' : '(never)', kernel: d.side === 'kernel' ? 'sent' : '(never)' });
    }
    const ma = arpApart(m.arp, probes);
    const ka = arpApart(k.arp, probes);
    const streams = [
      { name: 'IPv4 frame', a: m.ip, b: k.ip },
      { name: 'IPv6 frame', a: m.ip6, b: k.ip6 },
      { name: 'ARP frame', a: ma.ordered, b: ka.ordered },
      { name: 'ARP re-confirmation frame', a: ma.timed, b: ka.timed },
      { name: 'other frame', a: m.other, b: k.other },
    ];
    for (const { name, a, b } of streams) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const label = `${name} ${i + 1} out of ${ifname}`;
        if (!a[i]) {
          out.push({ host, what: label, field: 'frame', model: '(none)', kernel: b[i].n.summary });
          continue;
        }
        if (!b[i]) {
          out.push({ host, what: `${label} (model packet ${a[i].packet})`, field: 'frame', model: a[i].n.summary, kernel: '(none)' });
          continue;
        }
        for (const d of diffFrames(a[i].n, b[i].n, { nicChecksum: a[i].nicChecksum, nicQuoted: a[i].nicQuoted })) {
          out.push({ host, what: `${label} (model packet ${a[i].packet}: ${a[i].n.summary})`, field: d.field, model: d.model, kernel: d.kernel === d.model ? `${d.kernel} (kernel: ${b[i].n.summary})` : d.kernel });
        }
      }
    }
  }
  return out;
}

function passLabel(p: HookPass): string {
  const h = p.hooks[0];
  return `${h ? `${h.saddr ?? '?'} > ${h.daddr ?? '?'}` : 'packet'} (${p.hooks.map((x) => x.hook).join(' → ')})`;
}

/** The netfilter path per packet per host: hooks in order, TTL and addresses at each, and the user's chains/rules/verdicts. */
export function compareHooks(model: Observation, kernel: Observation, hosts: string[]): Difference[] {
  const out: Difference[] = [];
  for (const host of hosts) {
    const a = model.hooks.get(host) ?? [];
    const b = kernel.hooks.get(host) ?? [];
    // IPv6 neighbour discovery is housekeeping on each link whose order between links depends on
    // the clock (as ARP's does, compareFrames): its passes are compared in order of what they
    // are, the others in the order they came
    const byWhat = (l: HookPass[]): HookPass[] => l.filter((p) => p.nd).sort((x, y) => passKey(x).localeCompare(passKey(y)));
    out.push(...comparePasses(host, byWhat(a), byWhat(b), 'neighbour discovery pass'));
    out.push(...comparePasses(host, a.filter((p) => !p.nd), b.filter((p) => !p.nd), 'netfilter pass'));
  }
  return out;
}

function passKey(p: HookPass): string {
  return `${passLabel(p)} ${p.hooks.map((h) => h.ttl).join(',')} ${p.steps.join('; ')}`;
}

function comparePasses(host: string, a: HookPass[], b: HookPass[], name: string): Difference[] {
  const out: Difference[] = [];
  {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const ma = a[i];
      const kb = b[i];
      const what = `${name} ${i + 1}${ma?.packet !== undefined ? ` (model packet ${ma.packet})` : ''}`;
      if (!ma || !kb) {
        out.push({ host, what, field: 'pass', model: ma ? passLabel(ma) : '(none)', kernel: kb ? passLabel(kb) : '(none)' });
        continue;
      }
      const hm = ma.hooks.map((x) => x.hook).join(' → ');
      const hk = kb.hooks.map((x) => x.hook).join(' → ');
      if (hm !== hk) {
        out.push({ host, what: `${what} ${passLabel(ma)}`, field: 'hooks', model: hm, kernel: hk });
        continue;
      }
      ma.hooks.forEach((x, j) => {
        const y = kb.hooks[j];
        for (const f of ['saddr', 'daddr', 'ttl'] as const) {
          if (y[f] !== undefined && x[f] !== undefined && String(x[f]) !== String(y[f])) out.push({ host, what: `${what} ${passLabel(ma)} at ${x.hook}`, field: `ip ${f}`, model: String(x[f]), kernel: String(y[f]) });
        }
      });
      const sm = ma.steps.join('; ') || '(no rule of the scenario\'s)';
      const sk = kb.steps.join('; ') || '(no rule of the scenario\'s)';
      if (sm !== sk) out.push({ host, what: `${what} ${passLabel(ma)}`, field: 'chains, rules, verdicts', model: sm, kernel: sk });
    }
  }
  return out;
}

export function compareCounters(model: Observation, kernel: Observation, hosts: string[]): Difference[] {
  const out: Difference[] = [];
  for (const host of hosts) {
    const a = model.counters[host] ?? {};
    const b = kernel.counters[host] ?? {};
    for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (name in IGNORED_COUNTERS) continue;
      if ((a[name] ?? 0) !== (b[name] ?? 0)) out.push({ host, what: 'counter', field: name, model: String(a[name] ?? 0), kernel: String(b[name] ?? 0) });
    }
  }
  return out;
}

export function compareSockets(model: Observation, kernel: Observation): Difference[] {
  const out: Difference[] = [];
  for (const key of [...new Set([...model.sockets.keys(), ...kernel.sockets.keys()])].sort()) {
    const [host, proto, local] = key.split(' ');
    const a = model.sockets.get(key) ?? [];
    const b = kernel.sockets.get(key) ?? [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) out.push({ host, what: `${proto} socket ${local}`, field: `received[${i + 1}]`, model: a[i] ?? '(none)', kernel: b[i] ?? '(none)' });
    }
  }
  return out;
}

export function comparePings(model: Observation, kernel: Observation): Difference[] {
  const out: Difference[] = [];
  const hosts = new Set([...model.pings.map((p) => p.host), ...kernel.pings.map((p) => p.host)]);
  for (const host of [...hosts].sort()) {
    const a = model.pings.filter((p) => p.host === host).flatMap((p) => p.heard);
    const b = kernel.pings.filter((p) => p.host === host).flatMap((p) => p.heard);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) out.push({ host, what: "ping's socket", field: `message ${i + 1}`, model: a[i] ?? '(none)', kernel: b[i] ?? '(none)' });
    }
  }
  return out;
}

/**
 * Send results per traffic item (UDP sendto, TCP connect), as errno names on both sides: an item
 * one side reports and the other does not is a difference too (a send the harness could not
 * make must not read as agreement).
 */
export function compareSends(model: Observation, kernel: Observation): Difference[] {
  const out: Difference[] = [];
  const items = [...new Set([...model.sends.map((x) => x.item), ...kernel.sends.map((x) => x.item)])].sort((a, b) => a - b);
  for (const item of items) {
    const m = model.sends.find((x) => x.item === item);
    const k = kernel.sends.find((x) => x.item === item);
    if (m?.result !== k?.result) out.push({ host: (m ?? k)!.host, what: `traffic item ${item + 1}`, field: 'send result', model: m?.result ?? '(not sent)', kernel: k?.result ?? '(not sent)' });
  }
  return out;
}

/**
 * Drops per host per packet: each kernel drop is matched to the model's drop of the same packet
 * on the same host (addresses, protocol, fragment, ports, ICMP type/code/seq, ARP op/addresses:
 * PacketIdentity.key, random fields left out), in order; a matched pair is compared by reason and
 * function (the kernel's kfree_skb location, see sameLocation), then by the TTL the packet had
 * when it was freed; a drop on one side only is a difference too. IGNORED_DROP_REASONS are left out on both sides.
 */
export function compareDrops(model: Observation, kernel: Observation): Difference[] {
  if (!kernel.drops || !model.drops) return [];
  const out: Difference[] = [];
  const kept = (l: DropRecord[]): DropRecord[] => l.filter((d) => !(d.reason in IGNORED_DROP_REASONS));
  const md = kept(model.drops);
  const kd = kept(kernel.drops);
  const hosts = [...new Set([...md.map((d) => d.host), ...kd.map((d) => d.host)])].sort();
  const text = (d: DropRecord): string => `${d.fn} ${d.reason}`;
  const same = (m: DropRecord, k: DropRecord): boolean => m.reason === k.reason && sameLocation(m.fn, m.stack, k.fn, kernel.symbols);
  for (const host of hosts) {
    const ms = md.filter((d) => d.host === host);
    const ks = kd.filter((d) => d.host === host);
    const pair = new Map<number, number>();
    const used = new Set<number>();
    // first the drops that agree (the same packet, freed in the same place for the same reason),
    // then the rest of each packet's drops in order: two copies of one packet may be freed in
    // different places (one early, one when it is read), and the kernel's order across CPUs is
    // its timestamps', not always the order the model freed them in
    for (const agree of [true, false]) {
      ms.forEach((m, i) => {
        if (pair.has(i)) return;
        const j = ks.findIndex((k, n) => !used.has(n) && k.id.key === m.id.key && (!agree || same(m, k)));
        if (j < 0) return;
        pair.set(i, j);
        used.add(j);
      });
    }
    ms.forEach((m, i) => {
      const what = `packet #${m.packet ?? '?'} ${m.summary ?? m.id.summary}`;
      const j = pair.get(i);
      if (j === undefined) out.push({ host, what, field: 'drop', model: text(m), kernel: '(no drop)' });
      else if (!same(m, ks[j])) out.push({ host, what, field: 'drop', model: text(m), kernel: text(ks[j]) });
      else if (m.id.ttl !== undefined && ks[j].id.ttl !== undefined && m.id.ttl !== ks[j].id.ttl) out.push({ host, what: `${what} at ${text(m)}`, field: 'drop ttl', model: String(m.id.ttl), kernel: String(ks[j].id.ttl) });
    });
    ks.forEach((k, j) => {
      if (!used.has(j)) out.push({ host, what: `packet ${k.id.summary} (no model packet)`, field: 'drop', model: '(no drop)', kernel: text(k) });
    });
  }
  return out;
}

export function compareAll(model: Observation, kernel: Observation, hosts: string[], captured: Set<string>, modelDurationNs = 0, delayRace = false, linkUpCaptured?: Set<string>, unendingRs?: Set<string>): Difference[] {
  if (modelDurationNs > RANDOM_REACHABLE_AFTER_NS || delayRace) {
    // an IPv6 re-confirmation also went through both hosts' hooks and counters (reconfirm6.ts)
    const m = withoutReconfirmations(model.frames);
    const k = withoutReconfirmations(kernel.frames);
    model = withoutNdEffects({ ...model, frames: m.frames }, m.left);
    kernel = withoutNdEffects({ ...kernel, frames: k.frames }, k.left);
  }
  const linkUp = model.linkUp && kernel.linkUp ? compareLinkUp(model.linkUp, kernel.linkUp, linkUpCaptured ?? new Set(), undefined, unendingRs) : [];
  return [...linkUp, ...compareFrames(model, kernel, captured), ...compareHooks(model, kernel, hosts), ...compareCounters(model, kernel, hosts), ...compareSockets(model, kernel), ...comparePings(model, kernel), ...compareSends(model, kernel), ...compareDrops(model, kernel)];
}
