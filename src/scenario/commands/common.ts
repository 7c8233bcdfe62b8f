// Pieces shared by the `ip` sub-commands.
import { Args, matches, pick } from '../args';
import { q } from '../diag';
import { ifname, tokUint } from '../syntax';
import { Tok } from '../types';

/**
 * Which keyword `word` is, iproute2-style: `name*` may be abbreviated (matches()), `name` must
 * be exact, `alias=name` is another spelling. Order matters, as in iproute2's if-chains.
 */
export function keyword(word: string, spec: readonly string[]): string | undefined {
  for (const s of spec) {
    const [k, canon] = s.includes('=') ? s.split('=') : [s, s];
    if (k.endsWith('*') ? matches(word, k.slice(0, -1)) : word === k) return canon.replace(/\*$/, '');
  }
  return undefined;
}

/** A device argument: must be a valid name; that the host has it is checked once links are known. */
export function devArg(a: Args, kw: Tok): Tok | undefined {
  const t = a.arg(kw, 'an interface name');
  if (!t) return undefined;
  const bad = ifname(t.text);
  if (bad) return a.fail(t, bad);
  return t;
}

/** rtnl_rttable_a2n(): main, local, default or a number. */
export function tableId(a: Args, kw: Tok): number | undefined {
  const t = a.arg(kw, 'a table (main, local, default or a number)');
  if (!t) return undefined;
  const named: Record<string, number> = { default: 253, main: 254, local: 255 };
  if (t.text in named) return named[t.text];
  if (!/^\d/.test(t.text)) return a.fail(t, `${q(t.text)} is not a routing table: use main, local, default or a number`);
  return tokUint(t, a.d, 1, 0xffffffff, 'table');
}

const SCOPES: Record<string, string> = { global: 'global', universe: 'global', site: 'site', link: 'link', host: 'host', nowhere: 'nowhere' };
const SCOPE_NUMS: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/** rtnl_rtscope_a2n(): a name or a number 0..255; numbers with a name are given their name. */
export function scopeArg(a: Args, kw: Tok): string | undefined {
  const t = a.arg(kw, 'a scope (host, link, global)');
  if (!t) return undefined;
  if (t.text in SCOPES) return notModelledScope(a, t, SCOPES[t.text]);
  if (!/^\d+$/.test(t.text)) return a.fail(t, `${q(t.text)} is not a scope: use host, link, global, site or nowhere`);
  const n = tokUint(t, a.d, 0, 255, 'scope');
  if (n === undefined) return undefined;
  return n in SCOPE_NUMS ? notModelledScope(a, t, SCOPE_NUMS[n]) : a.fail(t, `scope ${n} is not modelled: the model has the scopes global, link and host (and nowhere, which a route refuses)`);
}

/** the kernel takes any scope 0-255; the model's addresses and routes know global, link, host and nowhere */
function notModelledScope(a: Args, t: Tok, name: string): string | undefined {
  if (name === 'site') return a.fail(t, 'scope site (200) is not modelled: the model has the scopes global, link and host');
  return name;
}

export function u32Arg(a: Args, kw: Tok, what: string, min = 0, max = 0xffffffff, hex = false): number | undefined {
  const t = a.arg(kw, what);
  return t && tokUint(t, a.d, min, max, q(kw.text), hex);
}

/** The sub-command (add, del…): `table` in iproute2's order; `supported` maps it to ours. */
export function verb<T extends string>(a: Args, obj: Tok, table: readonly string[], supported: Record<string, T>): [T, Tok] | undefined {
  if (!a.more()) return a.fail(obj, `${q(obj.text)} needs a command (${Object.keys(supported).join(', ')}): a setup line must change something`);
  const t = a.next();
  const full = pick(t.text, table);
  if (full === undefined) return a.fail(t, `${q(t.text)}: unknown command of ${q(a.cmd)}; expected ${Object.keys(supported).join(', ')}`);
  const v = supported[full];
  if (v === undefined) return a.fail(t, `${q(`${a.cmd} ${full}`)} is not supported in a setup script; use ${Object.keys(supported).join(', ')}`);
  return [v, t];
}
