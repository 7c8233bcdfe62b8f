// nf_tables on the IPv6 hooks: ip6 and inet tables, the ip6/icmpv6 matches, meta nfproto per
// packet, reject with ICMPv6, and what a scenario with IPv6 refuses (log flags, route chains, ct's IPv4 addresses).
import * as assert from 'assert';
import { errAt, nfEvents, run, runExample } from './helpers';
import type { Trace } from '../../../src/trace/contract';

/** client 2001:db8:1::10 — router — server 2001:db8:2::20; also IPv4 10.0.1.2 — 10.0.2.2 when `v4` */
function six(extra: { router?: string[]; server?: string[] }, traffic: string[], v4 = false): string {
  const ind = (ls: string[] = []): string => ls.map((l) => `    ${l}\n`).join('');
  const a4 = (l: string): string => (v4 ? `    ${l}\n` : '');
  return `name: t
hosts:
  client: |
    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
${a4('ip addr add 10.0.1.2/24 dev eth0')}    ip link set eth0 up
    ip -6 route add default via 2001:db8:1::1
${a4('ip route add default via 10.0.1.1')}  router: |
    sysctl -w net.ipv6.conf.all.forwarding=1
${a4('sysctl -w net.ipv4.ip_forward=1')}    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip -6 addr add 2001:db8:2::1/64 dev eth1 nodad
${a4('ip addr add 10.0.1.1/24 dev eth0')}${a4('ip addr add 10.0.2.1/24 dev eth1')}    ip link set eth0 up
    ip link set eth1 up
${ind(extra.router)}  server: |
    ip -6 addr add 2001:db8:2::20/64 dev eth0 nodad
${a4('ip addr add 10.0.2.2/24 dev eth0')}    ip link set eth0 up
    ip -6 route add default via 2001:db8:2::1
${a4('ip route add default via 10.0.2.1')}${ind(extra.server)}links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0
listen:
  - server: udp [::]:53
traffic:
${traffic.map((t) => `  - from: client\n    send: ${t}\n`).join('')}`;
}

const fateOf = (t: Trace, pred: (s: string) => boolean): Trace['packets'][number]['fate'] => t.packets.find((p) => pred(p.summary))!.fate;
const verdicts = (t: Trace, host: string): string[] => nfEvents(t, host).filter((e) => e.fn === 'nft_do_chain' && e.hook?.verdict && e.hook.verdict !== 'NFT_BREAK').map((e) => `${e.hook!.family} ${e.hook!.chain} ${e.hook!.ruleIndex ?? e.hook!.rule} ${e.hook!.verdict}`);

describe('netfilter on IPv6 (ip6 and inet tables)', () => {
  it('ipv6-nf-forward-drop: the ip6 forward chain drops the UDP datagram, the ping passes on the policy', () => {
    const t = runExample('ipv6-nf-forward-drop.yaml');
    const udp = fateOf(t, (s) => s.includes('UDP') || s.includes('udp'));
    assert.deepStrictEqual([udp.kind, udp.host, udp.fn, udp.reason], ['dropped', 'router', 'nft_do_chain', 'SKB_DROP_REASON_NETFILTER_DROP']);
    const echo = t.packets.find((p) => p.summary.includes('echo request'))!;
    assert.ok(nfEvents(t, 'router', echo.id).some((e) => e.fn === 'nft_do_chain_ipv6'));
    assert.deepStrictEqual(fateOf(t, (s) => s.includes('echo reply')).host, 'client');
    assert.deepStrictEqual(verdicts(t, 'router').slice(0, 2), ['ip6 forward 1 NF_DROP', 'ip6 forward policy accept NF_ACCEPT']);
  });

  it('ipv6-nf-reject-icmpv6: admin-prohibited, then icmpx port-unreachable as ICMPv6 code 4', () => {
    const t = runExample('ipv6-nf-reject-icmpv6.yaml');
    const errs = t.packets.filter((p) => p.summary.includes('unreachable'));
    assert.strictEqual(errs.length, 2);
    const codes = errs.map((p) => {
      const ev = t.events.find((e) => e.packet === p.id && e.fn === 'icmp6_send')!.skb!;
      return parseInt(ev.bytes.slice((ev.network_header! + 41) * 2, (ev.network_header! + 42) * 2), 16);
    });
    assert.deepStrictEqual(codes, [1, 4]);
    assert.deepStrictEqual(errs.map((p) => [p.fate.kind, p.fate.host]), [['consumed', 'client'], ['consumed', 'client']]);
    assert.strictEqual(t.counters.server.Icmp6OutDestUnreachs, 2);
  });

  it('an inet table sees both families; ip matches break on IPv6 packets and ip6 ones on IPv4', () => {
    const rules = ['nft add table inet f', "nft add chain inet f forward '{ type filter hook forward priority 0; policy accept; }'", 'nft add rule inet f forward ip daddr 10.0.2.2 counter drop', 'nft add rule inet f forward ip6 daddr 2001:db8:2::/64 meta l4proto ipv6-icmp counter drop'];
    const t = run(six({ router: rules }, ['icmp echo-request to 10.0.2.2', 'icmp echo-request to 2001:db8:2::20'], true));
    const v4 = t.packets.find((p) => p.summary.startsWith('10.0.1.2') && p.summary.includes('echo request'))!;
    const v6 = t.packets.find((p) => p.summary.startsWith('2001:db8:1::10') && p.summary.includes('echo request'))!;
    assert.deepStrictEqual([v4.fate.reason, v6.fate.reason], ['SKB_DROP_REASON_NETFILTER_DROP', 'SKB_DROP_REASON_NETFILTER_DROP']);
    const rule = (id: number): number | undefined => nfEvents(t, 'router', id).find((e) => e.hook?.verdict === 'NF_DROP' && e.fn === 'nft_do_chain')?.hook?.ruleIndex;
    assert.deepStrictEqual([rule(v4.id), rule(v6.id)], [1, 2]);
  });

  it('meta nfproto is the packet family; an ip table does not see IPv6 packets', () => {
    const rules = ['nft add table inet f', "nft add chain inet f forward '{ type filter hook forward priority 0; policy accept; }'", 'nft add rule inet f forward meta nfproto ipv4 counter drop', 'nft add table ip g', "nft add chain ip g forward '{ type filter hook forward priority -5; policy drop; }'"];
    const t = run(six({ router: rules }, ['icmp echo-request to 2001:db8:2::20']));
    assert.strictEqual(fateOf(t, (s) => s.includes('echo reply')).host, 'client');
    assert.ok(!nfEvents(t, 'router').some((e) => e.hook?.table === 'g'), 'the ip table hooks only IPv4');
  });

  it('ip6 nexthdr, hoplimit, icmpv6 type and ranges of addresses', () => {
    const m = (rule: string): string => {
      const rules = ['nft add table ip6 f', "nft add chain ip6 f forward '{ type filter hook forward priority 0; policy accept; }'", `nft add rule ip6 f forward ${rule} drop`];
      return fateOf(run(six({ router: rules }, ['icmp echo-request to 2001:db8:2::20'])), (s) => s.includes('echo request')).reason === 'SKB_DROP_REASON_NETFILTER_DROP' ? 'dropped' : 'passed';
    };
    assert.strictEqual(m('ip6 nexthdr ipv6-icmp'), 'dropped');
    assert.strictEqual(m('ip6 nexthdr udp'), 'passed');
    // ip6_forward lowers the hop limit before the FORWARD hook
    assert.strictEqual(m('ip6 hoplimit 63'), 'dropped');
    assert.strictEqual(m('ip6 hoplimit 64'), 'passed');
    assert.strictEqual(m('icmpv6 type echo-request'), 'dropped');
    assert.strictEqual(m('icmpv6 type echo-reply'), 'passed');
    assert.strictEqual(m('ip6 saddr 2001:db8:1::1-2001:db8:1::ff'), 'dropped');
    assert.strictEqual(m('ip6 saddr != 2001:db8:1::/64'), 'passed');
    assert.strictEqual(m('ip6 daddr { 2001:db8:3::/48, 2001:db8:2::20 }'), 'dropped');
  });

  it('refuses, at its position, what is not modelled on IPv6 packets or what nft refuses', () => {
    const at = (rule: string, table = 'inet'): { line: number; col: number; detail: string } => errAt(six({ router: [`nft add table ${table} f`, `nft add chain ${table} f input '{ type filter hook input priority 0; policy accept; }'`, `nft add rule ${table} f input ${rule}`] }, []));
    const ct = at('udp dport 53 ct original ip saddr 10.0.0.1 accept');
    assert.match(ct.detail, /not modelled on IPv6 packets/);
    assert.strictEqual(ct.col, 'nft add rule inet f input udp dport 53 '.length + 5);
    assert.match(at('log flags all').detail, /log flags are not modelled/);
    assert.match(at('ip saddr 10.0.0.1 drop', 'ip6').detail, /conflicting protocols/);
    assert.match(at('ip6 saddr ::1 drop', 'ip').detail, /conflicting protocols/);
    assert.match(at('reject with icmpv6 type port-unreachable', 'ip').detail, /conflicting protocols/);
    assert.match(at('udp dport 53 reject with tcp reset', 'ip6').detail, /cannot use tcp reset with this protocol/);
    assert.match(at('ip6 saddr 2001:db8::/129 drop').detail, /bad prefix length/);
    assert.match(at('ip6 flowlabel 5 drop').detail, /ip6 flowlabel is not modelled/);
    assert.match(at('reject with icmpv6 type bogus').detail, /unknown reject type/);
    const route = errAt(six({ router: ['nft add table ip6 n', "nft add chain ip6 n out '{ type route hook output priority 0; }'"] }, []));
    assert.match(route.detail, /route chains of ip6 tables are not modelled/);
  });
});
