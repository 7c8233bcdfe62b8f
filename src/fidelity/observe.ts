// What can be observed of a run, in one shape for both sides: the model's Trace is reduced to
// what the real kernel shows through its tools (tcpdump, nft trace, nstat, sockets, ping), so
// that the comparison is between like and like.
import type { Trace, TraceEvent } from '../trace/contract';
import type { Scenario } from '../scenario/types';
import { hexToBytes, ipFieldsAt } from './frames';
import { packetIdentity, type PacketIdentity } from './drops';
import { HOOK_NAMES, HOOK_RANK, type NfHook } from './parse';
import { errnoName } from './errno';
import { REASM_CLONE } from '../model/net/ipv4/ip_fragment';
import { formatIpv6 } from '../trace/ipv6';
import type { LinkUpFrames } from './link_up_frames';

export interface WireFrame {
  /** the model's packet id (model side only) */
  packet?: number;
  bytes: Uint8Array;
  /** (model side) a modelled NIC filled in this packet's CHECKSUM_PARTIAL checksum on an earlier hop (frames.ts, MASK_REASONS 'nic.l4.check') */
  nicChecksum?: boolean;
  /** (model side) an ICMP error quoting a packet whose checksum a modelled NIC filled in before the error was made (MASK_REASONS 'nic.quoted.l4.check') */
  nicQuoted?: boolean;
}

export interface HookPass {
  packet?: number;
  hooks: { hook: NfHook; saddr?: string; daddr?: string; ttl?: number; protocol?: number }[];
  steps: string[];
  /** an IPv6 neighbour discovery message (ICMPv6 133-137): housekeeping, compared as a set (compareHooks) */
  nd?: boolean;
}

/** Whether the IPv6 packet at `o` is a neighbour discovery message (no extension headers before it). */
export function isNdisc(b: Uint8Array, o: number): boolean {
  return o + 41 <= b.length && b[o] >> 4 === 6 && b[o + 6] === 58 && b[o + 40] >= 133 && b[o + 40] <= 137;
}

export interface PingReport {
  host: string;
  /** what ping's socket heard, in order: "echo reply from 10.0.2.2", "time exceeded from 10.0.1.1" */
  heard: string[];
  /** sendmsg failed: "Message too long" … */
  error?: string;
}

export interface SendResult {
  item: number;
  host: string;
  /** "ok" or the error text */
  result: string;
}

export interface Observation {
  /** "host:ifname" → frames that left through that interface, in order */
  frames: Map<string, WireFrame[]>;
  /** host → passes through its netfilter hooks */
  hooks: Map<string, HookPass[]>;
  counters: Record<string, Record<string, number>>;
  /** "host udp 10.0.2.2:53" → what it received: "from 10.0.1.2:* 32 bytes 6162…" */
  sockets: Map<string, string[]>;
  pings: PingReport[];
  sends: SendResult[];
  /** where packets were freed with a drop reason, and which packets (when drops are compared) */
  drops?: DropRecord[];
  /** the running kernel's function names (kernel side, with drops): to tell inlined functions */
  symbols?: Set<string>;
  /** IPv6's link-up: host:ifname → the IPv6 packets it sent before the traffic (link_up_frames.ts) */
  linkUp?: LinkUpFrames;
}

/** The functions whose whole datagram is, in the kernel, the sk_buff of the fragment that completed it. */
const REASM_FNS = new Set(['ip_frag_reasm', 'nf_ct_frag6_reasm']);
/** The reassemblers that leave a clone of the completing fragment on the frag_list (inet_frag_reasm_prepare). */
const REASM_CLONE_FNS = new Set(['ip_frag_reasm', 'ip6_frag_reasm', 'nf_ct_frag6_reasm']);

/** Functions where the model fails a send before any sk_buff exists (the kernel frees none there). */
const NO_SKB_FNS = new Set(['ip_append_data', 'udp_sendmsg', 'raw_sendmsg', 'tcp_v4_connect', 'tcp_v6_connect']);

/**
 * The clone inet_frag_reasm_prepare makes of the fragment that completes a datagram (when that
 * is not the first fragment) takes that fragment's place in the frag_list and is freed with it
 * (skb_release_data). The tracer cannot place that free in a namespace: the clone is a new
 * sk_buff no receive path saw, its dev is cleared (inet_frag_reasm_finish zeroes the rbnode dev
 * shares) and it has no socket. So the model's record of that free is not compared.
 */
/** A drop as the kernel's kfree_skb tracepoint would show it, on either side. */
export interface DropRecord {
  host: string;
  /** the function that freed the sk_buff (kfree_skb_reason's caller) */
  fn: string;
  /** SKB_DROP_REASON_… without the prefix */
  reason: string;
  id: PacketIdentity;
  /** the model's packet id, summary and call stack (model side only) */
  packet?: number;
  summary?: string;
  stack?: string[];
}

/**
 * The model's drops: every step that frees an sk_buff with kfree_skb_reason (an event with a
 * `drop`), which is also where a dropped packet's fate is, and the frees that do not end the
 * packet (icmp_rcv freeing, with ping_rcv's NO_SOCKET, an echo reply whose clone ping's raw socket got).
 */
export function modelDrops(t: Trace): DropRecord[] {
  const out: DropRecord[] = [];
  const summary = new Map(t.packets.map((p) => [p.id, p.summary]));
  const cloned = new Set(t.packets.filter((p) => REASM_CLONE_FNS.has(p.fate.fn) && p.fate.detail?.endsWith(REASM_CLONE)).map((p) => p.id));
  for (const e of t.events) {
    if (!e.drop || NO_SKB_FNS.has(e.fn)) continue;
    if (e.fn === 'skb_release_data' && cloned.has(e.packet)) continue;
    const s = e.skb;
    const id = s && s.network_header !== null ? packetIdentity(s.protocol, hexToBytes(s.bytes), s.network_header, undefined, s.tail) : { key: '?', summary: summary.get(e.packet) ?? '?' };
    out.push({ host: e.host, fn: e.fn, reason: e.drop.replace(/^SKB_DROP_REASON_/, ''), id, packet: e.packet, summary: summary.get(e.packet), stack: e.stack });
  }
  return out;
}

const HOOK_BY_NAME = Object.fromEntries(Object.entries(HOOK_NAMES).map(([k, v]) => [v, k as NfHook])) as Record<string, NfHook>;

function frameOf(e: TraceEvent): Uint8Array | undefined {
  const s = e.skb;
  if (!s) return undefined;
  return hexToBytes(s.bytes.slice(s.data * 2, s.tail * 2));
}

/** The frame a traffic item `into:` puts on the wire: the model's packet_snd bytes. */
export function injectedFrames(t: Trace, marks: { events: number }[]): Map<number, { host: string; dev: string; bytes: Uint8Array }> {
  const out = new Map<number, { host: string; dev: string; bytes: Uint8Array }>();
  for (let i = 0; i + 1 < marks.length; i++) {
    for (let k = marks[i].events; k < marks[i + 1].events; k++) {
      const e = t.events[k];
      if (e.fn === 'packet_snd' && e.skb?.dev) {
        out.set(i, { host: e.host, dev: e.skb.dev, bytes: frameOf(e)! });
        break;
      }
    }
  }
  return out;
}

/** How long each traffic item kept the model busy (simulated ns from its start to its last event). */
export function itemDurations(t: Trace, marks: { events: number; now: number; busy?: number }[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    // a run paced as the harness paces the kernel (pacing.ts) says how long the item was busy:
    // the events of the time let pass after it are not its own
    const busy = marks[i + 1].busy;
    if (busy !== undefined) {
      out.push(busy);
      continue;
    }
    let last = marks[i].now;
    for (let k = marks[i].events; k < marks[i + 1].events; k++) last = Math.max(last, t.events[k].time);
    out.push(last - marks[i].now);
  }
  return out;
}

export function ttlOf(e: TraceEvent): { saddr?: string; daddr?: string; ttl?: number; protocol?: number } {
  const s = e.skb;
  if (!s || s.network_header === null) return {};
  const b = hexToBytes(s.bytes);
  const o = s.network_header;
  // an IPv6 packet: its addresses as nft trace prints them (compressed), the hop limit as the TTL
  if (o + 40 <= b.length && b[o] >> 4 === 6) return { saddr: formatIpv6(b.slice(o + 8, o + 24)), daddr: formatIpv6(b.slice(o + 24, o + 40)), ttl: b[o + 7], protocol: b[o + 6] };
  const f = ipFieldsAt(b, o);
  return f ? { saddr: f.saddr, daddr: f.daddr, ttl: f.ttl, protocol: f.protocol } : {};
}

/** Model hook events → "family table chain rule N verdict" steps, as groupPasses writes the kernel's. */
export function modelStep(e: TraceEvent): string | undefined {
  const h = e.hook;
  // only nft_do_chain's own steps: a rule's verdict or a chain's policy, as nft trace prints them
  // (the chain's entry, the expressions' and NAT's events carry the same context again)
  if (!h || !h.chain || !h.table || e.fn !== 'nft_do_chain') return undefined;
  if (h.ruleIndex === undefined && !(typeof h.rule === 'string' && h.rule.startsWith('policy ')) && h.verdict !== 'NFT_RETURN') return undefined;
  const key = `${h.family ?? 'ip'} ${h.table} ${h.chain}`;
  const v = String(h.verdict ?? '');
  if (v === 'NFT_BREAK') return undefined;
  if (typeof h.rule === 'string' && h.rule.startsWith('policy ')) return `${key} policy ${h.rule.slice(7).trim().toLowerCase()}`;
  // a rule's own `return` (iptables -j RETURN) is traced with its handle; the implicit return at
  // the end of a regular chain has no rule, and `nft monitor trace` (1.0.6) prints no line for
  // that event (NFT_TRACETYPE_RETURN without a handle; checked on this machine), so it is no step
  if (v === 'NFT_RETURN') return h.ruleIndex !== undefined ? `${key} rule ${h.ruleIndex} return` : undefined;
  const w = v.replace(/^NFT?_/, '').toLowerCase();
  return `${key} rule ${h.ruleIndex ?? '?'} ${w}`;
}

export function observeModel(t: Trace, pingHosts: Set<string>): Observation {
  const frames = new Map<string, WireFrame[]>();
  const hooks = new Map<string, HookPass[]>();
  const cur = new Map<string, { pass: HookPass; rank: number; seen: Set<NfHook> }>();
  const firstFn = new Map<string, string>();
  // packets whose partial checksum a modelled NIC completed (e1000_xmit_frame after a
  // dev_hard_start_xmit that handed it over CHECKSUM_PARTIAL), and the last handover per host
  const nicDone = new Set<number>();
  const partialAt = new Map<string, boolean>();
  // an ICMP error is a packet of its own whose parent is the packet it quotes
  const parentOf = new Map(t.packets.map((p) => [p.id, p.parent]));
  for (const e of t.events) {
    if (!firstFn.has(`${e.host}/${e.packet}`)) firstFn.set(`${e.host}/${e.packet}`, e.fn);
    if (e.fn === 'dev_hard_start_xmit' && e.skb?.dev) {
      const k = `${e.host}:${e.skb.dev}`;
      if (!frames.has(k)) frames.set(k, []);
      const parent = parentOf.get(e.packet);
      frames.get(k)!.push({ packet: e.packet, bytes: frameOf(e)!, nicChecksum: nicDone.has(e.packet) || undefined, nicQuoted: (parent !== undefined && parent !== null && nicDone.has(parent)) || undefined });
      partialAt.set(`${e.host}/${e.packet}`, e.skb.ip_summed === 'CHECKSUM_PARTIAL');
    }
    if (e.fn === 'e1000_xmit_frame' && partialAt.get(`${e.host}/${e.packet}`)) nicDone.add(e.packet);
    if (e.hook) {
      const hook = HOOK_BY_NAME[e.hook.hook];
      if (!hook) continue;
      const key = `${e.host}/${e.packet}`;
      let c = cur.get(key);
      const rank = HOOK_RANK[hook];
      const last = c?.pass.hooks[c.pass.hooks.length - 1];
      if (!c || (last?.hook !== hook && (rank < c.rank || c.seen.has(hook)))) {
        // The datagram ip_frag_reasm rebuilds is a new packet in the model, but in the kernel it
        // is the sk_buff of the fragment that completed the queue (ip_frag_reasm turns that one
        // into the whole datagram), so its nft trace goes on where that fragment's stopped —
        // at LOCAL_IN after ip_local_deliver's defrag, or on through PRE_ROUTING after conntrack's
        // defrag at -400 (nf_ct_frag6_reasm for IPv6). Continue the host's latest pass.
        const list = hooks.get(e.host) ?? [];
        const prev = !c && REASM_FNS.has(firstFn.get(key) ?? '') ? list[list.length - 1] : undefined;
        const prevLast = prev?.hooks[prev.hooks.length - 1];
        if (prev && prevLast && HOOK_RANK[prevLast.hook] <= rank) {
          c = { pass: prev, rank, seen: new Set(prev.hooks.map((x) => x.hook)) };
        } else {
          c = { pass: { packet: e.packet, hooks: [], steps: [] }, rank, seen: new Set() };
          if (e.skb && e.skb.network_header !== null && isNdisc(hexToBytes(e.skb.bytes), e.skb.network_header)) c.pass.nd = true;
          if (!hooks.has(e.host)) hooks.set(e.host, []);
          hooks.get(e.host)!.push(c.pass);
        }
        cur.set(key, c);
      }
      c.rank = rank;
      c.seen.add(hook);
      if (c.pass.hooks[c.pass.hooks.length - 1]?.hook !== hook) c.pass.hooks.push({ hook, ...ttlOf(e) });
      const st = modelStep(e);
      if (st) c.pass.steps.push(st);
    }
  }
  const sockets = new Map<string, string[]>();
  for (const s of t.sockets) {
    if (s.state === 'sender') continue;
    const k = `${s.host} ${s.proto} ${s.local}`;
    // a TCP stream has no message boundaries: the kernel's listener reads each accepted
    // connection to the end after the traffic (recv until EAGAIN), so what the model queued
    // segment by segment is one read of all of a connection's bytes (tcp_try_coalesce merges them
    // on the receive queue anyway)
    const received = s.proto === 'tcp' ? mergeStreams(s.received) : s.received;
    const lines = received.map((r) => `from ${maskPort(r.from)} ${r.bytes} bytes${s.proto === 'udp' ? ` "${r.data ?? ''}"` : ''}`);
    if (s.accepted) for (const a of s.accepted) lines.push(`accepted ${maskPort(a)}`);
    sockets.set(k, lines);
  }
  // What ping printed is what its socket received: each message's source as it arrived (after
  // conntrack undid a DNAT on the way back, say), not the packet as its sender made it. One socket
  // per ping item, in item order, as the kernel side reads each ping process's output in turn.
  const pings: PingReport[] = [];
  for (const h of pingHosts) {
    const heard = (t.pingSockets ?? []).filter((s) => s.host === h).flatMap((s) => s.received.map((r) => `${pingKind(r.what)} from ${r.from}`));
    pings.push({ host: h, heard });
  }
  return { frames, hooks, counters: t.counters, sockets, pings, sends: [] };
}

/** ping's words and the model's for the same ICMP message, reduced to one kind. */
export function pingKind(what: string): string {
  const w = what.toLowerCase();
  if (/echo reply/.test(w)) return 'echo reply';
  // ping (iputils pr_icmph) and the model name the prohibited codes differently
  if (/packet filtered|administratively prohibited|\(code 13\)/.test(w)) return 'communication administratively prohibited (code 13)';
  if (/host prohibited|\(code 10\)/.test(w)) return 'host prohibited (code 10)';
  if (/net prohibited|\(code 9\)/.test(w)) return 'net prohibited (code 9)';
  if (/time to live|time exceeded.*ttl|\(ttl\)/.test(w)) return 'time exceeded (ttl)';
  if (/reassembly|frag.*time/.test(w)) return 'time exceeded (reassembly)';
  if (/frag(mentation)? needed|need to frag|mtu/.test(w)) return 'fragmentation needed';
  if (/port unreachable/.test(w)) return 'port unreachable';
  if (/host unreachable/.test(w)) return 'host unreachable';
  if (/net(work)? unreachable/.test(w)) return 'net unreachable';
  if (/prohibited|admin/.test(w)) return 'administratively prohibited';
  if (/protocol unreachable/.test(w)) return 'protocol unreachable';
  if (/redirect/.test(w)) return 'redirect';
  return w;
}

/** A TCP socket's receipts, one per connection (by source address and port), in first-arrival order. */
function mergeStreams<T extends { from: string; bytes: number }>(rs: T[]): T[] {
  const by = new Map<string, T>();
  for (const r of rs) {
    const had = by.get(r.from);
    if (had) had.bytes += r.bytes;
    else by.set(r.from, { ...r });
  }
  return [...by.values()];
}

export function maskPort(addrPort: string): string {
  const m = /^(.*):(\d+)$/.exec(addrPort);
  if (!m) return addrPort;
  const p = Number(m[2]);
  return p >= 32768 && p <= 60999 ? `${m[1]}:*` : addrPort;
}

/** Functions whose failure step ends a send before any sk_buff leaves the socket. */
const SEND_FAIL_FNS = new Set(['udp_sendmsg', 'ip_append_data', 'tcp_v4_connect', 'tcp_v6_connect', 'raw_sendmsg', 'ip_make_skb']);
/** UDP over IPv6: a failing step whose `ret` is the errno's number (no failed packet is looked up for them) */
const SEND6_FAIL_FNS = new Set(['udpv6_sendmsg', 'udp_v6_send_skb']);

/**
 * The error of one failing step of a send, taking its failed packet from the host's list when it
 * has one (see modelSends).
 */
function sendFailure(failStep: TraceEvent, host: string, failed: Map<string, { fn: string; why: string }[]>, taken: Map<string, number>): string {
  if (SEND6_FAIL_FNS.has(failStep.fn) && /^-\d+$/.test(failStep.ret ?? '')) {
    // udpv6_sendmsg's and udp_v6_send_skb's failures carry the errno as a number
    return errnoName('', -Number(failStep.ret));
  }
  const k = taken.get(host) ?? 0;
  if (failStep.ret?.startsWith('-E')) {
    // a send refused on the way out after its sk_buff was made (udp_send_skb's error, e.g. a
    // netfilter drop's -EPERM): the packet's fate is that drop, the errno is on the step.
    const fail = failStep.ret.slice(1);
    // A send that failed before any sk_buff (a bind() refused with EADDRINUSE) has both the
    // errno on its step and a failed packet of the same function: that packet is this item's,
    // and must not be handed to the next failing item of the host (gen-990014-1).
    const next = failed.get(host)?.[k];
    if (next && next.fn === failStep.fn && errnoName(next.why) === fail) taken.set(host, k + 1);
    return fail;
  }
  taken.set(host, k + 1);
  return failed.get(host)?.[k]?.why ?? failStep.what;
}

/**
 * What each local UDP send and TCP connect returned in the model, as an errno name ("ok" when it
 * succeeded). A send that fails is a step of udp_sendmsg / ip_append_data / tcp_v4_connect /
 * raw_sendmsg on the sending host, without an sk_buff, inside the item's events, and a packet
 * whose fate is that drop (its detail names the error). The failures are paired with the items
 * in order, so a ping's failure (not compared itself) must be recognised as one too, or the next
 * UDP send would be given the ping's error. Packets are not found by id: the first packet of a run has
 * id 0, which is also the id a step without an sk_buff carries.
 * A TCP connect is "ok" once tcp_finish_connect ran on the sending host, ECONNREFUSED when a RST
 * ended it (tcp_reset), the error tcp_v4_err gave, else ETIMEDOUT (the SYN retries ran out).
 * A send whose sk_buff was made and then refused on the way out (udp_send_skb's -EPERM from a
 * netfilter drop) is a failing udp_sendmsg step whose `ret` is the errno.
 */
export function modelSends(sc: Scenario, t: Trace, marks: { events: number }[]): SendResult[] {
  const out: SendResult[] = [];
  const failed = new Map<string, { fn: string; why: string }[]>();
  for (const p of [...t.packets].sort((a, b) => a.id - b.id)) {
    if (p.fate.kind === 'dropped' && SEND_FAIL_FNS.has(p.fate.fn) && p.parent === null) {
      if (!failed.has(p.origin)) failed.set(p.origin, []);
      failed.get(p.origin)!.push({ fn: p.fate.fn, why: p.fate.detail ?? p.fate.reason ?? 'error' });
    }
  }
  const taken = new Map<string, number>();
  sc.traffic.forEach((item, i) => {
    if (item.kind === 'wire' && i + 1 < marks.length) {
      // an `into:` frame: what the tool's packet_snd returned on the link peer (af_packet.ts)
      const evs = t.events.slice(marks[i].events, marks[i + 1].events).filter((e) => e.fn === 'packet_snd');
      if (!evs.length) return;
      const fail = evs.find((e) => e.host === evs[0].host && e.ret?.startsWith('-E'));
      out.push({ item: i, host: evs[0].host, result: fail ? errnoName(fail.ret!.slice(1)) : 'ok' });
      return;
    }
    if (item.kind !== 'local' || i + 1 >= marks.length) return;
    const host = item.from.text;
    const evs = t.events.slice(marks[i].events, marks[i + 1].events).filter((e) => e.host === host);
    // `count N`: each send that failed has its step (and maybe its failed packet); the item's
    // result is the first error, and every failure is taken so the next item gets its own
    let fail: string | undefined;
    for (const failStep of evs.filter((e) => !e.skb && (SEND_FAIL_FNS.has(e.fn) || SEND6_FAIL_FNS.has(e.fn)) && /\bfail/.test(e.what))) {
      const f = sendFailure(failStep, host, failed, taken);
      fail ??= f;
    }
    if (item.send.proto === 'icmp') return;
    let result: string;
    if (fail) result = errnoName(fail);
    else if (item.send.proto === 'udp') result = 'ok';
    else {
      const fates = t.packets.filter((p) => p.fate.host === host && evs.some((e) => e.packet === p.id && e.skb));
      const err = fates.find((p) => p.fate.fn === 'tcp_v4_err');
      if (fates.some((p) => p.fate.fn === 'tcp_finish_connect')) result = 'ok';
      else if (fates.some((p) => p.fate.fn === 'tcp_reset')) result = 'ECONNREFUSED';
      // tcp_done_with_error → tcp_done names the error connect() returns (an ICMP error in SYN_SENT)
      else if (evs.some((e) => e.fn === 'tcp_done' && /fails with E[A-Z]+/.test(e.what))) result = /fails with (E[A-Z]+)/.exec(evs.find((e) => e.fn === 'tcp_done' && /fails with E[A-Z]+/.test(e.what))!.what)![1];
      // tcp_write_timeout ended it (ETIMEDOUT): an ICMP error that tcp_v4_err consumes later
      // finds no connection any more
      else if (evs.some((e) => e.fn === 'tcp_write_timeout' && /fails with ETIMEDOUT/.test(e.what))) result = 'ETIMEDOUT';
      else if (err?.fate.detail) result = errnoName(err.fate.detail);
      else result = 'ETIMEDOUT';
    }
    out.push({ item: i, host, result });
  });
  return out;
}
