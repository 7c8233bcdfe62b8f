// `ip route add|del|replace …` (iproute2 ip/iproute.c, iproute_modify()).
import { Args } from '../args';
import { q } from '../diag';
import { tokIpv4, tokPrefix } from '../syntax';
import { RouteType, SetupCommand, SourcePos, Tok } from '../types';
import { devArg, keyword, scopeArg, tableId, u32Arg, verb } from './common';

const VERBS = ['add', 'change', 'chg', 'replace', 'prepend', 'append', 'test', 'delete', 'list', 'show', 'lst', 'get', 'flush', 'save', 'restore', 'showdump'];
const KW = ['src', 'via', 'metric*', 'priority*', 'preference=metric', 'mtu', 'protocol*', 'table*', 'dev', 'oif=dev', 'scope', 'to', 'as', 'from', 'tos', 'dsfield*', 'expires', 'hoplimit', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'features', 'quickack', 'congctl', 'rto_min', 'ssthresh', 'realms*', 'onlink', 'nexthop', 'nhid', 'vrf*', 'encap', 'ttl-propagate', 'fastopen_no_cookie*'];
const OK = ['src', 'via', 'metric', 'mtu', 'protocol', 'table', 'dev', 'scope', 'to'];
const TYPES = ['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat', 'anycast'];
/** rtnl_rtprot_a2n() names */
const PROTOS = ['unspec', 'redirect', 'kernel', 'boot', 'static', 'gated', 'ra', 'mrt', 'zebra', 'bird', 'dnrouted', 'xorp', 'ntk', 'dhcp', 'keepalived', 'babel', 'openr', 'bgp', 'isis', 'ospf', 'rip', 'eigrp'];

type Route = Extract<SetupCommand, { kind: 'route-add' | 'route-del' | 'route-replace' }>;

export function parseRoute(a: Args, obj: Tok, pos: SourcePos): SetupCommand | undefined {
  const v = verb(a, obj, VERBS, { add: 'route-add', delete: 'route-del', replace: 'route-replace' } as const);
  if (!v) return undefined;
  const [kind, verbTok] = v;
  const r: Partial<Route> & { pos: SourcePos; type: RouteType } = { pos, type: 'unicast' };
  const seen = new Set<string>();
  let typeTok: Tok | undefined;
  let bad = false;
  while (a.more()) {
    const t = a.next();
    let kw = keyword(t.text, KW);
    if (kw === undefined && t.text[0] >= '0' && t.text[0] <= '9') kw = 'to';
    if (kw === undefined && (TYPES.includes(t.text) || ['default', 'any', 'all'].includes(t.text))) kw = 'to';
    if (kw === undefined) return a.unknown(t, OK.concat(['TYPE', 'PREFIX', 'default']));
    if (!OK.includes(kw)) return a.fail(t, `${q(t.text)} is not supported by the model in \`ip route\``);
    if (!a.once(seen, kw, t)) return undefined;
    const set = <K extends keyof Route>(k: K, val: Route[K] | undefined): void => {
      if (val === undefined) bad = true;
      else r[k] = val;
    };
    switch (kw) {
      case 'via': {
        let g = a.arg(t, 'a gateway address');
        if (g?.text === 'inet') g = a.arg(g, 'a gateway address');
        if (g?.text === 'inet6') return a.fail(g, 'the model is IPv4 only');
        set('via', g && tokIpv4(g, a.d) ? g : undefined);
        break;
      }
      case 'src': {
        const s = a.arg(t, 'a source address');
        set('src', s && tokIpv4(s, a.d) ? s : undefined);
        break;
      }
      case 'dev':
        set('dev', devArg(a, t));
        break;
      case 'metric':
        set('metric', u32Arg(a, t, 'a number'));
        break;
      case 'mtu': {
        if (a.peek()?.text === 'lock') {
          a.next();
          r.mtuLock = true;
        }
        set('mtu', u32Arg(a, t, 'a number', 68, 65535));
        break;
      }
      case 'table':
        set('table', tableId(a, t));
        break;
      case 'scope':
        set('scope', scopeArg(a, t));
        break;
      case 'protocol': {
        const p = a.arg(t, 'a protocol (static, boot, kernel … or a number)');
        if (p && (PROTOS.includes(p.text) || /^\d+$/.test(p.text))) {
          if (/^\d+$/.test(p.text) && Number(p.text) > 255) return a.fail(p, `${q(p.text)}: protocol is out of range (0..255)`);
          r.proto = p.text;
        } else if (p) return a.fail(p, `${q(p.text)} is not a route protocol; expected one of: ${PROTOS.join(', ')} or a number`);
        break;
      }
      case 'to': {
        let d: Tok | undefined = t.text === 'to' ? a.arg(t, 'a prefix') : t;
        if (d && TYPES.includes(d.text)) {
          if (!['multicast', 'nat', 'anycast'].includes(d.text)) r.type = d.text as RouteType;
          else return a.fail(d, `route type ${q(d.text)} is not supported by the model`);
          typeTok = d;
          d = a.arg(d, 'a prefix');
        }
        if (!d) return undefined;
        if (['default', 'any', 'all'].includes(d.text)) r.dst = { addr: '0.0.0.0', plen: 0 };
        else if (!/^\d/.test(d.text)) return a.fail(d, `${q(d.text)}: expected a prefix (A.B.C.D/LEN) or default`);
        else set('dst', tokPrefix(d, a.d, false));
        break;
      }
    }
  }
  if (a.failed || bad) return undefined;
  if (!r.dst) return a.fail(verbTok, `${q(`ip route ${verbTok.text}`)} needs a destination (PREFIX or default)`);
  if (kind !== 'route-del') {
    const errType = ['blackhole', 'unreachable', 'prohibit', 'throw'].includes(r.type);
    if (errType && (r.via || r.dev)) {
      return a.fail(r.via ?? r.dev!, `a ${r.type} route takes no gateway or device (the kernel refuses: "Gateway, device and multipath can not be specified for this route type")`);
    }
    if (r.type === 'unicast' && !r.via && !r.dev) return a.fail(verbTok, 'a unicast route needs `via GATEWAY` or `dev IFNAME`');
    if ((r.type === 'local' || r.type === 'broadcast') && !r.dev) return a.fail(typeTok ?? verbTok, `a ${r.type} route needs \`dev IFNAME\``);
  }
  return { ...r, kind, dst: r.dst } as SetupCommand;
}
