// `-s a,b` and `-d c,d` in one iptables command: iptables (1.8.9, checked in a namespace) makes one
// rule per pair of addresses, sources outermost; -I puts each at the same number, so the last pair
// comes first; -D deletes each pair; `!` before a list is refused.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runIptables } from '../../../src/scenario/netfilter/iptables';
import { iptablesSave } from '../../../src/scenario/netfilter/iptables_save';
import { ScenarioError, type Tok } from '../../../src/scenario/types';

const words = (line: string): Tok[] => line.split(' ').map((text, i) => ({ text, pos: { file: 't', line: 1, col: i + 1 } }));
const rules = (lines: string[]): string[] => {
  const net = new World().addHost('h');
  for (const l of lines) runIptables(net, words(l));
  return iptablesSave(NfEngine.of(net))
    .split('\n')
    .filter((l) => l.startsWith('-A'));
};

describe('iptables: lists of addresses', () => {
  it('one rule per pair, in the order iptables makes them', () => {
    assert.deepStrictEqual(rules(['iptables -A INPUT -j ACCEPT', 'iptables -I INPUT 1 -s 10.0.0.2,10.0.0.3 -d 10.0.1.1,10.0.1.2 -j DROP']), [
      '-A INPUT -s 10.0.0.3/32 -d 10.0.1.2/32 -j DROP',
      '-A INPUT -s 10.0.0.3/32 -d 10.0.1.1/32 -j DROP',
      '-A INPUT -s 10.0.0.2/32 -d 10.0.1.2/32 -j DROP',
      '-A INPUT -s 10.0.0.2/32 -d 10.0.1.1/32 -j DROP',
      '-A INPUT -j ACCEPT',
    ]);
    assert.deepStrictEqual(rules(['iptables -A INPUT -j ACCEPT', 'iptables -I INPUT 1 -s 10.0.0.2,10.0.0.3 -d 10.0.1.1,10.0.1.2 -j DROP', 'iptables -D INPUT -s 10.0.0.2,10.0.0.3 -d 10.0.1.1 -j DROP']), [
      '-A INPUT -s 10.0.0.3/32 -d 10.0.1.2/32 -j DROP',
      '-A INPUT -s 10.0.0.2/32 -d 10.0.1.2/32 -j DROP',
      '-A INPUT -j ACCEPT',
    ]);
    assert.deepStrictEqual(rules(['iptables -A INPUT -s 10.0.0.0/8,192.168.0.0/16 -p udp -j DROP']), ['-A INPUT -s 10.0.0.0/8 -p udp -j DROP', '-A INPUT -s 192.168.0.0/16 -p udp -j DROP']);
  });

  it('refuses ! before a list, and an empty address, at their positions', () => {
    assert.throws(() => rules(['iptables -A INPUT ! -s 10.0.0.2,10.0.0.3 -j DROP']), (e: unknown) => e instanceof ScenarioError && e.pos.col === 4 && /! not allowed with multiple source or destination IP addresses/.test(e.detail));
    assert.throws(() => rules(['iptables -A INPUT -s 10.0.0.2,,10.0.0.3 -j DROP']), (e: unknown) => e instanceof ScenarioError && e.pos.col === 5);
  });
});
