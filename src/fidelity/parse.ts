// Parsers for what the real kernel's tools print: nstat's JSON, `nft monitor trace` lines,
// `nft -j list ruleset`, ping's output and pcap files. Pure functions, unit-tested.

/** `nstat --json` → counter name → value (the deltas since the namespace's own history file). */
export function parseNstatJson(text: string): Record<string, number> {
  const t = text.trim();
  if (!t) return {};
  const o = JSON.parse(t) as Record<string, Record<string, number>>;
  const out: Record<string, number> = {};
  for (const group of Object.values(o)) for (const [k, v] of Object.entries(group)) if (typeof v === 'number' && v !== 0) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** `nstat` plain output ("#kernel" then NAME VALUE RATE lines), for older nstat without --json. */
export function parseNstatText(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z0-9]*)\s+(-?\d+)\s/.exec(line + ' ');
    if (m && Number(m[2]) !== 0) out[m[1]] = Number(m[2]);
  }
  return out;
}

export type NfHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** One line of `nft monitor trace`. */
export interface NftTraceLine {
  id: string;
  family: string;
  table: string;
  chain: string;
  kind: 'packet' | 'rule' | 'policy' | 'verdict';
  /** the packet's fields as nft prints them ("ip ttl" → "64", "iif" → "eth0") for `packet:` lines */
  fields?: Record<string, string>;
  /** the rule as nft prints it, without its handle */
  rule?: string;
  handle?: number;
  /** accept, drop, continue, jump X, goto X, return… */
  verdict?: string;
}

const TRACE_RE = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;

/** Fields of a `packet:` line: `iif "eth0" ether saddr … ip saddr 10.0.1.2 ip ttl 64 …`. */
export function parsePacketFields(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const words = s.trim().match(/"[^"]*"|\S+/g) ?? [];
  const two = new Set(['ether', 'ip', 'ip6', 'icmp', 'icmpv6', 'udp', 'tcp', 'arp', 'vlan', 'th', 'meta', 'ct']);
  for (let i = 0; i < words.length; ) {
    const w = words[i];
    if ((w === 'iif' || w === 'oif' || w === 'mark') && i + 1 < words.length) {
      out[w] = words[i + 1].replace(/^"|"$/g, '');
      i += 2;
    } else if (two.has(w) && i + 2 < words.length) {
      // `tcp flags == 0x2` / `tcp flags syn`: take what follows the key up to the next known word
      const key = `${w} ${words[i + 1]}`;
      let j = i + 2;
      const vals: string[] = [];
      while (j < words.length && !two.has(words[j]) && words[j] !== 'iif' && words[j] !== 'oif' && !words[j].startsWith('@')) vals.push(words[j++]);
      out[key] = vals.join(' ').replace(/^"|"$/g, '');
      i = Math.max(j, i + 3);
    } else i++;
  }
  return out;
}

export function parseNftTraceLine(line: string): NftTraceLine | undefined {
  const m = TRACE_RE.exec(line.trim());
  if (!m) return undefined;
  const [, id, family, table, chain, rest] = m;
  const base = { id, family, table, chain };
  if (rest.startsWith('packet:')) return { ...base, kind: 'packet', fields: parsePacketFields(rest.slice(7)) };
  if (rest.startsWith('policy ')) return { ...base, kind: 'policy', verdict: rest.slice(7).trim() };
  if (rest.startsWith('verdict ')) return { ...base, kind: 'verdict', verdict: rest.slice(8).trim() };
  if (rest.startsWith('rule ')) {
    let r = rest.slice(5).trim();
    const v = /\s*\(verdict ([^)]*)\)\s*(?:#\s*handle\s+(\d+))?\s*$/.exec(r);
    let verdict: string | undefined;
    let handle: number | undefined;
    if (v) {
      verdict = v[1].trim();
      if (v[2]) handle = Number(v[2]);
      r = r.slice(0, v.index).trim();
    }
    const h = /\s*#\s*handle\s+(\d+)\s*$/.exec(r);
    if (h) {
      handle = Number(h[1]);
      r = r.slice(0, h.index).trim();
    }
    return { ...base, kind: 'rule', rule: r, verdict, handle };
  }
  return undefined;
}

export function parseNftTrace(text: string): NftTraceLine[] {
  const out: NftTraceLine[] = [];
  for (const l of text.split('\n')) {
    const t = parseNftTraceLine(l);
    if (t) out.push(t);
  }
  return out;
}

/** A base chain or a regular chain of `nft -j list ruleset`, with its rules' handles in order. */
export interface NftChainInfo {
  family: string;
  table: string;
  name: string;
  hook?: NfHook;
  prio?: number;
  /** rule handles, in the chain's order (position + 1 is the rule's index) */
  rules: number[];
}

export function parseNftRuleset(json: string): Map<string, NftChainInfo> {
  const out = new Map<string, NftChainInfo>();
  const t = json.trim();
  if (!t) return out;
  const o = JSON.parse(t) as { nftables: Record<string, Record<string, unknown>>[] };
  for (const item of o.nftables ?? []) {
    if (item.chain) {
      const c = item.chain as { family: string; table: string; name: string; hook?: NfHook; prio?: number };
      out.set(`${c.family} ${c.table} ${c.name}`, { family: c.family, table: c.table, name: c.name, hook: c.hook, prio: c.prio, rules: [] });
    } else if (item.rule) {
      const r = item.rule as { family: string; table: string; chain: string; handle: number };
      out.get(`${r.family} ${r.table} ${r.chain}`)?.rules.push(r.handle);
    }
  }
  return out;
}

/** Rank of a hook in a packet's way through one host: a new pass starts when the rank does not go up. */
export const HOOK_RANK: Record<NfHook, number> = { prerouting: 0, output: 0, forward: 1, input: 2, postrouting: 3 };

export const HOOK_NAMES: Record<NfHook, string> = {
  prerouting: 'NF_INET_PRE_ROUTING',
  input: 'NF_INET_LOCAL_IN',
  forward: 'NF_INET_FORWARD',
  output: 'NF_INET_LOCAL_OUT',
  postrouting: 'NF_INET_POST_ROUTING',
};

/** One trip of one sk_buff through the hooks of one host, as the kernel traced it. */
export interface KernelPass {
  id: string;
  /** hooks in order, each once, with the packet's fields where the harness's own chain saw it */
  hooks: { hook: NfHook; fields: Record<string, string> }[];
  /** the user's chains (not the harness's own trace tables): "ip filter forward rule 2 drop" … */
  steps: string[];
}

/**
 * Groups trace lines into passes. `ownTable` is the harness's table name (its chains name the
 * hook and are left out of `steps`); `chains` maps "family table chain" to its hook and rules.
 */
export function groupPasses(lines: NftTraceLine[], ownTable: string, chains: Map<string, NftChainInfo>): KernelPass[] {
  const passes: KernelPass[] = [];
  const current = new Map<string, { pass: KernelPass; rank: number; seen: Set<string> }>();
  for (const l of lines) {
    const key = `${l.family} ${l.table} ${l.chain}`;
    const info = chains.get(key);
    if (l.kind === 'packet' && info?.hook) {
      const rank = HOOK_RANK[info.hook];
      let cur = current.get(l.id);
      if (!cur || rank < cur.rank || cur.seen.has(key)) {
        cur = { pass: { id: l.id, hooks: [], steps: [] }, rank, seen: new Set() };
        current.set(l.id, cur);
        passes.push(cur.pass);
      }
      cur.rank = rank;
      cur.seen.add(key);
      const last = cur.pass.hooks[cur.pass.hooks.length - 1];
      if (!last || last.hook !== info.hook) cur.pass.hooks.push({ hook: info.hook, fields: l.fields ?? {} });
      else if (l.table === ownTable && l.family === 'ip') last.fields = l.fields ?? last.fields;
      continue;
    }
    const cur = current.get(l.id);
    if (!cur || l.table === ownTable || l.kind === 'packet') continue;
    if (l.kind === 'rule') {
      const idx = info && l.handle !== undefined ? info.rules.indexOf(l.handle) + 1 : 0;
      cur.pass.steps.push(`${key} rule ${idx || '?'} ${normVerdict(l.verdict ?? 'continue')}`);
    } else if (l.kind === 'policy') cur.pass.steps.push(`${key} policy ${normVerdict(l.verdict ?? '')}`);
    else cur.pass.steps.push(`${key} ${normVerdict(l.verdict ?? '')}`);
  }
  return passes;
}

/** "jump foo" → "jump", "NF_ACCEPT" → "accept", "NFT_CONTINUE" → "continue". */
export function normVerdict(v: string): string {
  const w = v.trim().split(/\s+/)[0] ?? '';
  return w.replace(/^NFT?_/, '').toLowerCase();
}

/** ping's per-reply lines: "64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 …", "From 10.0.1.1 icmp_seq=1 Time to live exceeded". */
export interface PingLine {
  from: string;
  seq: number;
  what: string;
}

export function parsePing(text: string): { lines: PingLine[]; transmitted?: number; error?: string } {
  const lines: PingLine[] = [];
  let transmitted: number | undefined;
  let error: string | undefined;
  for (const l of text.split('\n')) {
    let m = /^\d+ bytes from ([\da-fA-F.:]+): icmp_seq=(\d+)/.exec(l);
    if (m) {
      lines.push({ from: m[1], seq: Number(m[2]), what: 'echo reply' });
      continue;
    }
    m = /^From ([\da-fA-F.:]+?)(?: [^:]*)?:? icmp_seq=(\d+) (.+)$/.exec(l.trim());
    if (m) {
      lines.push({ from: m[1], seq: Number(m[2]), what: m[3].trim() });
      continue;
    }
    m = /^(\d+) packets transmitted/.exec(l);
    if (m) transmitted = Number(m[1]);
    m = /^ping: (.*)$/.exec(l.trim());
    if (m) error = m[1];
  }
  return { lines, transmitted, error };
}

/** A classic pcap file (what tcpdump -w writes) → its frames. */
export function parsePcap(buf: Uint8Array): Uint8Array[] {
  if (buf.length < 24) return [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error('not a pcap file');
  const out: Uint8Array[] = [];
  for (let o = 24; o + 16 <= buf.length; ) {
    const incl = dv.getUint32(o + 8, le);
    if (o + 16 + incl > buf.length) break;
    out.push(buf.slice(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return out;
}
