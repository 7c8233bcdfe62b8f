// nft_table_validate (net/netfilter/nf_tables_api.c, v6.12): after a change, every base chain of
// the table is walked through its jumps and gotos (verdicts and verdict maps' elements), one
// level per jump. Reaching level NFT_JUMP_STACK_SIZE (16) fails with EMLINK, "Too many links":
// a loop among chains reachable from a base chain always gets there, and so does a chain of 16
// jumps without a loop. Chains no base chain reaches are not walked, so a loop among them is
// accepted (as the kernel accepts it) and never runs.
//
// A ruleset is built one rule at a time, so the walk must not rescan every rule each time: the
// targets of a chain's rules are cached per rules array and only appended rules are read again
// (arrays are only ever appended to in place; any other change gives the chain a new array).
import type { Chain, Rule, Table } from './nf_tables';

/** include/net/netfilter/nf_tables.h (v6.12) */
export const NFT_JUMP_STACK_SIZE = 16;

interface Scan {
  len: number;
  last: Rule | undefined;
  /** static targets (verdicts): chain name → the first rule jumping there */
  fixed: Map<string, Rule>;
  /** rules with a verdict map, whose elements may change: read each time */
  dynamic: Rule[];
  /** rules that need conntrack */
  ct: number;
}

const scans = new WeakMap<Rule[], Scan>();

/** What a chain's rules jump to and whether they need conntrack, reading only what was appended since the last call. */
export function scanRules(rules: Rule[]): Scan {
  let s = scans.get(rules);
  if (!s || s.len > rules.length || (s.len > 0 && rules[s.len - 1] !== s.last)) {
    s = { len: 0, last: undefined, fixed: new Map(), dynamic: [], ct: 0 };
    scans.set(rules, s);
  }
  for (let i = s.len; i < rules.length; i++) {
    const r = rules[i];
    for (const x of r.exprs) {
      if (x.needsCt) s.ct++;
      if (x.jumpTo !== undefined && !s.fixed.has(x.jumpTo)) s.fixed.set(x.jumpTo, r);
      if (x.targets && s.dynamic[s.dynamic.length - 1] !== r) s.dynamic.push(r);
    }
  }
  s.len = rules.length;
  s.last = rules[rules.length - 1];
  return s;
}

function edges(c: Chain): Map<string, Rule> {
  const s = scanRules(c.rules);
  if (!s.dynamic.length) return s.fixed;
  const out = new Map(s.fixed);
  for (const r of s.dynamic) for (const x of r.exprs) for (const name of x.targets?.(c.table) ?? []) if (!out.has(name)) out.set(name, r);
  return out;
}

export interface ValidateFailure {
  /** the chains from the base chain to the one reached at level NFT_JUMP_STACK_SIZE */
  path: string[];
  /** the rule that makes the last jump */
  rule: Rule;
  loop: boolean;
}

/**
 * The walk, done once per chain: a chain's height (the most jumps below it) is computed once and
 * a chain met again on the current path is a loop. Returns the first failure, or null.
 */
export function nft_table_validate(t: Table): ValidateFailure | null {
  const height = new Map<Chain, number>();
  const onPath: Chain[] = [];
  let failure: ValidateFailure | null = null;
  /** the most jumps below `c`, or -1 after a failure */
  const walk = (c: Chain, level: number): number => {
    const known = height.get(c);
    if (known !== undefined) {
      if (level + known >= NFT_JUMP_STACK_SIZE) failure ??= { path: [...onPath.map((x) => x.name), c.name], rule: c.rules[0], loop: false };
      return known;
    }
    onPath.push(c);
    let h = 0;
    for (const [name, rule] of edges(c)) {
      const to = t.chains.get(name);
      if (!to || to.base) continue; // refused when the rule was added (ENOENT, EOPNOTSUPP)
      if (onPath.includes(to)) {
        failure ??= { path: [...onPath.map((x) => x.name), to.name], rule, loop: true };
        break;
      }
      if (level + 1 >= NFT_JUMP_STACK_SIZE) {
        failure ??= { path: [...onPath.map((x) => x.name), to.name], rule, loop: false };
        break;
      }
      const below = walk(to, level + 1);
      if (failure) break;
      h = Math.max(h, below + 1);
    }
    onPath.pop();
    if (!failure) height.set(c, h);
    return h;
  };
  for (const c of t.chains.values()) {
    if (!c.base) continue;
    walk(c, 0);
    if (failure) return failure;
  }
  return null;
}
