// Sets in matches that the model used to read only the first value of: `meta pkttype { host,
// broadcast }` and `iif { lo, eth0 }`; and `iifname { … }`, refused before. Every value counts.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import type { PktType } from '../../../src/trace/contract';
import { evalRule, pkt } from './helpers';

describe('nft meta pkttype', () => {
  it('a set or list matches any of its types; a number is the type of that number', () => {
    const net = new World().addHost('h');
    runNft(net, fromFile('table inet t {\n chain c {\n  type filter hook input priority 0;\n  meta pkttype { host, broadcast } accept\n  meta pkttype 3 accept\n  meta pkttype != { multicast, other } accept\n }\n}\n', 'r.nft'));
    const [set, three, notSet] = NfEngine.of(net).tables[0].chains.get('c')!.rules;
    const on = (t: PktType): string => {
      const skb = pkt(17, [0x9c, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00]);
      skb.pkt_type = t;
      return [set, three, notSet].map((r) => (evalRule(net, r, skb) === false ? 'n' : 'y')).join('');
    };
    assert.deepStrictEqual([on('PACKET_HOST'), on('PACKET_BROADCAST'), on('PACKET_MULTICAST'), on('PACKET_OTHERHOST')], ['yny', 'yny', 'nnn', 'nyn']);
  });

  it('iifname and iif take sets: any of the names, or of the devices, matches', () => {
    const net = new World().addHost('h');
    net.addDevice('eth0', '02:00:00:00:00:01', 'veth', 1500, 1000);
    runNft(net, fromFile('table inet t {\n chain c {\n  type filter hook input priority 0;\n  iifname { "eth0", "l*" } accept\n  iifname { "eth0", "wg0" } accept\n  iif { eth0, lo } accept\n  iif != { eth0, lo } accept\n }\n}\n', 'r.nft'));
    const rules = NfEngine.of(net).tables[0].chains.get('c')!.rules;
    // the helper's packet comes in on lo
    const skb = pkt(17, [0x9c, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00]);
    assert.deepStrictEqual(rules.map((r) => evalRule(net, r, skb) !== false), [true, false, true, false]);
  });
});
