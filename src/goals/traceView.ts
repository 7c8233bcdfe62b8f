// The narrow view of a trace that goals read (docs/goals.md). Goals never touch the trace's
// storage: they see packets and events as numbers and ask for their facts through this
// interface, so the storage behind it (today plain objects, src/trace/contract.ts) can change
// without touching the goal language. Pure: no vscode, no Node built-ins.
import { FIELD_ALIASES, PACKET_FIELD_NAMES } from '../debugger/breakpoints';

/** A packet's id as the trace numbers it (#1, #2…). */
export type PacketId = number;
/** An event's position in the trace, 0-based; the debugger's step number. */
export type EventRef = number;

export type Scalar = string | number;

export interface PacketFate {
  /** delivered, dropped, consumed, transmitted, pending */
  kind: string;
  host: string;
  fn: string;
  /** SKB_DROP_REASON_… when dropped */
  reason?: string;
  detail?: string;
}

export interface SourceAt {
  file: string;
  line: number;
  col: number;
}

export interface Receipt {
  from: string;
  bytes: number;
  packet: PacketId;
  data?: string;
}

export interface SocketFacts {
  host: string;
  proto: string;
  /** "10.0.2.2:53" */
  local: string;
  received: readonly Receipt[];
  /** TCP: the peers ("10.0.1.2:32768") whose connections the listener accepted */
  accepted?: readonly string[];
}

export interface TraceView {
  /** every packet id, in order */
  packets(): readonly PacketId[];
  /** undefined for an id the trace does not have */
  fate(p: PacketId): PacketFate | undefined;
  summary(p: PacketId): string;
  origin(p: PacketId): string;
  parent(p: PacketId): PacketId | null;
  eventCount(): number;
  /** the events about a packet, in trace order */
  eventsOf(p: PacketId): readonly EventRef[];
  /**
   * A field at an event, by the name breakpoints use (fn, host, hook, chain, verdict, drop, ttl,
   * saddr, dport, len, mark…; see GOAL_EVENT_FIELDS); undefined when the event has no such thing.
   */
  fieldAt(e: EventRef, name: string): Scalar | undefined;
  /** where the netfilter rule that decided at this event was written, when one did */
  ruleAt(e: EventRef): SourceAt | undefined;
  hosts(): readonly string[];
  /** nstat name → delta over the run on a host */
  counters(host: string): Readonly<Record<string, number>>;
  sockets(): readonly SocketFacts[];
}

/** Event fields a goal can name (the breakpoint language's names, plus stack and rule_index). */
export const GOAL_EVENT_FIELDS: readonly string[] = [
  'fn', 'file', 'host', 'layer', 'packet', 'seq', 'time', 'what', 'stack',
  'hook', 'chain', 'table', 'family', 'rule', 'rule_index', 'verdict', 'priority', 'drop', 'counter',
  'len', 'data', 'tail', 'end', 'headroom', 'tailroom', 'mark', 'dev', 'iif', 'protocol', 'pkt_type', 'ct', 'route', 'ip_summed',
  'mac_header', 'network_header', 'transport_header',
  ...PACKET_FIELD_NAMES,
];

/** The breakpoint language's aliases: one table serves both languages. */
export const GOAL_FIELD_ALIASES = FIELD_ALIASES;

export function goalField(name: string): string | undefined {
  const l = name.toLowerCase();
  const f = GOAL_FIELD_ALIASES[l] ?? l;
  return GOAL_EVENT_FIELDS.includes(f) ? f : undefined;
}
