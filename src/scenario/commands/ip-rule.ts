// `ip rule add|del …` (iproute2 ip/iprule.c, iprule_modify()).
import { Args } from '../args';
import { q, subTok } from '../diag';
import { tokPrefix, tokUint } from '../syntax';
import { Prefix, SetupCommand, SourcePos, Tok } from '../types';
import { devArg, keyword, tableId, u32Arg, verb } from './common';

const VERBS = ['add', 'delete', 'list', 'show', 'lst', 'flush', 'save', 'restore'];
const KW = ['not', 'from', 'to', 'preference*=priority', 'order*=priority', 'priority*', 'tos', 'dsfield*', 'fwmark', 'realms*', 'protocol*', 'table*', 'lookup=table', 'suppress_prefixlength*', 'sup_pl', 'suppress_ifgroup*', 'sup_group', 'dev=iif', 'iif', 'oif', 'l3mdev', 'uidrange', 'nat*', 'map-to*', 'ipproto', 'sport', 'dport', 'type', 'goto*', 'nop*'];
const OK = ['from', 'to', 'priority', 'fwmark', 'table', 'iif', 'oif', 'type'];
const ACTIONS = ['blackhole', 'unreachable', 'prohibit'] as const;

type Rule = Extract<SetupCommand, { kind: 'rule-add' | 'rule-del' }>;

export function parseRule(a: Args, obj: Tok, pos: SourcePos): SetupCommand | undefined {
  const v = verb(a, obj, VERBS, { add: 'rule-add', delete: 'rule-del' } as const);
  if (!v) return undefined;
  const [kind] = v;
  const r: Omit<Rule, 'kind'> = { pos, action: 'lookup' };
  const seen = new Set<string>();
  let bad = false;
  let actionTok: Tok | undefined;
  while (a.more()) {
    const t = a.next();
    let kw = keyword(t.text, KW);
    if (kw === undefined && (ACTIONS as readonly string[]).includes(t.text)) kw = 'action';
    if (kw === undefined) return a.unknown(t, OK.concat(ACTIONS));
    if (kw === 'type') {
      kw = 'action';
      const n = a.arg(t, 'a rule type (blackhole, unreachable, prohibit)');
      if (!n) return undefined;
      if (!(ACTIONS as readonly string[]).includes(n.text)) return a.fail(n, `${q(n.text)}: rule type must be blackhole, unreachable or prohibit`);
      actionTok = n;
    } else if (kw === 'action') actionTok = t;
    if (kw !== 'action' && !OK.includes(kw)) return a.fail(t, `${q(t.text)} is not supported by the model in \`ip rule\``);
    if (!a.once(seen, kw, t)) return undefined;
    switch (kw) {
      case 'action':
        r.action = actionTok!.text as Rule['action'];
        break;
      case 'from':
      case 'to': {
        const p = a.arg(t, 'a prefix or all');
        const val: Prefix | undefined = p?.text === 'all' ? { addr: '0.0.0.0', plen: 0 } : p && tokPrefix(p, a.d, true);
        if (!val) bad = true;
        else r[kw] = val;
        break;
      }
      case 'priority': {
        const n = u32Arg(a, t, 'a number');
        if (n === undefined) bad = true;
        else r.priority = n;
        break;
      }
      case 'table': {
        const n = tableId(a, t);
        if (n === undefined) bad = true;
        else r.table = n;
        break;
      }
      case 'iif':
      case 'oif': {
        const dev = devArg(a, t);
        if (!dev) bad = true;
        else r[kw] = dev;
        break;
      }
      case 'fwmark': {
        const m = a.arg(t, 'a mark (VALUE or VALUE/MASK)');
        const fw = m && fwmark(m, a);
        if (!fw) bad = true;
        else r.fwmark = fw;
        break;
      }
    }
  }
  if (a.failed || bad) return undefined;
  if (r.action !== 'lookup' && r.table !== undefined) return a.fail(actionTok!, `a ${r.action} rule does not look up a table; drop \`table\``);
  // iproute2 fills in the main table for a new rule that names none
  if (kind === 'rule-add' && r.action === 'lookup' && r.table === undefined) r.table = 254;
  return { ...r, kind };
}

function fwmark(t: Tok, a: Args): { value: number; mask: number } | undefined {
  const slash = t.text.indexOf('/');
  const value = tokUint(slash < 0 ? t : subTok(t, 0, slash), a.d, 0, 0xffffffff, 'fwmark', true);
  const mask = slash < 0 ? 0xffffffff : tokUint(subTok(t, slash + 1), a.d, 0, 0xffffffff, 'fwmark mask', true);
  return value === undefined || mask === undefined ? undefined : { value, mask };
}
