// Applies a parsed scenario to a fresh model World: hosts (namespaces), a device per link end,
// each host's setup lines in order, and the listening sockets. Every failure keeps the position
// of the line (and word) that caused it; all are reported together and nothing runs after one.
import { World } from '../model/world';
import type { Net } from '../model/net/net_namespace';
import { SysctlError, SysctlRangeError } from '../model/net/net_namespace';
import type { NetDevice } from '../model/net/core/netdevice';
import { qdiscFor } from '../model/net/sched/sch_generic';
import { deriveMac, ipToNum } from '../model/proto/addr';
import { addrAdd, addrDel, bringUpLoopback, linkSetMtu, linkSetUp, neighAdd, neighDel, neighKeptAddress, NetlinkError, routeAdd, routeDel, ruleAdd, ruleDel } from '../model/net/ipv4/devinet';
import { RT_TABLE_MAIN } from '../model/net/ipv4/fib';
import type { RtnType } from '../model/net/ipv4/route_types';
import type { NudState } from '../model/net/core/neighbour_types';
import { udpSocket } from '../model/net/ipv4/udp';
import { tcpListen } from '../model/net/ipv4/tcp_ipv4';
import type { RecordLevel } from '../model/sim/recorder';
import { Scenario, ScenarioError, ScenarioErrors, SetupCommand, SourcePos, Tok } from './types';
import { applyNetfilter, type FileReader } from './netfilter';
import { ipv6RulesCheck } from './netfilter/ipv6_scope';
import { usesIpv6 } from './ipv6_use';
import { addrconf_dev_up, addrconf_mtu_change, dev_forward_change, in6_dev_get, inet6_addr_add, inet6_addr_del, ipv6_chk_addr_after_dad } from '../model/net/ipv6/addrconf';
import { udp6Socket } from '../model/net/ipv6/udp';
import { tcpListen6 } from '../model/net/ipv6/tcp_ipv6';
import { isV6Any } from '../model/proto/ipv6';
import { ip6_route_add, ip6_route_del, Netlink6Error } from '../model/net/ipv6/route';
import { nd_add_static, nd_lookup } from '../model/net/ipv6/ndisc';
import type { Rt6Type } from '../model/net/ipv6/ipv6_state';
import { formatIpv6, parseIpv6 } from '../trace/ipv6';

const RTN: Record<string, RtnType> = {
  unicast: 'RTN_UNICAST',
  local: 'RTN_LOCAL',
  broadcast: 'RTN_BROADCAST',
  blackhole: 'RTN_BLACKHOLE',
  unreachable: 'RTN_UNREACHABLE',
  prohibit: 'RTN_PROHIBIT',
  throw: 'RTN_THROW',
};
const NUD: Record<string, NudState> = { permanent: 'NUD_PERMANENT', reachable: 'NUD_REACHABLE', stale: 'NUD_STALE', noarp: 'NUD_NOARP' };

export interface Built {
  world: World;
  scenario: Scenario;
}

export function buildWorld(sc: Scenario, level: RecordLevel = 'full', readFile?: FileReader, randomSalt = 0, machine: Readonly<Record<string, number>> = {}, pinned: Readonly<Record<string, number>> = {}): Built {
  const world = new World(level, randomSalt);
  const errors: ScenarioError[] = [];
  for (const h of sc.hosts) {
    const net = world.addHost(h.name);
    for (const [key, v] of Object.entries(machine)) net.setMachineSysctl(key, v);
    for (const [key, v] of Object.entries(pinned)) net.setSysctl(key, v);
    bringUpLoopback(net);
  }
  const v6 = usesIpv6(sc);
  if (v6) {
    for (const net of world.hosts.values()) {
      net.ipv6.enabled = true;
      addrconf_dev_up(net, net.lo);
    }
  }
  for (const l of sc.links) {
    const a = addLinkEnd(world, l.a.host.text, l.a.ifname.text, l.kind);
    const b = addLinkEnd(world, l.b.host.text, l.b.ifname.text, l.kind);
    a.peer = b;
    b.peer = a;
  }
  for (const h of sc.hosts) {
    const net = world.hosts.get(h.name)!;
    for (const cmd of h.setup) {
      try {
        apply(net, cmd, readFile);
      } catch (e) {
        if (e instanceof ScenarioError) errors.push(e);
        else if (e instanceof NetlinkError || e instanceof SysctlError || e instanceof Netlink6Error) errors.push(new ScenarioError(e.message, cmd.pos));
        else throw e;
      }
    }
  }
  if (v6) {
    // what IPv6 packets would meet in ip6 and inet tables must be modelled for IPv6 (ipv6_scope.ts)
    for (const h of sc.hosts) {
      const c = h.setup.find((x) => x.kind === 'nft' || x.kind === 'iptables');
      if (c) errors.push(...ipv6RulesCheck(world.hosts.get(h.name)!, c.pos));
    }
  }
  for (const l of sc.listen) {
    const net = world.hosts.get(l.host.text)!;
    if (l.addr.includes(':')) {
      const a6 = parseIpv6(l.addr)!;
      if (!isV6Any(a6) && !ipv6_chk_addr_after_dad(net, a6)) errors.push(new ScenarioError(`bind [${l.addr}]:${l.port}: Cannot assign requested address (not an address of ${l.host.text})`, l.pos));
      else if (l.proto === 'tcp') tcpListen6(net, a6, l.port);
      else udp6Socket(net, a6, l.port, true);
      continue;
    }
    const addr = ipToNum(l.addr);
    if (addr && !isOwn(net, addr)) {
      errors.push(new ScenarioError(`bind ${l.addr}:${l.port}: Cannot assign requested address (not an address of ${l.host.text})`, l.pos));
      continue;
    }
    if (l.proto === 'udp') {
      udpSocket(net, addr, l.port, { rcvbuf: l.rcvbuf, daddr: l.connect ? ipToNum(l.connect.addr) : 0, dport: l.connect?.port ?? 0, listener: true });
    } else {
      tcpListen(net, addr, l.port);
    }
  }
  if (errors.length) throw new ScenarioErrors(errors);
  return { world, scenario: sc };
}

function isOwn(net: Net, a: number): boolean {
  for (const d of net.devices.values()) if (d.addrs.some((x) => x.local === a)) return true;
  return false;
}

function addLinkEnd(world: World, host: string, ifname: string, kind: 'veth' | 'nic'): NetDevice {
  const net = world.hosts.get(host)!;
  const dev = net.addDevice(ifname, deriveMac(host, ifname), kind, 1500, 1000);
  dev.qdisc = qdiscFor(kind === 'nic' ? 'pfifo_fast' : 'noqueue', dev.tx_queue_len);
  if (kind === 'nic') dev.napi = { weight: 64, ring: [], ringSize: 256, scheduled: false, irqMasked: false };
  return dev;
}

function devOf(net: Net, t: Tok): NetDevice {
  const d = net.devices.get(t.text);
  if (!d) throw new ScenarioError(`Cannot find device "${t.text}"`, t.pos);
  return d;
}

function at(t: Tok | undefined, fallback: SourcePos): SourcePos {
  return t ? t.pos : fallback;
}

function apply(net: Net, c: SetupCommand, readFile?: FileReader): void {
  switch (c.kind) {
    case 'addr-add': {
      const dev = devOf(net, c.dev);
      addrAdd(net, dev, ipToNum(c.addr), c.plen, c.broadcast ? ipToNum(c.broadcast) : 0, (c.scope as 'global' | 'link' | 'host') ?? 'global');
      return;
    }
    case 'addr-del':
      addrDel(net, devOf(net, c.dev), ipToNum(c.addr), c.plen);
      return;
    case 'link-set': {
      const dev = devOf(net, c.dev);
      if (c.mtu !== undefined) {
        linkSetMtu(dev, c.mtu);
        try {
          addrconf_mtu_change(net, dev);
        } catch (e) {
          throw new ScenarioError((e as Error).message, c.pos);
        }
      }
      if (c.address !== undefined) dev.mac = c.address.toLowerCase();
      if (c.txqueuelen !== undefined) {
        dev.tx_queue_len = c.txqueuelen;
        dev.qdisc.limit = c.txqueuelen;
      }
      if (c.promisc !== undefined) dev.promisc = c.promisc;
      if (c.arp !== undefined) dev.noarp = !c.arp;
      if (c.up !== undefined) linkSetUp(net, dev, c.up);
      return;
    }
    case 'route-add':
    case 'route-replace':
    case 'route-del': {
      const dev = c.dev ? devOf(net, c.dev) : null;
      const table = c.table ?? (c.type === 'local' || c.type === 'broadcast' ? 255 : RT_TABLE_MAIN);
      const spec = {
        type: RTN[c.type],
        dst: ipToNum(c.dst.addr),
        plen: c.dst.plen,
        gw: c.via ? ipToNum(c.via.text) : 0,
        dev,
        prefsrc: c.src ? ipToNum(c.src.text) : 0,
        metric: c.metric ?? 0,
        table,
        scope: c.scope as 'global' | 'link' | 'host' | undefined,
        proto: c.proto ?? 'boot',
        mtu: c.mtu ?? 0,
        mtuLock: c.mtuLock ?? false,
      };
      try {
        if (c.kind === 'route-del') routeDel(net, { dst: spec.dst, plen: spec.plen, table, gw: spec.gw, dev: dev ?? undefined, metric: c.metric });
        else routeAdd(net, spec, c.kind === 'route-replace');
      } catch (e) {
        if (e instanceof NetlinkError && /gateway/.test(e.message)) throw new ScenarioError(e.message, at(c.via, c.pos));
        if (e instanceof NetlinkError && /prefsrc/.test(e.message)) throw new ScenarioError(e.message, at(c.src, c.pos));
        if (e instanceof NetlinkError && /device/i.test(e.message)) throw new ScenarioError(e.message, at(c.dev ?? c.via, c.pos));
        throw e;
      }
      return;
    }
    case 'rule-add':
      ruleAdd(net, {
        priority: c.priority,
        from: c.from ? { addr: ipToNum(c.from.addr), plen: c.from.plen } : undefined,
        to: c.to ? { addr: ipToNum(c.to.addr), plen: c.to.plen } : undefined,
        fwmark: c.fwmark,
        iif: c.iif?.text,
        oif: c.oif?.text,
        table: c.table ?? RT_TABLE_MAIN,
        action: c.action,
      });
      return;
    case 'rule-del':
      ruleDel(net, { priority: c.priority, table: c.table });
      return;
    case 'neigh-add':
    case 'neigh-replace':
      neighAdd(net, devOf(net, c.dev), ipToNum(c.addr), c.lladdr?.toLowerCase(), NUD[c.nud], c.kind === 'neigh-replace');
      return;
    case 'neigh-del':
      neighDel(net, devOf(net, c.dev), ipToNum(c.addr));
      return;
    case 'addr6': {
      const dev = devOf(net, c.dev);
      const a = parseIpv6(c.addr)!;
      try {
        if (c.op === 'add') inet6_addr_add(net, dev, a, c.plen, c.nodad);
        else inet6_addr_del(net, dev, a, c.plen);
      } catch (e) {
        throw new NetlinkError((e as Error).message);
      }
      return;
    }
    case 'route6': {
      const spec = { type: RTN[c.type] as Rt6Type, dst: parseIpv6(c.dst.addr)!, plen: c.dst.plen, gw: c.via ? parseIpv6(c.via.text)! : null, dev: c.dev ? devOf(net, c.dev) : null, metric: c.metric, mtu: c.mtu };
      try {
        if (c.op === 'del') ip6_route_del(net, { ...spec, dev: spec.dev ?? undefined });
        else ip6_route_add(net, spec, c.op === 'replace');
      } catch (e) {
        if (e instanceof Netlink6Error && /gateway/.test(e.message)) throw new ScenarioError(e.message, at(c.via, c.pos));
        if (e instanceof Netlink6Error && /device/.test(e.message)) throw new ScenarioError(e.message, at(c.dev, c.pos));
        throw e;
      }
      return;
    }
    case 'neigh6': {
      const dev = devOf(net, c.dev);
      const a = parseIpv6(c.addr)!;
      // ndisc_constructor: EINVAL on a device without an inet6_dev (its MTU below 1280)
      if (c.op !== 'del' && !in6_dev_get(net, dev)) throw new NetlinkError('RTNETLINK answers: Invalid argument');
      const had = nd_lookup(net, dev, a);
      if (c.op === 'del') {
        if (!had) throw new NetlinkError('RTNETLINK answers: No such file or directory');
        net.neigh.delete(`${dev.ifindex}/${formatIpv6(a)}`);
      } else {
        if (had && c.op === 'add') throw new NetlinkError('RTNETLINK answers: File exists');
        nd_add_static(net, dev, a, c.lladdr?.toLowerCase() ?? neighKeptAddress(dev, had), NUD[c.nud]);
      }
      return;
    }
    case 'sysctl': {
      try {
        // addrconf_sysctl_forward: a device whose IPv6 forwarding turns on or off joins or leaves the routers' groups
        const fwd6 = (): boolean[] => [...net.devices.values()].map((d) => net.ipv6.enabled && !!net.sysctl.get(`net.ipv6.conf.${d.name}.forwarding`));
        const before = fwd6();
        net.writeSysctl(c.key.text, c.value.text);
        const after = fwd6();
        [...net.devices.values()].forEach((d, i) => before[i] !== after[i] && dev_forward_change(net, d));
      } catch (e) {
        if (e instanceof SysctlRangeError) throw new ScenarioError(`sysctl: ${e.message}`, c.value.pos);
        if (e instanceof SysctlError) throw new ScenarioError(`sysctl: ${e.message} (not modelled, or not a sysctl of a network namespace)`, c.key.pos);
        throw e;
      }
      return;
    }
    case 'nft':
    case 'iptables':
      applyNetfilter(net, c, readFile);
      return;
  }
}
