// -m hashlimit (xt_hashlimit.c, revision 3; iptables-nft keeps it an xt match): one token bucket
// per flow key (the --hashlimit-mode fields, masked), in a table shared by every rule that names
// it. Credits are counted as the kernel counts them, in jiffies (HZ 250): an entry starts with
// avg·burst worth of credit, gains CREDITS_PER_JIFFY a jiffy up to that cap, and each packet
// costs user2credits(avg). An entry idle past --hashlimit-htable-expire is removed by the next
// garbage collection (every --hashlimit-htable-gcinterval ms from the table's creation).
// --hashlimit-rate-match counts packets per --hashlimit-rate-interval instead. A rate in bytes
// (`4kb/s`, XT_HASHLIMIT_BYTES) has buckets of one second's credit that a packet pays by its length
// in 16-byte chunks, refilled whole up to burst times when a packet finds it short
// (hashlimit_byte_cost); with --hashlimit-rate-match it counts bytes per interval.
import type { EvalCtx, Expr } from '../../../model/net/netfilter/nf_tables';
import { HZ } from '../../../model/proc/sysctl';
import { prefixMask } from '../../../model/proto/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../../model/proto/ipv4';
import { be16, l4Bytes } from './l4hdr';
import { IPPROTO_DCCP, IPPROTO_SCTP, IPPROTO_UDPLITE } from './protos';
import { fail, num, q, type XtMatch } from './types';

const SCALE = 1_000_000n; // XT_HASHLIMIT_SCALE_v2
const CPJ = 1n << 39n; // CREDITS_PER_JIFFY: the power of two below 2^64 / (HZ·86400), HZ 250
const BHZ = BigInt(HZ);

// byte mode: CREDITS_PER_JIFFY_BYTES, the power of two below 0xffffffff / HZ, and a full bucket
const CPJB = 1n << 24n;
const BYTES_FULL = CPJB * BHZ;
const U32 = 0xffffffffn;
/** libxt_hashlimit: the kernel's avg for a byte rate, and back (16-byte chunks, XT_HASHLIMIT_BYTE_SHIFT) */
// (iptables 1.8.9 keeps the chunk count in a u32, so a rate past 2^36 bytes wraps)
const bytesToCost = (bytes: bigint): bigint => U32 / ((((bytes >> 4n) & U32) + 1n) & U32 || 1n);
const costToBytes = (cost: bigint): bigint => ((cost ? U32 / cost : U32) - 1n) << 4n;
/** user2credits_byte: a u32 product's upper half */
const user2creditsByte = (avg: bigint): bigint => ((avg * BYTES_FULL) >> 32n) & U32;
/** user2rate_bytes (rate match) */
const user2rateBytes = (avg: bigint): bigint => ((avg ? U32 / avg : U32) - 1n) << 4n;

/** user2credits, revision 3 */
const user2credits = (user: bigint): bigint => (SCALE >= BHZ * CPJ ? user / (SCALE / (BHZ * CPJ)) : user * ((BHZ * CPJ) / SCALE));
const msecsToJiffies = (ms: number): number => Math.ceil((ms * HZ) / 1000);
const jiffies = (x: EvalCtx): number => Math.floor(x.net.w.sched.now / (1e9 / HZ));

interface Cfg {
  avg: bigint;
  burst: number;
  mode: Set<string>;
  srcmask: number;
  dstmask: number;
  expire: number;
  gcint: number;
  rateMatch: boolean;
  interval: number;
  invert: boolean;
  /** XT_HASHLIMIT_BYTES: avg is a cost per 16 bytes, burst how many times a bucket refills */
  bytes: boolean;
}

interface Ent {
  prev: number;
  expires: number;
  credit: bigint;
  cap: bigint;
  cost: bigint;
  // rate-match
  rate: bigint;
  burst: bigint;
  cur: bigint;
  prevWindow: boolean;
}

interface HTable {
  cfg: Cfg;
  created: number;
  ents: Map<string, Ent>;
}

/** the tables of each netns's netfilter, by name (htable_find_get: the first rule's config wins) */
const TABLES = new WeakMap<object, Map<string, HTable>>();

const PORT_PROTOS = new Set([IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPPROTO_SCTP, IPPROTO_DCCP]);

/** hashlimit_init_dst: the key; null when the ports cannot be read (hotdrop) */
function keyOf(x: EvalCtx, c: Cfg): string | null {
  const m = c.mode;
  const parts: number[] = [m.has('dstip') ? (x.p.iph.daddr & prefixMask(c.dstmask)) >>> 0 : 0, m.has('srcip') ? (x.p.iph.saddr & prefixMask(c.srcmask)) >>> 0 : 0, 0, 0];
  if (m.has('srcport') || m.has('dstport')) {
    if (PORT_PROTOS.has(x.p.l4proto)) {
      const b = l4Bytes(x, 0, 4);
      if (b === 'short') return null;
      if (b !== 'frag') {
        if (m.has('srcport')) parts[2] = be16(b, 0);
        if (m.has('dstport')) parts[3] = be16(b, 2);
      }
    }
  }
  return parts.join('|');
}

function init(c: Cfg, now: number): Ent {
  const e: Ent = { prev: now, expires: now + msecsToJiffies(c.expire), credit: 0n, cap: 0n, cost: 0n, rate: 0n, burst: 0n, cur: 0n, prevWindow: false };
  if (c.rateMatch && c.bytes) {
    e.rate = user2rateBytes(c.avg);
    e.burst = c.burst ? BigInt(c.burst) * e.rate : e.rate;
  } else if (c.rateMatch) {
    e.rate = SCALE / c.avg;
    e.burst = BigInt(c.burst) + e.rate;
  } else if (c.bytes) {
    e.credit = BYTES_FULL;
    e.cost = user2creditsByte(c.avg);
    // credit_cap counts the refills left
    e.cap = BigInt(c.burst);
  } else {
    e.credit = user2credits(c.avg * BigInt(c.burst));
    e.cost = user2credits(c.avg);
    e.cap = e.credit;
  }
  return e;
}

function recalc(e: Ent, c: Cfg, now: number): void {
  const delta = now - e.prev;
  if (delta === 0) return;
  if (c.rateMatch) {
    const interval = c.interval * HZ;
    if (delta < interval) return;
    e.prev = now;
    e.prevWindow = e.cur * BigInt(interval) > BigInt(delta) * e.rate;
    e.cur = 0n;
    return;
  }
  e.prev = now;
  if (c.bytes) {
    e.credit += BigInt(delta) * CPJB;
    if (e.credit > BYTES_FULL) e.credit = BYTES_FULL;
    return;
  }
  e.credit += BigInt(delta) * CPJ;
  if (e.credit > e.cap) e.credit = e.cap;
}

/** hashlimit_byte_cost: the packet's price; a bucket too short for it is refilled while refills are left */
function byteCost(e: Ent, len: number): bigint {
  let cost = BigInt((len >> 4) + 1) * e.cost;
  if (cost > BYTES_FULL) cost = BYTES_FULL;
  if (e.credit < cost && e.cap > 0n) {
    e.cap -= 1n;
    e.credit = BYTES_FULL;
  }
  return cost;
}

interface St {
  c: Partial<Cfg> & { mode: Set<string> };
  name?: string;
  seen: Set<string>;
  rateTok?: { text: string; pos: import('../../types').SourcePos };
  /** the rate's unit in seconds (libxt_hashlimit's udata->mult) */
  mult?: number;
  /** a byte rate (libxt_hashlimit parse_bytes), and --hashlimit-burst as written, in bytes with a unit */
  bytes?: boolean;
  burstRaw?: bigint;
  /** --hashlimit-htable-size and -max, kept for the save form only (the model's tables never fill) */
  size?: number;
  max?: number;
}

/** libxt_hashlimit's print_rate: the largest unit that gives a whole rate; and its length in ms */
function printRate(avg: bigint): [string, number] {
  const rates: [string, bigint][] = [
    ['day', SCALE * 86400n],
    ['hour', SCALE * 3600n],
    ['min', SCALE * 60n],
    ['sec', SCALE],
  ];
  let i = 1;
  for (; i < rates.length; i++) if (avg > rates[i][1] || rates[i][1] / avg < rates[i][1] % avg) break;
  const [name, m] = rates[i - 1];
  return [`${m / avg}/${name}`, Number((m / SCALE) * 1000n)];
}

/** libxt_hashlimit's print_bytes: the rate in the largest unit that gives back the same avg, the burst in the largest that fits; and the expire it implies */
function printBytes(avg: bigint, burst: number): [string[], number] {
  const units: [string, bigint][] = [
    ['m', 1024n * 1024n],
    ['k', 1024n],
  ];
  const r = costToBytes(avg);
  // the mask is a u32, so a rate past 4 GiB/s loses its upper bits here and prints in bytes
  const u = units.find(([, th]) => r >= th && bytesToCost(r & (~(th - 1n) & U32)) === avg) ?? ['', 1n];
  const rate = `${r / u[1]}${u[0]}b/s`;
  if (burst === 0) return [[rate], 15_000];
  const b = r * BigInt(burst);
  const bu = units.find(([, th]) => b >= th) ?? ['', 1n];
  return [[rate, '--hashlimit-burst', `${b / bu[1]}${bu[0]}b`], 60_000];
}

/** hashlimit_mt_check for a byte rate: the burst in bytes becomes a count of whole buckets */
function byteBurst(st: St): number {
  if (st.burstRaw === undefined) return 0;
  const per = costToBytes(st.c.avg!);
  if (st.burstRaw < per) fail(st.rateTok!, `burst cannot be smaller than ${per}b`);
  return Number((st.burstRaw + per - 1n) / per);
}

/** the kernel's config after libxt_hashlimit's final check (revision 3, iptables 1.8.9) */
function kernelCfg(st: St): { avg: bigint; expire: number; interval: number } {
  // a byte rate: an entry lives 15 s (XT_HASHLIMIT_BYTE_EXPIRE), 60 s with a burst
  // (XT_HASHLIMIT_BYTE_EXPIRE_BURST); iptables 1.8.9 lists a rate-match interval of 1 for it
  if (st.bytes) return { avg: st.c.avg!, expire: st.c.expire ?? (st.burstRaw !== undefined ? 60_000 : 15_000), interval: st.c.interval ?? 1 };
  // without --hashlimit-htable-expire an entry lives one unit of the rate (1 s for N/sec, 1 h
  // for N/hour); with --hashlimit-rate-match the average is per second of the unit and the
  // interval defaults to the unit
  const mult = st.mult ?? 1;
  const avg = st.c.rateMatch ? st.c.avg! / BigInt(mult) : st.c.avg!;
  return { avg, expire: st.c.expire ?? mult * 1000, interval: st.c.interval ?? (st.c.rateMatch ? mult : 1) };
}

const MODES = ['srcip', 'srcport', 'dstip', 'dstport'];

export const hashlimit: XtMatch<St> = {
  opts: {
    '--hashlimit-upto': true,
    '--hashlimit-above': true,
    '--hashlimit-burst': true,
    '--hashlimit-mode': true,
    '--hashlimit-name': true,
    '--hashlimit-srcmask': true,
    '--hashlimit-dstmask': true,
    '--hashlimit-htable-size': true,
    '--hashlimit-htable-max': true,
    '--hashlimit-htable-expire': true,
    '--hashlimit-htable-gcinterval': true,
    '--hashlimit-rate-match': false,
    '--hashlimit-rate-interval': true,
  },
  init: () => ({ c: { mode: new Set() }, seen: new Set() }),
  parse: (st, o) => {
    const t = o.opt.text;
    const key = t === '--hashlimit-above' ? '--hashlimit-upto' : t;
    if (st.seen.has(key)) fail(o.opt, `hashlimit: option ${q(t)} can only be used once.`);
    st.seen.add(key);
    if (o.neg) fail(o.opt, `hashlimit: option ${q(t)} cannot be inverted.`);
    if (t === '--hashlimit-rate-match') {
      st.c.rateMatch = true;
      return;
    }
    const v = o.arg('a value');
    switch (t) {
      case '--hashlimit-upto':
      case '--hashlimit-above': {
        st.c.invert = t === '--hashlimit-above';
        st.rateTok = v;
        // parse_bytes: N[k|m]b/s (another letter before b/s counts as 1)
        const b = /^(\d+)([a-z]?)b\/s$/i.exec(v.text);
        if (b && BigInt(b[1]) > 0n) {
          const bytes = BigInt(b[1]) * (b[2] === 'm' ? 1n << 20n : b[2] === 'k' ? 1024n : 1n);
          if (bytes > (1n << 64n) - 1n) fail(v, `Rate value too large "${bytes}" (max ${(1n << 64n) - 1n})`);
          const avg = bytesToCost(bytes);
          if (avg === 0n) fail(v, `Rate too high "${v.text}"`);
          st.c.avg = avg;
          st.bytes = true;
          break;
        }
        const m = /^(\d+)(?:\/(\w*))?$/.exec(v.text);
        if (!m) fail(v, `hashlimit: bad value for option ${q(t)}, or out of range (${v.text}).`);
        const units: [string, number][] = [
          ['second', 1],
          ['minute', 60],
          ['hour', 3600],
          ['day', 86400],
        ];
        const u = m[2] === undefined ? 1 : m[2] === '' ? 0 : units.find(([n]) => n.startsWith(m[2].toLowerCase()))?.[1] ?? 0;
        const r = BigInt(m[1]);
        if (!u || r === 0n) fail(v, `hashlimit: bad value for option ${q(t)}, or out of range (${v.text}).`);
        const avg = (SCALE * BigInt(u)) / r;
        if (avg === 0n) fail(v, `Rate too fast "${v.text}"`);
        st.c.avg = avg;
        st.mult = u;
        break;
      }
      case '--hashlimit-burst':
      {
        // parse_burst: a number, times 1024 or 1048576 for a k or m after it; without a unit at most 10000
        const b = /^(\d+)(b|kb|mb)$/i.exec(v.text);
        if (b) {
          st.burstRaw = BigInt(b[1]) * (b[2][0] === 'm' ? 1n << 20n : b[2][0] === 'k' ? 1024n : 1n);
          if (st.burstRaw > U32) fail(v, `bad value for option "--hashlimit-burst", value "${v.text}" too large (max 4095mb).`);
          st.c.burst = -1;
        } else {
          st.c.burst = num(v, 10000);
          st.burstRaw = BigInt(st.c.burst);
        }
      }
        break;
      case '--hashlimit-mode':
        for (const n of v.text.split(',')) {
          if (!MODES.includes(n)) fail(v, `hashlimit: bad value for option "--hashlimit-mode", or out of range (${v.text}).`);
          st.c.mode.add(n);
        }
        break;
      case '--hashlimit-name':
        if (v.text.length > 254) fail(v, 'hashlimit: the name is too long');
        st.name = v.text;
        break;
      case '--hashlimit-srcmask':
        st.c.srcmask = num(v, 32);
        break;
      case '--hashlimit-dstmask':
        st.c.dstmask = num(v, 32);
        break;
      case '--hashlimit-htable-expire':
        st.c.expire = num(v);
        break;
      case '--hashlimit-htable-gcinterval':
        st.c.gcint = num(v);
        if (st.c.gcint === 0) fail(v, 'hashlimit: --hashlimit-htable-gcinterval must be at least 1');
        break;
      case '--hashlimit-rate-interval':
        st.c.interval = num(v);
        if (st.c.interval === 0) fail(v, 'hashlimit: --hashlimit-rate-interval must be at least 1');
        break;
      default:
        // htable-size and htable-max bound the table; the model's tables never fill
        st[t === '--hashlimit-htable-size' ? 'size' : 'max'] = num(v);
    }
  },
  // hashlimit_mt_save: the rate in print_rate's unit, the burst always, the mode in bit order,
  // the name, then what differs from the defaults (expire: from one unit of the printed rate)
  save: (st) => {
    const k = kernelCfg(st);
    const [rateWords, quantum] = st.bytes ? printBytes(k.avg, byteBurst(st)) : ((r) => [[r[0], '--hashlimit-burst', String(st.c.burst ?? 5)], r[1]] as [string[], number])(printRate(k.avg));
    const mode = ['srcip', 'srcport', 'dstip', 'dstport'].filter((m) => st.c.mode.has(m));
    return [
      st.c.invert ? '--hashlimit-above' : '--hashlimit-upto', ...rateWords,
      ...(mode.length ? ['--hashlimit-mode', mode.join(',')] : []),
      '--hashlimit-name', st.name!,
      ...(st.size ? ['--hashlimit-htable-size', String(st.size)] : []),
      ...(st.max ? ['--hashlimit-htable-max', String(st.max)] : []),
      ...(st.c.gcint !== undefined && st.c.gcint !== 1000 ? ['--hashlimit-htable-gcinterval', String(st.c.gcint)] : []),
      ...(k.expire !== quantum ? ['--hashlimit-htable-expire', String(k.expire)] : []),
      ...(st.c.srcmask !== undefined && st.c.srcmask !== 32 ? ['--hashlimit-srcmask', String(st.c.srcmask)] : []),
      ...(st.c.dstmask !== undefined && st.c.dstmask !== 32 ? ['--hashlimit-dstmask', String(st.c.dstmask)] : []),
      ...(st.c.rateMatch ? ['--hashlimit-rate-match'] : []),
      ...(st.c.rateMatch && k.interval !== 1 ? ['--hashlimit-rate-interval', String(k.interval)] : []),
    ];
  },
  finish: (st, e) => {
    if (st.c.avg === undefined) fail(e.tok, 'hashlimit: option "--hashlimit-upto" or "--hashlimit-above" must be specified');
    if (st.name === undefined) fail(e.tok, 'hashlimit: option "--hashlimit-name" must be specified');
    if (st.c.interval !== undefined && !st.c.rateMatch) fail(e.tok, 'hashlimit: --hashlimit-rate-interval can only be used with --hashlimit-rate-match');
    // a burst with a unit is a number of bytes; for a packet rate it is taken as packets, at most
    // XT_HASHLIMIT_BURST_MAX (hashlimit_mt_check: burst_error)
    if (!st.bytes && st.c.burst === -1) {
      if (st.burstRaw! > 10000n) fail(e.tok, 'bad value for option "--hashlimit-burst", or out of range (1-10000).');
      st.c.burst = Number(st.burstRaw);
    }
    const burst = st.bytes ? byteBurst(st) : st.c.burst ?? 5;
    const k = kernelCfg(st);
    const cfg: Cfg = { avg: k.avg, burst, mode: st.c.mode, srcmask: st.c.srcmask ?? 32, dstmask: st.c.dstmask ?? 32, expire: k.expire, gcint: st.c.gcint ?? 1000, rateMatch: !!st.c.rateMatch, interval: k.interval, invert: !!st.c.invert, bytes: !!st.bytes };
    // hashlimit_mt_check_common: a byte rate whose cost rounds to no credit is -EINVAL
    if (cfg.bytes && !cfg.rateMatch && user2creditsByte(cfg.avg) === 0n) fail(st.rateTok!, `hashlimit: overflow, rate too high: ${cfg.avg}`);
    if (!cfg.bytes && !cfg.rateMatch && user2credits(cfg.avg * BigInt(cfg.burst)) < user2credits(cfg.avg)) fail(st.rateTok!, `hashlimit: overflow, try lower: ${cfg.avg}/${cfg.burst}`);
    const name = st.name;
    let last = '';
    const ex: Expr = {
      text: e.text,
      eval: (x) => {
        let byName = TABLES.get(x.nf);
        if (!byName) TABLES.set(x.nf, (byName = new Map()));
        const now = jiffies(x);
        let ht = byName.get(name);
        if (!ht) byName.set(name, (ht = { cfg, created: now, ents: new Map() }));
        const c = ht.cfg;
        const key = keyOf(x, c);
        if (key === null) return { code: 'NF_DROP' };
        let ent = ht.ents.get(key);
        if (ent && now >= ent.expires) {
          // htable_gc ran at created + k·gcint; one of those at or after the expiry removed it
          const gc = msecsToJiffies(c.gcint);
          const firstGc = ht.created + Math.ceil(Math.max(ent.expires - ht.created, gc) / gc) * gc;
          if (firstGc <= now) {
            ht.ents.delete(key);
            ent = undefined;
          }
        }
        if (!ent) {
          ent = init(c, now);
          ht.ents.set(key, ent);
        } else {
          ent.expires = now + msecsToJiffies(c.expire);
          recalc(ent, c, now);
        }
        let under: boolean;
        if (c.rateMatch) {
          ent.cur += c.bytes ? BigInt(x.p.skb.len) : 1n;
          under = !ent.prevWindow && ent.cur <= ent.burst;
          last = `${ent.cur} ${c.bytes ? 'bytes' : 'packets'} this interval (burst ${ent.burst})`;
        } else {
          const cost = c.bytes ? byteCost(ent, x.p.skb.len) : ent.cost;
          under = ent.credit >= cost;
          if (under) ent.credit -= cost;
          last = `${under ? 'credit enough' : 'not enough credit'} in the bucket of ${key.replace(/\|/g, ' ')} (${ent.credit} left, ${c.bytes ? `this packet of ${x.p.skb.len} bytes costs ${cost}, ${ent.cap} refills left` : `a packet costs ${ent.cost}`})`;
        }
        return under !== c.invert;
      },
      actual: () => last,
    };
    return [ex];
  },
};
