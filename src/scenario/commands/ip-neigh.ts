// `ip neigh add|replace|del …` (iproute2 ip/ipneigh.c, ipneigh_modify()).
import { Args } from '../args';
import { q } from '../diag';
import { tokIpv4, tokMac } from '../syntax';
import { SetupCommand, SourcePos, Tok } from '../types';
import { devArg, keyword, verb } from './common';

const VERBS = ['add', 'change', 'chg', 'replace', 'delete', 'get', 'show', 'list', 'lst', 'flush'];
const KW = ['lladdr*', 'nud', 'proxy*', 'router*', 'extern_learn*', 'dev', 'protocol*', 'to'];
const OK = ['lladdr', 'nud', 'dev', 'to'];
const NUD = ['permanent', 'reachable', 'stale', 'noarp'] as const;
const NUD_OTHER = ['none', 'delay', 'probe', 'failed', 'incomplete'];

type Neigh = Extract<SetupCommand, { kind: 'neigh-add' | 'neigh-replace' | 'neigh-del' }>;

export function parseNeigh(a: Args, obj: Tok, pos: SourcePos): SetupCommand | undefined {
  const v = verb(a, obj, VERBS, { add: 'neigh-add', replace: 'neigh-replace', delete: 'neigh-del' } as const);
  if (!v) return undefined;
  const [kind, verbTok] = v;
  // iproute2's default state for add/replace is permanent
  let nud: Neigh['nud'] = 'permanent';
  let addr: string | undefined;
  let lladdr: string | undefined;
  let dev: Tok | undefined;
  let bad = false;
  const seen = new Set<string>();
  while (a.more()) {
    const t = a.next();
    let kw = keyword(t.text, KW);
    if (kw === undefined && /^\d/.test(t.text)) kw = 'addr';
    if (kw === undefined) return a.unknown(t, OK.concat('ADDRESS'));
    if (kw !== 'addr' && !OK.includes(kw)) return a.fail(t, `${q(t.text)} is not supported by the model in \`ip neigh\``);
    if (!a.once(seen, kw === 'to' ? 'addr' : kw, t)) return undefined;
    if (kw === 'lladdr') {
      const m = a.arg(t, 'a MAC address');
      lladdr = m && tokMac(m, a.d);
      bad ||= !lladdr;
    } else if (kw === 'dev') {
      dev = devArg(a, t);
    } else if (kw === 'nud') {
      const s = a.arg(t, 'a state (permanent, reachable, stale, noarp)');
      if (!s) return undefined;
      if ((NUD as readonly string[]).includes(s.text)) nud = s.text as Neigh['nud'];
      else if (NUD_OTHER.includes(s.text)) return a.fail(s, `nud ${q(s.text)} is not supported by the model; use permanent, reachable, stale or noarp`);
      else return a.fail(s, `${q(s.text)} is not a neighbour state; expected permanent, reachable, stale or noarp`);
    } else {
      const at = kw === 'to' ? a.arg(t, 'an address') : t;
      addr = at && tokIpv4(at, a.d);
      bad ||= !addr;
    }
  }
  if (a.failed || bad) return undefined;
  if (!addr || !dev) return a.fail(verbTok, 'Device and destination are required arguments: `ip neigh ' + verbTok.text + ' ADDRESS lladdr MAC dev IFNAME`');
  if (kind !== 'neigh-del' && !lladdr && nud !== 'noarp') return a.fail(verbTok, `${q(`ip neigh ${verbTok.text}`)} needs \`lladdr MAC\``);
  return { kind, pos, addr, dev, nud, ...(lladdr && { lladdr }) };
}
