// The values goal expressions compute, how they compare and how they print.
import type { EventRef, PacketId, Receipt } from './traceView';

export type Val =
  | null
  | boolean
  | number
  | string
  | { k: 'packet'; id: PacketId }
  | { k: 'event'; e: EventRef }
  | { k: 'receipt'; r: Receipt; host: string }
  | Val[];

export const packetVal = (id: PacketId): Val => ({ k: 'packet', id });
export const eventVal = (e: EventRef): Val => ({ k: 'event', e });

export function isPacket(v: Val): v is { k: 'packet'; id: PacketId } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && v.k === 'packet';
}
export function isEvent(v: Val): v is { k: 'event'; e: EventRef } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && v.k === 'event';
}

const HOOK_ALIASES: Record<string, string> = {
  NF_INET_PRE_ROUTING: 'PREROUTING',
  PRE_ROUTING: 'PREROUTING',
  NF_INET_LOCAL_IN: 'INPUT',
  LOCAL_IN: 'INPUT',
  NF_INET_FORWARD: 'FORWARD',
  NF_INET_LOCAL_OUT: 'OUTPUT',
  LOCAL_OUT: 'OUTPUT',
  NF_INET_POST_ROUTING: 'POSTROUTING',
  POST_ROUTING: 'POSTROUTING',
};

/** Spellings that mean the same thing compare equal: case, SKB_DROP_REASON_ prefix, hook names. */
export function norm(s: string): string {
  const u = s.trim().toUpperCase().replace(/^SKB_DROP_REASON_/, '');
  return HOOK_ALIASES[u] ?? u;
}

function num(v: Val): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^-?(\d+(\.\d+)?|0x[0-9a-f]+)$/i.test(v.trim())) return Number(v.trim());
  if (isPacket(v)) return v.id;
  if (isEvent(v)) return v.e;
  return undefined;
}

function glob(pattern: string, s: string): boolean {
  if (!pattern.includes('*')) return pattern === s;
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(s);
}

/** A list of one compares as its item: `events(P, fn == ip_forward).ttl == 63`. */
function single(v: Val): Val {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

export function equal(a: Val, b: Val): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const bl = b;
    return a.length === bl.length && a.every((x, i) => equal(x, bl[i]));
  }
  a = single(a);
  b = single(b);
  if (a === null || b === null || Array.isArray(a) || Array.isArray(b)) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return asBool(a) === asBool(b);
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x === y;
  if (typeof a === 'object' || typeof b === 'object') return false;
  return glob(norm(String(b)), norm(String(a))) || glob(norm(String(a)), norm(String(b)));
}

function asBool(v: Val): boolean {
  return typeof v === 'string' ? /^(yes|true)$/i.test(v.trim()) : truthy(v);
}

export function order(a: Val, b: Val): number | undefined {
  const x = num(single(a));
  const y = num(single(b));
  return x === undefined || y === undefined ? undefined : x - y;
}

export function contains(a: Val, b: Val): boolean {
  if (Array.isArray(a)) return a.some((x) => equal(x, b) || contains(x, b));
  if (a === null || typeof a === 'object') return false;
  return String(a).toLowerCase().includes(String(single(b)).toLowerCase());
}

export function truthy(v: Val): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== 0 && v !== '';
}

/** How a value prints in answers and explanations. */
export function show(v: Val): string {
  if (v === null) return 'nothing';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return v.length ? v.map(show).join(', ') : 'none';
  if (v.k === 'packet') return `#${v.id}`;
  if (v.k === 'event') return `step ${v.e}`;
  return `${v.r.bytes} bytes from ${v.r.from}`;
}

/** An answer a learner typed, as a value: "1500, 548" is a list. */
export function parseAnswer(s: string): Val {
  const parts = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (parts.length > 1) return parts;
  const t = s.trim();
  if (/^(yes|true)$/i.test(t)) return true;
  if (/^(no|false)$/i.test(t)) return false;
  if (/^(none|nothing)$/i.test(t)) return [];
  return t.replace(/^#(\d+)$/, '$1');
}
