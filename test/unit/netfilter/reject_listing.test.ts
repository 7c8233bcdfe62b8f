// Issue 15, session 12: a reject's dependency and its listing as nft 1.0.6 has them (each case
// checked with nft 1.0.6 in a namespace of its own, lines of our own). nft puts the dependency of
// a reject at the head of the rule (`meta l4proto tcp` for tcp reset, `meta nfproto ipv4|ipv6` for
// an icmp/icmpv6 reject in an inet table); its listing leaves a `meta nfproto` out when an ip/ip6
// match or a reject naming the family follows it with only matches between.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { refusal, run } from './helpers';

function listed(rule: string, fam: string): string {
  const net = new World().addHost('h');
  runNft(net, fromFile(`table ${fam} t {\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  return listRule(NfEngine.of(net).tables[0].chains.get('c')!.rules[0], { stateless: true, numericProto: true });
}

describe('reject and meta nfproto listed as nft 1.0.6 lists them (issue 15)', () => {
  // [family, rule, nft -s -p list ruleset]
  const cases: [string, string, string][] = [
    // inet: plain reject is icmpx port-unreachable; after a family is fixed, that family's icmp
    ['inet', 'reject', 'reject'],
    ['inet', 'reject with icmpx port-unreachable', 'reject'],
    ['inet', 'reject with icmpx 2', 'reject with icmpx host-unreachable'],
    ['inet', 'reject with icmp port-unreachable', 'reject with icmp port-unreachable'],
    ['inet', 'reject with icmp 4', 'reject with icmp frag-needed'],
    ['inet', 'ip saddr 1.1.1.1 reject', 'ip saddr 1.1.1.1 reject with icmp port-unreachable'],
    ['inet', 'ip6 saddr ::1 reject', 'ip6 saddr ::1 reject with icmpv6 port-unreachable'],
    ['inet', 'ip6 saddr ::1 reject with icmpx 1', 'ip6 saddr ::1 reject'],
    // the meta nfproto before a reject that names the family is its dependency; a statement between keeps it
    ['inet', 'meta nfproto ipv4 reject', 'reject with icmp port-unreachable'],
    ['inet', 'meta nfproto ipv6 reject', 'reject with icmpv6 port-unreachable'],
    ['inet', 'meta nfproto ipv4 meta mark 1 reject', 'meta mark 0x00000001 reject with icmp port-unreachable'],
    ['inet', 'meta nfproto ipv4 counter reject', 'meta nfproto ipv4 counter reject with icmp port-unreachable'],
    ['inet', 'meta nfproto ipv4 reject with icmpx port-unreachable', 'meta nfproto ipv4 reject'],
    ['inet', 'meta nfproto ipv6 reject with icmpx no-route', 'meta nfproto ipv6 reject with icmpx no-route'],
    // the nfproto nft adds at the head for an icmp reject: listed only with a statement before the reject
    ['inet', 'counter reject with icmp host-unreachable', 'meta nfproto ipv4 counter reject with icmp host-unreachable'],
    ['inet', 'tcp dport 22 counter reject with icmp host-unreachable', 'meta nfproto ipv4 tcp dport 22 counter reject with icmp host-unreachable'],
    ['inet', 'counter meta nfproto ipv4 reject', 'counter reject with icmp port-unreachable'],
    // and before an ip/ip6/icmp header match, the last one only
    ['inet', 'meta nfproto ipv4 ip saddr 1.2.3.4', 'ip saddr 1.2.3.4'],
    ['inet', 'meta nfproto ipv4 udp dport 1 ip saddr 1.1.1.1', 'udp dport 1 ip saddr 1.1.1.1'],
    ['inet', 'meta nfproto ipv4 meta nfproto ipv4 ip saddr 1.2.3.4', 'meta nfproto ipv4 ip saddr 1.2.3.4'],
    ['inet', 'meta nfproto ipv4 meta mark set 1 ip saddr 1.1.1.1', 'meta nfproto ipv4 meta mark set 0x00000001 ip saddr 1.1.1.1'],
    ['inet', 'meta nfproto ipv4 tcp dport 22', 'meta nfproto ipv4 tcp dport 22'],
    ['inet', 'meta nfproto ipv4 igmp type membership-query', 'meta nfproto ipv4 igmp type membership-query'],
    ['inet', 'meta nfproto ipv6 icmpv6 type echo-request', 'icmpv6 type echo-request'],
    ['inet', 'meta nfproto ipv4 ct original saddr 1.2.3.4', 'ct original ip saddr 1.2.3.4'],
    ['inet', 'meta nfproto ipv4 ct original ip saddr 1.2.3.4', 'meta nfproto ipv4 ct original ip saddr 1.2.3.4'],
    // tcp reset: the meta l4proto tcp at the head; an inet listing keeps it, an ip/ip6 one only before a statement
    ['inet', 'mark 12345 reject with tcp reset', 'meta l4proto 6 meta mark 0x00003039 reject with tcp reset'],
    ['inet', 'meta nfproto ipv4 reject with tcp reset', 'meta l4proto 6 reject with tcp reset'],
    ['inet', 'tcp dport 1 reject with tcp reset', 'tcp dport 1 reject with tcp reset'],
    ['ip', 'mark 12345 reject with tcp reset', 'meta mark 0x00003039 reject with tcp reset'],
    ['ip', 'counter reject with tcp reset', 'meta l4proto 6 counter reject with tcp reset'],
    ['ip', 'ip protocol tcp reject with tcp reset', 'reject with tcp reset'],
    ['ip6', 'ip6 nexthdr tcp reject with tcp reset', 'reject with tcp reset'],
    ['ip6', 'log reject with tcp reset', 'meta l4proto 6 log reject with tcp reset'],
    // ip and ip6 tables: their own default is plain reject
    ['ip', 'reject with icmp type port-unreachable', 'reject'],
    ['ip', 'reject with icmp 5', 'reject with icmp 5'],
    ['ip6', 'reject with icmpv6 port-unreachable', 'reject'],
    ['ip6', 'reject with icmpv6 type no-route', 'reject with icmpv6 no-route'],
    ['inet', 'meta secpath missing', 'meta ipsec missing'],
  ];
  for (const [fam, rule, want] of cases) it(`${fam}: ${rule} lists as ${want}`, () => assert.strictEqual(listed(rule, fam), want));

  it('refuses icmpx outside an inet table, in nft 1.0.6 words', () => {
    for (const fam of ['ip', 'ip6']) {
      const net = new World().addHost('h');
      const why = refusal(() => runNft(net, fromFile(`table ${fam} t {\n chain c {\n  type filter hook input priority 0;\n  reject with icmpx port-unreachable\n }\n}\n`, 'r.nft')));
      assert.strictEqual(why, 'abstracted ICMP unreachable not supported', fam);
    }
  });

  it('refuses reading meta nftrace, as the kernel does (nft_meta_get_init: EOPNOTSUPP); setting it is read', () => {
    const load = (r: string): string => refusal(() => listed(r, 'ip'));
    assert.strictEqual(load('meta nftrace 1 counter'), 'Could not process rule: Operation not supported (meta nftrace can only be set)');
    assert.strictEqual(load('meta nftrace set 1 counter'), 'accepted');
  });
});

describe("a reject's dependency is at the head of the rule (issue 15)", () => {
  const scenario = (rules: string[], send: string): string => `name: t
hosts:
  a: |
    ip addr add 10.0.1.1/24 dev eth0
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
    ip addr add 10.0.1.2/24 dev eth0
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
    nft add table inet f
    nft add chain inet f input '{ type filter hook input priority 0; policy accept; }'
${rules.map((r) => `    nft add rule inet f input ${r}\n`).join('')}    nft add rule inet f input meta mark 0x1 drop
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: ${send}
`;

  it('a datagram the tcp reset would not reject is not marked by the statement before it', () => {
    const t = run(scenario(['meta mark set 0x1 reject with tcp reset'], 'udp to 10.0.1.2:7000 from :40000'));
    // not dropped by the last rule: b answers port unreachable
    assert.strictEqual(t.counters.b.UdpNoPorts, 1);
    assert.ok(!t.packets.some((p) => p.fate.host === 'b' && p.fate.fn === 'nft_do_chain'), t.packets.map((p) => `${p.summary} ${p.fate.fn}`).join('\n'));
  });

  it('an IPv6 datagram is not marked by the statement before an icmp reject in an inet table', () => {
    const t = run(scenario(['udp dport 7001 meta mark set 0x1 reject with icmp host-unreachable'], 'udp to [2001:db8:1::2]:7001 from :40001'));
    assert.strictEqual(t.counters.b.Udp6NoPorts, 1);
    // and an IPv4 one is rejected by it
    const t4 = run(scenario(['udp dport 7001 meta mark set 0x1 reject with icmp host-unreachable'], 'udp to 10.0.1.2:7001 from :40001'));
    assert.strictEqual(t4.counters.a.IcmpInDestUnreachs, 1);
    assert.strictEqual(t4.counters.b.UdpNoPorts ?? 0, 0);
  });
});
