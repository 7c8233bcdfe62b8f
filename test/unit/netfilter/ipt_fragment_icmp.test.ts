// Issue 15, session 12 (found by the generator's nf-grammar draws): iptables `-f` (IPT_F_FRAG, a
// fragment other than the first) and libxt_icmp's names of one type and code (`port-unreachable`
// is 3/3), both accepted by iptables-nft 1.8.9 and refused by the model before ("unknown option").
// Save forms checked with iptables-save 1.8.9.
import * as assert from 'assert';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { evalRule, loadAll, pkt, refused } from './helpers';

/** a UDP datagram's first fragment, or a later one (offset 185 × 8 bytes) */
function frag(later: boolean): ReturnType<typeof pkt> {
  const skb = pkt(17, [0x9c, 0x40, 0x1b, 0x58, 0, 8, 0, 0]);
  skb.buf[6] = later ? 0x00 : 0x20;
  skb.buf[7] = later ? 185 : 0;
  return skb;
}

describe('iptables -f and --icmp-type names (issue 15)', () => {
  it('-f matches a later fragment only, ! -f the others; saved after -p', () => {
    const f = loadAll(['-A INPUT -s 10.0.0.1 -p udp -f -j DROP']);
    assert.strictEqual(saveRuleSpec(f.rules[0]), '-s 10.0.0.1/32 -p udp -f -j DROP');
    assert.strictEqual(evalRule(f.net, f.rules[0], frag(true)), 'NF_DROP');
    assert.strictEqual(evalRule(f.net, f.rules[0], frag(false)), false);
    const nf = loadAll(['-A INPUT ! -f -j ACCEPT']);
    assert.strictEqual(saveRuleSpec(nf.rules[0]), '! -f -j ACCEPT');
    assert.strictEqual(evalRule(nf.net, nf.rules[0], frag(true)), false);
    assert.strictEqual(evalRule(nf.net, nf.rules[0], frag(false)), 'NF_ACCEPT');
    assert.strictEqual(refused('-A INPUT -f -f -j DROP'), 'multiple -f flags not allowed');
  });

  it('--icmp-type NAME of a type and code matches both, saved as TYPE/CODE', () => {
    const r = loadAll(['-A INPUT -p icmp --icmp-type port-unreachable -j DROP']);
    assert.strictEqual(saveRuleSpec(r.rules[0]), '-p icmp -m icmp --icmp-type 3/3 -j DROP');
    const unreach = (code: number): ReturnType<typeof pkt> => pkt(1, [3, code, 0, 0, 0, 0, 0, 0]);
    assert.strictEqual(evalRule(r.net, r.rules[0], unreach(3)), 'NF_DROP');
    assert.strictEqual(evalRule(r.net, r.rules[0], unreach(1)), false);
    assert.strictEqual(saveRuleSpec(loadAll(['-A INPUT -p icmp --icmp-type ttl-exceeded -j DROP']).rules[0]), '-p icmp -m icmp --icmp-type 11 -j DROP');
    assert.strictEqual(saveRuleSpec(loadAll(['-A INPUT -p icmp --icmp-type host-prohibited -j DROP']).rules[0]), '-p icmp -m icmp --icmp-type 3/10 -j DROP');
  });
});
