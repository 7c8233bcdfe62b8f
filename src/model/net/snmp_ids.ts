// SNMP/MIB counters as slots: each name gets a small number once, so a count is an array index,
// not a lookup by name. The names' own table (snmp.ts, SnmpName) is unchanged; a name made at run
// time (IcmpMsgInType3, Icmp6OutEchos…) gets its number on first use, and a name always gets the
// same number, whichever way it is counted.
import type { SnmpName } from './snmp';

/** A counter's slot (snmpId); `Net.count` takes it, or the name. */
export type SnmpId = number & { readonly __snmpId: unique symbol };

const ids = new Map<string, SnmpId>();
/** the names by slot */
export const SNMP_NAMES: SnmpName[] = [];

/** The slot of counter `name`: the same number for the same name, for the whole process. */
export function snmpId(name: SnmpName): SnmpId {
  let id = ids.get(name);
  if (id === undefined) {
    id = SNMP_NAMES.length as SnmpId;
    SNMP_NAMES.push(name);
    ids.set(name, id);
  }
  return id;
}
