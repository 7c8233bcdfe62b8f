// -m hashlimit (xt_hashlimit.c, revision 3; iptables-nft keeps it an xt match): one token bucket
// per flow key (the --hashlimit-mode fields, masked), in a table shared by every rule that names
// it. Credits are counted as the kernel counts them, in jiffies (HZ 250): an entry starts with
// avg·burst worth of credit, gains CREDITS_PER_JIFFY a jiffy up to that cap, and each packet
// costs user2credits(avg). An entry idle past --hashlimit-htable-expire is removed by the next
// garbage collection (every --hashlimit-htable-gcinterval ms from the table's creation).
// --hashlimit-rate-match counts packets per --hashlimit-rate-interval instead. Byte rates are
// not modelled.
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
  if (c.rateMatch) {
    e.rate = SCALE / c.avg;
    e.burst = BigInt(c.burst) + e.rate;
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
  e.credit += BigInt(delta) * CPJ;
  if (e.credit > e.cap) e.credit = e.cap;
}

interface St {
  c: Partial<Cfg> & { mode: Set<string> };
  name?: string;
  seen: Set<string>;
  rateTok?: { text: string; pos: import('../../types').SourcePos };
  /** the rate's unit in seconds (libxt_hashlimit's udata->mult) */
  mult?: number;
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

/** the kernel's config after libxt_hashlimit's final check (revision 3, iptables 1.8.9) */
function kernelCfg(st: St): { avg: bigint; expire: number; interval: number } {
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
        const m = /^(\d+)(?:\/(\w*))?$/.exec(v.text);
        if (!/^\d+[a-z]*b(\/s)?$/i.test(v.text) && !m) fail(v, `hashlimit: bad value for option ${q(t)}, or out of range (${v.text}).`);
        if (!m) fail(v, `hashlimit ${t} in bytes (${v.text}) is not modelled`);
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
        st.c.invert = t === '--hashlimit-above';
        st.rateTok = v;
        st.mult = u;
        break;
      }
      case '--hashlimit-burst':
        if (/^\d+[kmg]?b$/i.test(v.text)) fail(v, 'hashlimit: a burst in bytes is not modelled');
        st.c.burst = num(v, 10000);
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
    const [rate, quantum] = printRate(k.avg);
    const mode = ['srcip', 'srcport', 'dstip', 'dstport'].filter((m) => st.c.mode.has(m));
    return [
      st.c.invert ? '--hashlimit-above' : '--hashlimit-upto', rate, '--hashlimit-burst', String(st.c.burst ?? 5),
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
    const k = kernelCfg(st);
    const cfg: Cfg = { avg: k.avg, burst: st.c.burst ?? 5, mode: st.c.mode, srcmask: st.c.srcmask ?? 32, dstmask: st.c.dstmask ?? 32, expire: k.expire, gcint: st.c.gcint ?? 1000, rateMatch: !!st.c.rateMatch, interval: k.interval, invert: !!st.c.invert };
    if (!cfg.rateMatch && user2credits(cfg.avg * BigInt(cfg.burst)) < user2credits(cfg.avg)) fail(st.rateTok!, `hashlimit: overflow, try lower: ${cfg.avg}/${cfg.burst}`);
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
          ent.cur += 1n;
          under = !ent.prevWindow && ent.cur <= ent.burst;
          last = `${ent.cur} packets this interval (burst ${ent.burst})`;
        } else {
          under = ent.credit >= ent.cost;
          if (under) ent.credit -= ent.cost;
          last = `${under ? 'credit enough' : 'not enough credit'} in the bucket of ${key.replace(/\|/g, ' ')} (${ent.credit} left, a packet costs ${ent.cost})`;
        }
        return under !== c.invert;
      },
      actual: () => last,
    };
    return [ex];
  },
};
