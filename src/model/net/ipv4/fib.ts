// The FIB: routing tables (net/ipv4/fib_trie.c), policy rules (net/ipv4/fib_rules.c) and the
// routes that addresses bring with them (fib_add_ifaddr in net/ipv4/fib_frontend.c).
import { inPrefix, numToIp, prefixMask } from '../../proto/addr';
import type { NetDevice } from '../core/netdevice';
import type { Rtable, RtnType } from './route_types';
import { EACCES, EHOSTUNREACH, EINVAL, ENETUNREACH } from './route_types';

export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export type Scope = 'global' | 'link' | 'host' | 'nowhere';
const SCOPE_VAL: Record<Scope, number> = { global: 0, link: 253, host: 254, nowhere: 255 };

export interface FibRoute {
  table: number;
  dst: number;
  plen: number;
  type: RtnType;
  dev: NetDevice | null;
  gw: number;
  prefsrc: number;
  metric: number;
  scope: Scope;
  proto: string;
  mtu: number;
  /** RTAX_LOCK for RTAX_MTU (`mtu lock N`): ip_mtu_locked — no DF from path MTU discovery, no learnt PMTU */
  mtuLock?: boolean;
  /**
   * fib_nh_common's nhc_rth_input (v6.12 include/net/ip_fib.h): the input route made for a
   * packet through this next hop, kept for the next ones (rt_cache_route) while its genid is
   * the namespace's (rt_cache_valid). null until a packet is routed through it.
   */
  nhc_rth_input: Rtable | null;
}

export interface FibRule {
  priority: number;
  from?: { addr: number; plen: number };
  to?: { addr: number; plen: number };
  fwmark?: { value: number; mask: number };
  iif?: string;
  oif?: string;
  table: number;
  action: 'lookup' | 'blackhole' | 'unreachable' | 'prohibit';
}

export interface Flowi4 {
  daddr: number;
  saddr: number;
  iif: number;
  oif: number;
  mark: number;
  tos: number;
  iifName?: string;
  oifName?: string;
}

export interface FibResult {
  route: FibRoute;
  table: number;
  rule: FibRule;
}

/** fib_props[type].error: a route of this type answers the lookup with this error */
export function fibTypeError(t: RtnType): number {
  switch (t) {
    case 'RTN_BLACKHOLE':
      return EINVAL;
    case 'RTN_UNREACHABLE':
      return EHOSTUNREACH;
    case 'RTN_PROHIBIT':
      return EACCES;
    default:
      return 0;
  }
}

export class Fib {
  readonly routes: FibRoute[] = [];
  /** a fresh netns's three rules: local, main, default — always kept in priority order */
  readonly rules: FibRule[] = [
    { priority: 0, table: RT_TABLE_LOCAL, action: 'lookup' },
    { priority: 32766, table: RT_TABLE_MAIN, action: 'lookup' },
    { priority: 32767, table: RT_TABLE_DEFAULT, action: 'lookup' },
  ];

  /**
   * net->ipv4.fib_has_custom_rules: set by any `ip rule` added or deleted (fib4_rule_configure,
   * fib4_rule_delete); fib_validate_source then always does its full check.
   */
  hasCustomRules = false;
  /** net->ipv4.fib_has_custom_local_routes: a route of type local added by hand (inet_rtm_newroute) */
  hasCustomLocalRoutes = false;

  /**
   * net->ipv4.rt_genid (v6.12 include/net/net_namespace.h): a route cached on a next hop
   * (FibRoute.nhc_rth_input) is valid only while its genid is this one (rt_is_expired).
   * rt_cache_flush bumps it on any change of the routes, rules, addresses, links or sysctls.
   */
  genid = 0;

  /** the namespace's IPv4 addresses (isLocalAddr), as of generation `ifaddrsGen` */
  readonly ifaddrs = new Set<number>();
  ifaddrsGen = -1;

  /** rt_cache_flush (net/ipv4/route.c): every cached route of the namespace expires. */
  rt_cache_flush(): void {
    this.genid++;
  }

  /** fib_nl_newrule: rules stay ordered by priority, a new one after those of equal priority. */
  addRule(rule: FibRule): void {
    const at = this.rules.findIndex((r) => r.priority > rule.priority);
    this.rules.splice(at < 0 ? this.rules.length : at, 0, rule);
    this.rt_cache_flush();
  }

  /** fib_nl_delrule */
  removeRule(i: number): void {
    this.rules.splice(i, 1);
    this.rt_cache_flush();
  }

  add(r: FibRoute): void {
    this.routes.push(r);
    this.rt_cache_flush();
  }

  find(table: number, dst: number, plen: number, type?: RtnType): FibRoute | undefined {
    return this.routes.find((r) => r.table === table && r.dst === dst && r.plen === plen && (!type || r.type === type));
  }

  remove(pred: (r: FibRoute) => boolean): number {
    let n = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (pred(this.routes[i])) {
        this.routes.splice(i, 1);
        n++;
      }
    }
    if (n) this.rt_cache_flush();
    return n;
  }

  /**
   * Each table's routes, longest prefix first, then the lowest metric, then in the order they
   * were added (a stable sort): the first that applies is the one fib_table_lookup chooses, where
   * a walk of every route of every table compared each with the best so far. Made again when
   * the routes change (their generation, `genid`, moves).
   */
  private tables = new Map<number, FibRoute[]>();
  private tablesGen = -1;

  private table(table: number): FibRoute[] | undefined {
    if (this.tablesGen !== this.genid) {
      this.tables.clear();
      for (const r of this.routes) {
        const t = this.tables.get(r.table);
        if (t) t.push(r);
        else this.tables.set(r.table, [r]);
      }
      for (const t of this.tables.values()) t.sort((a, b) => b.plen - a.plen || a.metric - b.metric);
      this.tablesGen = this.genid;
    }
    return this.tables.get(table);
  }

  /** fib_table_lookup: longest prefix first, then the lowest metric; dead next hops are skipped. */
  tableLookup(table: number, fl: Flowi4): FibRoute | undefined {
    const routes = this.table(table);
    if (routes === undefined) return undefined;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      if (!inPrefix(fl.daddr, r.dst, r.plen)) continue;
      if (r.dev && !r.dev.up) continue;
      if (fl.oif && r.dev && r.dev.ifindex !== fl.oif && r.type !== 'RTN_LOCAL') continue;
      return r;
    }
    return undefined;
  }

  /** fib_lookup through the policy rules: a result, or the error the lookup gives (-errno as a positive number). */
  lookup(fl: Flowi4): FibResult | { error: number; rule?: FibRule } {
    for (const rule of this.rules) {
      if (!ruleMatches(rule, fl)) continue;
      if (rule.action === 'blackhole') return { error: EINVAL, rule };
      // fib4_rule_action (net/ipv4/fib_rules.c, v6.12): FR_ACT_UNREACHABLE is -ENETUNREACH (an
      // `unreachable` route's type error, fib_props, is -EHOSTUNREACH: not the same)
      if (rule.action === 'unreachable') return { error: ENETUNREACH, rule };
      if (rule.action === 'prohibit') return { error: EACCES, rule };
      const r = this.tableLookup(rule.table, fl);
      if (!r || r.type === 'RTN_THROW') continue;
      const err = fibTypeError(r.type);
      if (err) return { error: err, rule };
      return { route: r, table: rule.table, rule };
    }
    return { error: ENETUNREACH };
  }

  /** scope value used by source address selection */
  static scopeVal(s: Scope): number {
    return SCOPE_VAL[s];
  }

  /** `ip route show table T`, roughly as iproute2 prints it */
  show(table: number): string[] {
    return this.routes
      .filter((r) => r.table === table)
      .map((r) => {
        const t = r.type === 'RTN_UNICAST' ? '' : `${r.type.slice(4).toLowerCase()} `;
        const dst = r.plen === 0 ? 'default' : r.plen === 32 ? numToIp(r.dst) : `${numToIp(r.dst)}/${r.plen}`;
        const via = r.gw ? ` via ${numToIp(r.gw)}` : '';
        const dev = r.dev ? ` dev ${r.dev.name}` : '';
        const src = r.prefsrc ? ` src ${numToIp(r.prefsrc)}` : '';
        return `${t}${dst}${via}${dev} proto ${r.proto} scope ${r.scope}${src}${r.metric ? ` metric ${r.metric}` : ''}${r.mtu ? ` mtu ${r.mtuLock ? 'lock ' : ''}${r.mtu}` : ''}`;
      });
  }
}

function ruleMatches(rule: FibRule, fl: Flowi4): boolean {
  if (rule.from && !inPrefix(fl.saddr, rule.from.addr, rule.from.plen)) return false;
  if (rule.to && !inPrefix(fl.daddr, rule.to.addr, rule.to.plen)) return false;
  if (rule.fwmark && ((fl.mark ^ rule.fwmark.value) & rule.fwmark.mask) !== 0) return false;
  if (rule.iif && rule.iif !== fl.iifName) return false;
  if (rule.oif && rule.oif !== fl.oifName) return false;
  return true;
}

/**
 * The routes an address brings (fib_add_ifaddr); the prefix and broadcast ones only while the
 * device is up. fib_magic gives every one of them the primary address of the prefix as its
 * preferred source (`prim`): a secondary address's own local route says `src` the primary, so a
 * host talking to its secondary address sends from the primary (ip_route_output_key_hash_rcu,
 * RTN_LOCAL). A secondary adds no prefix or subnet broadcast route.
 */
export function fibAddIfaddr(fib: Fib, dev: NetDevice, local: number, plen: number, broadcast: number): void {
  const mask = prefixMask(plen);
  const prefix = (local & mask) >>> 0;
  const self = dev.addrs.find((a) => a.local === local && a.plen === plen);
  const secondary = !!self?.secondary;
  // inet_ifa_byprefix: the primary address of the same prefix and mask
  const prim = secondary ? dev.addrs.find((a) => !a.secondary && a.plen === plen && ((a.local & mask) >>> 0) === prefix) : self;
  if (secondary && !prim) return;
  const prefsrc = prim ? prim.local : local;
  const kernel = (table: number, type: RtnType, dst: number, p: number, scope: Scope): void => {
    if (!fib.find(table, dst, p, type)) fib.add({ table, dst, plen: p, type, dev, gw: 0, prefsrc, metric: 0, scope, proto: 'kernel', mtu: 0, nhc_rth_input: null });
  };
  kernel(RT_TABLE_LOCAL, 'RTN_LOCAL', local, 32, 'host');
  if (!dev.up) return;
  if (broadcast && broadcast !== 0xffffffff) kernel(RT_TABLE_LOCAL, 'RTN_BROADCAST', broadcast, 32, 'link');
  if (prefix !== 0 && !secondary && (prefix !== local || plen < 32)) {
    // fib_magic puts unicast routes in main and every other type in local.
    if (dev.isLoopback) kernel(RT_TABLE_LOCAL, 'RTN_LOCAL', prefix, plen, 'host');
    else kernel(RT_TABLE_MAIN, 'RTN_UNICAST', prefix, plen, 'link');
    if (plen < 31) kernel(RT_TABLE_LOCAL, 'RTN_BROADCAST', (prefix | ~mask) >>> 0, 32, 'link');
  }
}
