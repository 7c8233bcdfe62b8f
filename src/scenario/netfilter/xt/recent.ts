// -m recent (xt_recent.c recent_mt): a list per name and network namespace of the addresses
// seen, each with the jiffies of its last hits (a ring of nstamps_max_mask+1 stamps). --set adds
// the address (or stamps it again), --rcheck looks it up, --update looks it up and stamps it if
// the test held, --remove deletes it; --seconds counts only hits that recent, --hitcount needs
// that many, --rttl also needs the TTL it was set with, --reap drops the oldest entry of the list
// once it is older than --seconds. The list holds ip_list_tot (100) addresses, the least recently
// used going first; addresses are masked with the --mask of the rule that made the list; a later rule with a larger --hitcount flushes it (recent_mt_check).
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import { HZ } from '../../../model/proc/sysctl';
import { numToIp } from '../../../model/proto/addr';
import { ipv4Of } from '../values';
import { fail, num, q, type XtMatch } from './types';

/** module parameters' defaults: ip_list_tot, ip_pkt_list_tot; XT_RECENT_MAX_NSTAMPS */
const IP_LIST_TOT = 100;
const IP_PKT_LIST_TOT = 20;
const MAX_NSTAMPS = 256;

interface Entry {
  addr: number;
  ttl: number;
  stamps: number[];
  index: number;
  nstamps: number;
}
interface Table {
  mask: number;
  /** the address mask of the rule that made the list (t->mask): later rules' --mask do not change it */
  amask: number;
  /** in the order they went into the hash list (lookup order) */
  entries: Entry[];
  /** least recently used first */
  lru: Entry[];
}

const TABLES = new WeakMap<object, Map<string, Table>>();
const jiffies = (x: EvalCtx): number => Math.floor(x.net.w.sched.now / (1e9 / HZ));
const roundupPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

type Action = '--set' | '--rcheck' | '--update' | '--remove';
interface St {
  action?: Action;
  neg: boolean;
  seconds?: number;
  reap?: boolean;
  hitcount?: number;
  rttl?: boolean;
  name?: string;
  mask?: number;
  side?: '--rsource' | '--rdest';
}

function remove(t: Table, e: Entry): void {
  t.entries = t.entries.filter((x) => x !== e);
  t.lru = t.lru.filter((x) => x !== e);
}

export const recent: XtMatch<St> = {
  opts: { '--set': false, '--rcheck': false, '--update': false, '--remove': false, '--seconds': true, '--reap': false, '--hitcount': true, '--rttl': false, '--name': true, '--mask': true, '--rsource': false, '--rdest': false },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    const t = o.opt.text;
    if (['--set', '--rcheck', '--update', '--remove'].includes(t)) {
      if (st.action) fail(o.opt, "recent: only one of `--set', `--rcheck' `--update' or `--remove' may be set");
      st.action = t as Action;
      st.neg = o.neg;
      return;
    }
    if (o.neg) fail(o.opt, `recent: option ${q(t)} cannot be inverted.`);
    if (t === '--rsource' || t === '--rdest') {
      if (st.side) fail(o.opt, 'recent: only one of "--rsource" and "--rdest" may be given');
      st.side = t;
      return;
    }
    const key = t.slice(2) as 'seconds' | 'reap' | 'hitcount' | 'rttl' | 'name' | 'mask';
    if (st[key] !== undefined) fail(o.opt, `recent: option ${q(t)} can only be used once.`);
    switch (key) {
      case 'reap':
      case 'rttl':
        st[key] = true;
        break;
      case 'seconds':
      case 'hitcount':
        st[key] = num(o.arg('a number'), 0xffffffff);
        break;
      case 'name': {
        const v = o.arg('a list name');
        // xt_check_proc_name: a name for /proc/net/xt_recent
        if (!v.text || v.text.length >= 200 || v.text.includes('/') || v.text === '.' || v.text === '..') fail(v, `recent: bad list name ${q(v.text)}`);
        st.name = v.text;
        break;
      }
      case 'mask': {
        const v = o.arg('a mask');
        const m = ipv4Of(v.text);
        if (m === undefined) fail(v, `recent: bad mask ${q(v.text)}`);
        st.mask = m;
        break;
      }
    }
  },
  finish: (st, e) => {
    if (!st.action) fail(e.tok, "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
    const einval = (why: string): never => fail(e.tok, `recent: ${why} (iptables: RULE_APPEND failed (Invalid argument))`);
    if ((st.action === '--set' || st.action === '--remove') && (st.seconds || st.hitcount || st.rttl || st.reap)) einval(`${st.action} takes no --seconds, --hitcount, --rttl or --reap`);
    if (st.reap && !st.seconds) einval('--reap needs --seconds');
    if ((st.hitcount ?? 0) >= MAX_NSTAMPS) einval(`hitcount (${st.hitcount}) is larger than allowed maximum (${MAX_NSTAMPS - 1})`);
    const name = st.name ?? 'DEFAULT';
    const mask = st.mask ?? 0xffffffff;
    const hit = st.hitcount ?? 0;
    const seconds = st.seconds ?? 0;
    const nstampMask = hit < IP_PKT_LIST_TOT ? roundupPow2(IP_PKT_LIST_TOT) - 1 : roundupPow2(hit) - 1;
    const dest = st.side === '--rdest';
    // recent_mt_check: the list exists from the rule's load; a larger ring flushes it
    e.check((eng) => {
      let byName = TABLES.get(eng.net);
      if (!byName) TABLES.set(eng.net, (byName = new Map()));
      const t = byName.get(name);
      if (!t) byName.set(name, { mask: nstampMask, amask: mask, entries: [], lru: [] });
      else if (nstampMask > t.mask) Object.assign(t, { mask: nstampMask, entries: [], lru: [] });
    });
    const tableOf = (x: EvalCtx): Table => {
      let byName = TABLES.get(x.net);
      if (!byName) TABLES.set(x.net, (byName = new Map()));
      let t = byName.get(name);
      if (!t) byName.set(name, (t = { mask: nstampMask, amask: mask, entries: [], lru: [] }));
      return t;
    };
    const update = (t: Table, en: Entry, now: number): void => {
      en.index &= t.mask;
      en.stamps[en.index++] = now;
      if (en.index > en.nstamps) en.nstamps = en.index;
      t.lru = [...t.lru.filter((y) => y !== en), en];
    };
    return [
      {
        text: e.text,
        eval: (x) => {
          const t = tableOf(x);
          const now = jiffies(x);
          let ret = st.neg;
          // the TTL as it was before forwarding: a packet going out that no local socket sent has had it decremented
          const ttl = (x.p.iph.ttl + (x.p.outdev && !x.p.skb.sk ? 1 : 0)) & 0xff;
          const addr = ((dest ? x.p.iph.daddr : x.p.iph.saddr) & t.amask) >>> 0;
          const want = st.rttl ? ttl : 0;
          const en = t.entries.find((y) => y.addr === addr && (want === y.ttl || want === 0 || y.ttl === 0));
          if (!en) {
            if (st.action !== '--set') return ret;
            if (t.entries.length >= IP_LIST_TOT) remove(t, t.lru[0]);
            const ne: Entry = { addr, ttl, stamps: [now], index: 1, nstamps: 1 };
            t.entries.push(ne);
            t.lru.push(ne);
            return !ret;
          }
          if (st.action === '--set') ret = !ret;
          else if (st.action === '--remove') {
            remove(t, en);
            return !ret;
          } else {
            const time = now - seconds * HZ;
            let hits = 0;
            for (let i = 0; i < en.nstamps; i++) {
              if (seconds && time > en.stamps[i]) continue;
              if (!hit || ++hits >= hit) {
                ret = !ret;
                break;
              }
            }
            if (st.reap) {
              const oldest = t.lru[0];
              if (!(oldest === en && st.action === '--update' && ret) && time > oldest.stamps[oldest.index - 1]) remove(t, oldest);
            }
          }
          if (st.action === '--set' || (st.action === '--update' && ret)) {
            update(t, en, now);
            en.ttl = ttl;
          }
          return ret;
        },
        actual: (x) => {
          const t = tableOf(x);
          const addr = ((dest ? x.p.iph.daddr : x.p.iph.saddr) & t.amask) >>> 0;
          const en = t.entries.find((y) => y.addr === addr);
          return en ? `${numToIp(addr)} in list ${name} with ${en.nstamps} hit(s)` : `${numToIp(addr)} not in list ${name}`;
        },
      },
    ];
  },
  save: (st) => [
    ...(st.neg ? ['!'] : []),
    st.action!,
    ...(st.seconds ? ['--seconds', String(st.seconds)] : []),
    ...(st.reap ? ['--reap'] : []),
    ...(st.hitcount ? ['--hitcount', String(st.hitcount)] : []),
    ...(st.rttl ? ['--rttl'] : []),
    '--name',
    st.name ?? 'DEFAULT',
    '--mask',
    numToIp(st.mask ?? 0xffffffff),
    st.side ?? '--rsource',
  ],
};
