// Checks across sections: names used in links, setup, listen and traffic must exist. Runs on
// what parsed; a host or link that failed to parse is simply absent (its error is already out).
import { Diag, q, subTok } from './diag';
import { Scenario, SetupCommand, Tok } from './types';

export function check(sc: Scenario, d: Diag): void {
  const lost = new Set<string>();
  const ifs = interfaces(sc, d, lost);
  for (const h of sc.hosts) {
    const have = ifs.get(h.name)!;
    for (const dev of h.setup.flatMap(devRefs)) {
      // an interface of a link whose host is misspelt: the link line already says what is wrong
      if (!have.has(dev.text) && !lost.has(dev.text)) d.error(dev, `host ${q(h.name)} has no interface ${q(dev.text)}; it has ${[...have.keys()].join(', ')}`);
    }
  }
  const host = (t: Tok): boolean => {
    if (ifs.has(t.text)) return true;
    d.error(t, `unknown host ${q(t.text)}${ifs.size ? `; hosts are ${[...ifs.keys()].join(', ')}` : ''}`);
    return false;
  };
  // Listeners are bound with SO_REUSEADDR (as the fidelity harness's are). For UDP that lets any
  // number share a port (udp_lib_lport_inuse: no conflict when both sockets have sk_reuse); a TCP
  // listener still conflicts with another listener on the same port whose address is the same or
  // a wildcard on either side (inet_csk_bind_conflict, v6.12).
  const tcp: { addr: string; port: number; at: Tok }[] = [];
  // a listener on an unknown host is reported here and left out, so that applying the rest (to
  // report its errors with these) does not look for a host that is not there
  sc.listen = sc.listen.filter((l) => host(l.host));
  for (const l of sc.listen) {
    if (l.proto !== 'tcp') continue;
    const prev = tcp.find((x) => x.at.text === l.host.text && x.port === l.port && (x.addr === l.addr || x.addr === '0.0.0.0' || l.addr === '0.0.0.0'));
    if (prev) d.error(l.host, `tcp port ${l.port} is already bound on ${q(l.host.text)} by the listener at line ${prev.at.pos.line} (${prev.addr}:${prev.port}); SO_REUSEADDR does not let two TCP listeners overlap: EADDRINUSE`);
    else tcp.push({ addr: l.addr, port: l.port, at: l.host });
  }
  for (const t of sc.traffic) {
    if (t.kind === 'local') host(t.from);
    if ((t.kind !== 'wire' && t.kind !== 'pcap') || !host(t.host)) continue;
    if (t.ifname.text === 'lo') d.error(t.ifname, '`lo` has no wire: a frame can come in only on an interface of a link');
    else if (!ifs.get(t.host.text)!.has(t.ifname.text) && !lost.has(t.ifname.text)) d.error(t.ifname, `host ${q(t.host.text)} has no interface ${q(t.ifname.text)}`);
  }
}

/** Host → its interfaces (name → where it was made): `lo`, and one per link end. */
function interfaces(sc: Scenario, d: Diag, lost: Set<string>): Map<string, Map<string, Tok>> {
  const ifs = new Map(sc.hosts.map((h) => [h.name, new Map<string, Tok>([['lo', { text: 'lo', pos: h.pos }]])]));
  const names = [...ifs.keys()].join(', ');
  for (const l of sc.links) {
    for (const end of [l.a, l.b]) {
      const have = ifs.get(end.host.text);
      if (!have) {
        lost.add(end.ifname.text);
        d.error(end.host, `unknown host ${q(end.host.text)}${names ? `; hosts are ${names}` : ''}`);
        continue;
      }
      const prev = have.get(end.ifname.text);
      if (end.ifname.text === 'lo') d.error(end.ifname, '`lo` exists on every host already and cannot be part of a link');
      else if (prev) d.error(end.ifname, `${q(`${end.host.text}:${end.ifname.text}`)} is already in the link at line ${prev.pos.line}; an interface is in one link only`);
      else have.set(end.ifname.text, end.ifname);
    }
  }
  return ifs;
}

/** The device names a setup command refers to. */
function devRefs(c: SetupCommand): Tok[] {
  switch (c.kind) {
    case 'addr-add':
    case 'addr-del':
    case 'link-set':
    case 'neigh-add':
    case 'neigh-replace':
    case 'neigh-del':
      return [c.dev];
    case 'route-add':
    case 'route-del':
    case 'route-replace':
      return c.dev ? [c.dev] : [];
    case 'rule-add':
    case 'rule-del':
      return [c.iif, c.oif].filter((t): t is Tok => !!t);
    case 'sysctl': {
      // net.ipv4.conf.IF.… and net.ipv4.neigh.IF.…; `all` and `default` are not devices
      const m = /^(net\.ipv4\.(?:conf|neigh)\.)([^.]+)\./.exec(c.key.text);
      if (!m || m[2] === 'all' || m[2] === 'default') return [];
      const t = subTok(c.key, m[1].length, m[1].length + m[2].length);
      return [{ ...t, text: t.text.replace(/\//g, '.') }];
    }
    default:
      return [];
  }
}
