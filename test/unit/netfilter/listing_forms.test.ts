// Issue 15, listing round: the forms the model printed apart from the real tools on this machine
// (nft 1.0.6, iptables-nft 1.8.9, each checked in a namespace of its own), lines of our own:
// icmpv6 types and codes by name, the icmpv6 keyword as protocol 58, the dependency nft leaves
// out before an icmpv6 match; iptables-save's esp/ah ranges, owner ids, NFLOG defaults and
// conntrack's protocol number, hashlimit's save form. And an ip6 NAT map, refused (its data would be IPv6 addresses).
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { ScenarioError } from '../../../src/scenario/types';
import { evalRule, loadAll, pkt, tcp } from './helpers';

function load(rule: string, fam = 'inet', hook = 'filter hook input priority 0'): { net: ReturnType<World['addHost']>; rule: NonNullable<ReturnType<typeof first>> } {
  const net = new World().addHost('h');
  runNft(net, fromFile(`table ${fam} t {\n chain c {\n  type ${hook};\n  ${rule}\n }\n}\n`, 'r.nft'));
  return { net, rule: first(net)! };
}
const first = (net: ReturnType<World['addHost']>) => NfEngine.of(net).tables[0].chains.get('c')!.rules[0];

function nftRefused(rule: string, fam: string, hook: string): string {
  try {
    load(rule, fam, hook);
  } catch (e) {
    if (e instanceof ScenarioError) return `${e.pos.col}: ${e.detail}`;
    throw e;
  }
  return 'accepted';
}

describe('nft listing as nft 1.0.6 prints it: icmpv6 (issue 15)', () => {
  // [rule, nft list ruleset, nft -p list ruleset]
  const cases: [string, string, string][] = [
    ['icmpv6 type 1', 'icmpv6 type destination-unreachable', 'icmpv6 type destination-unreachable'],
    ['icmpv6 type { 134, 1, mld-listener-reduction }', 'icmpv6 type { destination-unreachable, mld-listener-done, nd-router-advert }', 'icmpv6 type { destination-unreachable, mld-listener-done, nd-router-advert }'],
    ['icmpv6 code 4 drop', 'icmpv6 code port-unreachable drop', 'icmpv6 code port-unreachable drop'],
    ['ip6 nexthdr icmpv6', 'ip6 nexthdr ipv6-icmp', 'ip6 nexthdr 58'],
    ['ip6 nexthdr { icmpv6, tcp }', 'ip6 nexthdr { tcp, ipv6-icmp }', 'ip6 nexthdr { 6, 58 }'],
    // the dependency nft adds for an icmpv6 match in an inet table is meta l4proto: left out
    ['meta l4proto icmpv6 icmpv6 type 2', 'icmpv6 type packet-too-big', 'icmpv6 type packet-too-big'],
    ['ip protocol ipv6-icmp meta l4proto ipv6-icmp icmpv6 type 1', 'ip protocol ipv6-icmp icmpv6 type destination-unreachable', 'ip protocol 58 icmpv6 type destination-unreachable'],
    ['meta l4proto icmpv6 counter icmpv6 type 2', 'meta l4proto ipv6-icmp counter icmpv6 type packet-too-big', 'meta l4proto 58 counter icmpv6 type packet-too-big'],
  ];
  for (const [rule, want, wantP] of cases) {
    it(`${rule} lists as ${want}`, () => {
      const r = load(rule).rule;
      assert.strictEqual(listRule(r, { stateless: true }), want);
      assert.strictEqual(listRule(r, { stateless: true, numericProto: true }), wantP);
    });
  }

  it('meta l4proto icmpv6, ip protocol icmpv6 and ct protocol icmpv6 are protocol 58 (nft reads the keyword)', () => {
    for (const rule of ['meta l4proto icmpv6', 'ip protocol icmpv6', 'meta l4proto { icmpv6, tcp }']) {
      const { net, rule: r } = load(rule, 'ip');
      assert.strictEqual(evalRule(net, r, pkt(58, [128, 0, 0, 0, 0, 1, 0, 1])), true, rule);
      assert.strictEqual(evalRule(net, r, pkt(1, [8, 0, 0, 0, 0, 1, 0, 1])), false, rule);
    }
    const { net, rule: r } = load('meta l4proto icmpv6', 'ip');
    assert.strictEqual(evalRule(net, r, pkt(6, tcp(2))), false);
    assert.strictEqual(listRule(load('ct protocol icmpv6', 'ip').rule, { numericProto: true }), 'ct protocol 58');
  });
});

describe('an ip6 NAT map is refused, not read as IPv4 data (issue 15)', () => {
  const nat = 'nat hook prerouting priority -100';
  const cases: [string, string, string][] = [
    // nft 1.0.6 refuses IPv4 data for ip6 NAT; IPv6 NAT maps are not modelled
    ['inet', 'dnat ip6 to ct mark . ip daddr map { 0x14 . 1.1.1.1 : 1.2.3.4 }', '15: dnat ip6 to … map (a NAT map of IPv6 addresses) is not modelled'],
    ['inet', 'dnat ip6 to ip daddr map { 1.1.1.1 : 1.2.3.4 }', '15: dnat ip6 to … map (a NAT map of IPv6 addresses) is not modelled'],
    ['ip6', 'dnat to tcp dport map { 80 : ::1 }', '11: dnat to … map (a NAT map of IPv6 addresses) is not modelled'],
    ['inet', 'dnat ip to ip daddr map { 1.1.1.1 : 1.2.3.4 }', 'accepted'],
    ['ip', 'dnat to tcp dport map { 80 : 10.0.0.1 }', 'accepted'],
  ];
  for (const [fam, rule, want] of cases) it(`${fam}: ${rule}`, () => assert.strictEqual(nftRefused(rule, fam, nat), want));
});

describe('iptables-save as iptables-nft 1.8.9 prints it (issue 15)', () => {
  const cases: [string, string][] = [
    ['-A INPUT -p esp -m esp --espspi :32', '-p esp -m esp --espspi 0:32'],
    ['-A INPUT -p esp -m esp --espspi 7:', '-p esp -m esp --espspi 7:4294967295'],
    ['-A INPUT -p esp -m esp --espspi 0:4294967295', '-p esp -m esp'],
    ['-A INPUT -p ah -m ah ! --ahspi 0:4294967295', '-p ah -m ah'],
    ['-A INPUT -p ah -m ah ! --ahspi 5:5', '-p ah -m ah ! --ahspi 5'],
    ['-A OUTPUT -m owner --gid-owner root --uid-owner 0', '-m owner --uid-owner 0 --gid-owner 0'],
    ['-A OUTPUT -m owner ! --uid-owner root', '-m owner ! --uid-owner 0'],
    ['-A OUTPUT -m owner --uid-owner 3-7', '-m owner --uid-owner 3-7'],
    ['-A INPUT -j NFLOG --nflog-group 0', '-j NFLOG'],
    ['-A INPUT -j NFLOG --nflog-threshold 3 --nflog-size 10 --nflog-group 2 --nflog-prefix a', '-j NFLOG --nflog-prefix a --nflog-group 2 --nflog-size 10 --nflog-threshold 3'],
    ['-A INPUT -j NFLOG --nflog-prefix "in drop"', '-j NFLOG --nflog-prefix "in drop"'],
    ['-A INPUT -m conntrack --ctproto tcp', '-m conntrack --ctproto 6'],
    ['-A INPUT -m conntrack --ctstate NEW ! --ctproto udp', '-m conntrack --ctstate NEW ! --ctproto 17'],
    // hashlimit_mt_save: rate in print_rate's unit, burst always, mode in bit order, expire when not one unit
    ['-A INPUT -m hashlimit --hashlimit-upto 1/second --hashlimit-name mini1', '-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1'],
    ['-A INPUT -m hashlimit --hashlimit-upto 1000/min --hashlimit-name b', '-m hashlimit --hashlimit-upto 1000/min --hashlimit-burst 5 --hashlimit-name b'],
    [
      '-A INPUT -m hashlimit --hashlimit-name a --hashlimit-srcmask 32 --hashlimit-upto 3/second --hashlimit-htable-expire 10000 --hashlimit-mode dstip,srcip --hashlimit-htable-gcinterval 1000 --hashlimit-htable-size 10 --hashlimit-htable-max 20',
      '-m hashlimit --hashlimit-upto 3/sec --hashlimit-burst 5 --hashlimit-mode srcip,dstip --hashlimit-name a --hashlimit-htable-size 10 --hashlimit-htable-max 20 --hashlimit-htable-expire 10000',
    ],
    [
      '-A INPUT -m hashlimit --hashlimit-name a --hashlimit-srcmask 24 --hashlimit-above 3/hour --hashlimit-dstmask 16 --hashlimit-rate-match --hashlimit-rate-interval 2',
      '-m hashlimit --hashlimit-above 3/sec --hashlimit-burst 5 --hashlimit-name a --hashlimit-htable-expire 3600000 --hashlimit-srcmask 24 --hashlimit-dstmask 16 --hashlimit-rate-match --hashlimit-rate-interval 2',
    ],
  ];
  for (const [line, want] of cases) it(`${line} saves as ${want}`, () => assert.strictEqual(saveRuleSpec(loadAll([line]).rules[0]), want));

  it('the saved esp range is the one matched', () => {
    const r = loadAll(['-A INPUT -p esp -m esp --espspi :32']);
    const esp = (spi: number): number[] => [spi >>> 24, (spi >>> 16) & 255, (spi >>> 8) & 255, spi & 255, 0, 0, 0, 1];
    assert.strictEqual(evalRule(r.net, r.rules[0], pkt(50, esp(0))), true);
    assert.strictEqual(evalRule(r.net, r.rules[0], pkt(50, esp(32))), true);
    assert.strictEqual(evalRule(r.net, r.rules[0], pkt(50, esp(33))), false);
  });
});
