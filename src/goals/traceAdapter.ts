// The one place that knows how today's Trace object stores things (src/trace/contract.ts): it
// implements TraceView over it. When the storage changes, only this file changes.
import type { Trace, TraceEvent } from '../trace/contract';
import { eachEvent, eventAt, eventCount } from '../trace/read';
import { decodeSkb } from '../debugger/decode';
import type { EventRef, PacketFate, PacketId, Scalar, SocketFacts, SourceAt, TraceView } from './traceView';

const HOOK_SHORT: Record<string, string> = {
  NF_INET_PRE_ROUTING: 'PREROUTING',
  NF_INET_LOCAL_IN: 'INPUT',
  NF_INET_FORWARD: 'FORWARD',
  NF_INET_LOCAL_OUT: 'OUTPUT',
  NF_INET_POST_ROUTING: 'POSTROUTING',
};

export class TraceAdapter implements TraceView {
  private readonly byPacket = new Map<PacketId, EventRef[]>();
  private readonly decoded = new Map<EventRef, Record<string, Scalar>>();
  private readonly packetIndex = new Map<PacketId, Trace['packets'][number]>();

  constructor(private readonly t: Trace) {
    let i = 0;
    for (const e of eachEvent(t)) {
      let l = this.byPacket.get(e.packet);
      if (!l) this.byPacket.set(e.packet, (l = []));
      l.push(i++);
    }
    for (const p of t.packets) this.packetIndex.set(p.id, p);
  }

  packets(): readonly PacketId[] {
    return this.t.packets.map((p) => p.id);
  }
  fate(p: PacketId): PacketFate | undefined {
    return this.packetIndex.get(p)?.fate;
  }
  summary(p: PacketId): string {
    return this.packetIndex.get(p)?.summary ?? '';
  }
  origin(p: PacketId): string {
    return this.packetIndex.get(p)?.origin ?? '';
  }
  parent(p: PacketId): PacketId | null {
    return this.packetIndex.get(p)?.parent ?? null;
  }
  eventCount(): number {
    return eventCount(this.t);
  }
  eventsOf(p: PacketId): readonly EventRef[] {
    return this.byPacket.get(p) ?? [];
  }
  hosts(): readonly string[] {
    return this.t.hosts?.map((h) => h.name) ?? Object.keys(this.t.counters);
  }
  counters(host: string): Readonly<Record<string, number>> {
    return this.t.counters[host] ?? {};
  }
  sockets(): readonly SocketFacts[] {
    return this.t.sockets;
  }
  ruleAt(e: EventRef): SourceAt | undefined {
    return eventAt(this.t, e)?.hook?.ruleAt;
  }

  fieldAt(i: EventRef, name: string): Scalar | undefined {
    const e = eventAt(this.t, i);
    if (!e) return undefined;
    switch (name) {
      case 'fn':
      case 'file':
      case 'host':
      case 'layer':
      case 'what':
      case 'packet':
      case 'time':
        return e[name];
      case 'seq':
        return i;
      case 'stack':
        return e.stack.join(' ');
      case 'hook':
        return e.hook ? HOOK_SHORT[e.hook.hook] ?? e.hook.hook : undefined;
      case 'chain':
      case 'table':
      case 'family':
      case 'rule':
      case 'verdict':
      case 'priority':
        return e.hook?.[name];
      case 'rule_index':
        return e.hook?.ruleIndex;
      case 'drop':
        return e.drop;
      case 'counter':
        return e.counters && Object.keys(e.counters).length ? Object.keys(e.counters).join(' ') : undefined;
    }
    const s = e.skb;
    if (!s) return undefined;
    switch (name) {
      case 'route':
        return s.dst ?? undefined;
      case 'protocol':
        return s.protocolName;
      case 'len':
      case 'data':
      case 'tail':
      case 'end':
      case 'headroom':
      case 'tailroom':
      case 'mark':
      case 'iif':
      case 'pkt_type':
      case 'ip_summed':
        return s[name];
      case 'dev':
        return s.dev ?? undefined;
      case 'ct':
        return s.ct ?? undefined;
      case 'mac_header':
      case 'network_header':
      case 'transport_header':
        return s[name] ?? undefined;
    }
    return this.values(i, e)[name];
  }

  private values(i: EventRef, e: TraceEvent): Record<string, Scalar> {
    let v = this.decoded.get(i);
    if (!v) {
      v = e.skb ? decodeSkb(e.skb).values : {};
      this.decoded.set(i, v);
    }
    return v;
  }
}
