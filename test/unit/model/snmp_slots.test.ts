// SNMP counters are kept by slot (src/model/net/snmp_ids.ts): a count by slot and a count by name
// are the same counter, and `counters()` lists them in the order they were first counted, as the
// Map by name did.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { Net } from '../../../src/model/net/net_namespace';
import { snmpId, SNMP_NAMES } from '../../../src/model/net/snmp_ids';

describe('SNMP counters by slot', () => {
  it('a name keeps its slot, and a slot names its counter', () => {
    const a = snmpId('IpInReceives');
    assert.strictEqual(snmpId('IpInReceives'), a);
    assert.notStrictEqual(snmpId('IpInDelivers'), a);
    assert.strictEqual(SNMP_NAMES[a], 'IpInReceives');
    const dyn = snmpId(`IcmpMsgInType${97}`);
    assert.strictEqual(SNMP_NAMES[dyn], 'IcmpMsgInType97');
  });

  for (const level of ['fates', 'full'] as const) {
    it(`counts by slot and by name go to one counter, listed in first-count order (${level})`, () => {
      const w = new World(level);
      const net = new Net('h', w);
      const other = new Net('o', w);
      net.count(snmpId('UdpInDatagrams'));
      net.count('IpInReceives', 3);
      net.count('UdpInDatagrams', 2);
      net.count(snmpId('IpInReceives'));
      net.count(`IcmpMsgOutType${3}`);
      net.count('IpExtInOctets', 0);
      other.count('IpInReceives');
      assert.deepStrictEqual(net.counters(), [
        ['UdpInDatagrams', 3],
        ['IpInReceives', 4],
        ['IcmpMsgOutType3', 1],
        ['IpExtInOctets', 0],
      ]);
      assert.deepStrictEqual(other.counters(), [['IpInReceives', 1]], 'each namespace has its own counters');
    });
  }
});
