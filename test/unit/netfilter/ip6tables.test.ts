// ip6tables and ip6tables-restore (iptables.ts with the ip6 family, ip6tables.ts), the TCP reset
// for IPv6 (nf_send_reset6) and the log line of an IPv6 packet (nf_log_ip6_packet).
import * as assert from 'assert';
import { errAt, fromClient, nfEvents, run, runExample, threeHosts6 } from './helpers';
import type { Trace } from '../../../src/trace/contract';
import { l4Csum6 } from '../../../src/model/proto/ipv6';

/** client — router — server (threeHosts6), the server listening on udp 53 and tcp 80 */
const six = (router: string[], traffic: string[], files = ''): string =>
  threeHosts6({ router }, `listen:\n  - server: udp [::]:53\n  - server: tcp [::]:80\ntraffic:\n${fromClient(traffic)}${files}`);

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
const fate = (t: Trace, pred: (s: string) => boolean): Trace['packets'][number]['fate'] => t.packets.find((p) => pred(p.summary))!.fate;

/** the echo request's fate with one ip6tables FORWARD rule before it */
function echoWith(rule: string): string {
  const t = run(six([`ip6tables -A FORWARD ${rule}`], ['icmp echo-request to 2001:db8:2::20']));
  return fate(t, (s) => s.includes('echo request')).reason === 'SKB_DROP_REASON_NETFILTER_DROP' ? 'dropped' : 'passed';
}

describe('ip6tables (iptables-nft, family ip6)', () => {
  it('ipv6-ip6tables-forward-firewall: accepted echo, rejected DNS (ICMPv6 code 1), the rest dropped by the policy', () => {
    const t = runExample('ipv6-ip6tables-forward-firewall.yaml');
    assert.strictEqual(fate(t, (s) => s.includes('echo reply')).host, 'client');
    const udp = t.packets.filter((p) => p.summary.includes('UDP') || p.summary.includes('udp'));
    assert.deepStrictEqual(udp.map((p) => [p.fate.host, p.fate.reason]), [['router', 'SKB_DROP_REASON_NETFILTER_DROP'], ['router', 'SKB_DROP_REASON_NETFILTER_DROP']]);
    const err = t.packets.find((p) => p.summary.includes('unreachable'))!;
    const ev = t.events.find((e) => e.packet === err.id && e.fn === 'icmp6_send')!.skb!;
    assert.strictEqual(hexToBytes(ev.bytes)[ev.network_header! + 41], 1, 'administratively prohibited');
    const steps = nfEvents(t, 'router').filter((e) => e.fn === 'nft_do_chain' && e.hook?.verdict && e.hook.verdict !== 'NFT_BREAK' && e.hook.verdict !== 'NFT_CONTINUE').map((e) => `${e.hook!.family} ${e.hook!.chain} ${e.hook!.ruleIndex ?? e.hook!.rule} ${e.hook!.verdict}`);
    assert.ok(steps.includes('ip6 from-lan 2 NF_DROP'), steps.join('; '));
    assert.ok(steps.includes('ip6 FORWARD policy drop NF_DROP'), steps.join('; '));
  });

  it('matches: IPv6 prefixes and masks, icmp6 types and codes, ports, hop limit, length, interfaces', () => {
    assert.strictEqual(echoWith('-s 2001:db8:1::/64 -j DROP'), 'dropped');
    assert.strictEqual(echoWith('! -s 2001:db8:1::/64 -j DROP'), 'passed');
    assert.strictEqual(echoWith('-d 2001:db8:2::20/ffff:ffff:ffff:ffff:: -j DROP'), 'dropped');
    assert.strictEqual(echoWith('-d 2001:db8:2::21 -j DROP'), 'passed');
    assert.strictEqual(echoWith('-p icmpv6 --icmpv6-type ping -j DROP'), 'dropped');
    assert.strictEqual(echoWith('-p ipv6-icmp -m icmp6 ! --icmpv6-type echo-request -j DROP'), 'passed');
    assert.strictEqual(echoWith('-p ipv6-icmp --icmpv6-type 128/0 -j DROP'), 'dropped');
    assert.strictEqual(echoWith('-p ipv6-icmp --icmpv6-type 128/1 -j DROP'), 'passed');
    assert.strictEqual(echoWith('-p ipv6-icmp --icmpv6-type destination-unreachable -j DROP'), 'passed');
    // ip6_forward lowers the hop limit before FORWARD
    assert.strictEqual(echoWith('-m hl --hl-eq 63 -j DROP'), 'dropped');
    assert.strictEqual(echoWith('-m hl --hl-lt 63 -j DROP'), 'passed');
    // xt_length: payload length plus the fixed header (a 64-byte echo: 104)
    assert.strictEqual(echoWith('-m length --length 104 -j DROP'), 'dropped');
    assert.strictEqual(echoWith('-m length --length 84 -j DROP'), 'passed');
    assert.strictEqual(echoWith('-i eth0 -o eth1 -j DROP'), 'dropped');
    assert.strictEqual(echoWith('-p tcp -j DROP'), 'passed');
    assert.strictEqual(echoWith('-p icmp -j DROP'), 'passed');
  });

  it('ip6tables-restore reads a dump into the ip6 filter table; the ip table stays apart', () => {
    const dump = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p udp -m udp --dport 53 -j REJECT\nCOMMIT\n';
    const text = six(['ip6tables-restore < rules.v6', 'iptables -A FORWARD -j DROP'], ['udp to [2001:db8:2::20]:53 payload q', 'icmp echo-request to 2001:db8:2::20']);
    const t = run(text, { 'rules.v6': dump });
    const err = t.packets.find((p) => p.summary.includes('unreachable'))!;
    const ev = t.events.find((e) => e.packet === err.id && e.fn === 'icmp6_send')!.skb!;
    assert.strictEqual(hexToBytes(ev.bytes)[ev.network_header! + 41], 4, 'icmp6-port-unreachable by default');
    // the IPv4 table's DROP does not see IPv6 packets
    assert.strictEqual(fate(t, (s) => s.includes('echo reply')).host, 'client');
  });

  it('-j REJECT --reject-with tcp-reset answers a SYN with a RST; connect() gets ECONNREFUSED', () => {
    const t = run(six(['ip6tables -A FORWARD -p tcp --dport 80 -j REJECT --reject-with tcp-reset'], ['tcp connect to [2001:db8:2::20]:80 from :40001']));
    const rst = t.events.find((e) => e.fn === 'nf_send_reset6' && e.host === 'router' && e.skb && hexToBytes(e.skb.bytes)[e.skb.network_header! + 6] === 6 && hexToBytes(e.skb.bytes)[e.skb.network_header! + 40 + 13] & 0x04);
    assert.ok(rst, 'nf_send_reset6 built a RST');
    const b = hexToBytes(rst!.skb!.bytes);
    const nh = rst!.skb!.network_header!;
    assert.strictEqual(l4Csum6(b, nh + 40, 20, b.slice(nh + 8, nh + 24), b.slice(nh + 24, nh + 40), 6), 0, 'the checksum is complete');
    assert.strictEqual(b[nh + 7], 64, 'hop limit of the route back');
    assert.strictEqual((b[nh + 40] << 8) | b[nh + 41], 80);
    assert.strictEqual(b[nh + 40 + 13], 0x14, 'RST+ACK for a SYN');
    assert.ok(t.packets.some((p) => p.fate.kind === 'consumed' && p.fate.host === 'client' && p.fate.fn === 'tcp_reset'));
  });

  it('-j LOG prints nf_log_ip6_packet\'s line', () => {
    const t = run(six(['ip6tables -A FORWARD -p udp -j LOG --log-prefix "v6: "'], ['udp to [2001:db8:2::20]:53 payload q']));
    const log = t.events.find((e) => e.fn === 'nf_log_ip6_packet')!;
    assert.match(log.what, /"v6: IN=eth0 OUT=eth1 MAC=[0-9a-f:]{41} SRC=2001:db8:1::10 DST=2001:db8:2::20 LEN=49 TC=0 HOPLIMIT=63 FLOWLBL=\d+ PROTO=UDP SPT=\d+ DPT=53 LEN=9"/);
  });

  it('ipv6-ip6tables-stateful-forward: -m conntrack --ctstate and -m state on IPv6 conntrack; the server\'s NEW ping falls to the policy', () => {
    const t = runExample('ipv6-ip6tables-stateful-forward.yaml');
    assert.strictEqual(fate(t, (s) => s.includes('echo reply')).host, 'client');
    assert.strictEqual(t.counters.client.TcpActiveOpens, 1);
    assert.strictEqual(t.counters.client.TcpCurrEstab, 1);
    const ping = t.packets.find((p) => p.summary.startsWith('2001:db8:2::20') && p.summary.includes('echo request'))!;
    assert.deepStrictEqual([ping.fate.kind, ping.fate.host, ping.fate.reason], ['dropped', 'router', 'SKB_DROP_REASON_NETFILTER_DROP']);
    // the replies matched rule 1 (ESTABLISHED), the client's new packets rule 2
    const rules = (pred: (s: string) => boolean): (number | undefined)[] => t.packets.filter((p) => pred(p.summary)).map((p) => nfEvents(t, 'router', p.id).find((e) => e.hook?.verdict === 'NF_ACCEPT' && e.hook.ruleIndex)?.hook?.ruleIndex);
    assert.deepStrictEqual(rules((s) => s.includes('echo reply') || s.includes('[S.]')), [1, 1]);
    assert.deepStrictEqual(rules((s) => s.startsWith('2001:db8:1::10') && (s.includes('echo request') || s.includes('[S]'))), [2, 2]);
  });

  it('ipv6-ip6tables-raw-notrack: CT --notrack in raw PREROUTING; the datagram passes as UNTRACKED, the error about it is INVALID', () => {
    const t = runExample('ipv6-ip6tables-raw-notrack.yaml');
    assert.strictEqual(fate(t, (s) => s.includes('echo reply')).host, 'client');
    const udp = t.packets.find((p) => p.summary.startsWith('2001:db8:1::10.5353'))!;
    assert.deepStrictEqual([udp.fate.host, udp.fate.reason], ['server', 'SKB_DROP_REASON_NO_SOCKET']);
    assert.deepStrictEqual([fate(t, (s) => s.includes('unreachable')).host, fate(t, (s) => s.includes('unreachable')).reason], ['router', 'SKB_DROP_REASON_NETFILTER_DROP']);
    assert.deepStrictEqual([fate(t, (s) => s.startsWith('2001:db8:2::20.7000')).host, fate(t, (s) => s.startsWith('2001:db8:2::20.7000')).reason], ['router', 'SKB_DROP_REASON_NETFILTER_DROP']);
    assert.ok(nfEvents(t, 'router', udp.id).some((e) => e.hook?.table === 'raw' && e.hook.chain === 'PREROUTING'), 'the raw table sees the datagram');
  });

  it('refuses what ip6tables refuses, and what is not modelled for IPv6, at its position', () => {
    const at = (line: string): { col: number; detail: string } => errAt(six([line], []));
    const f = at('ip6tables -A INPUT -f -j DROP');
    assert.match(f.detail, /-f' is not supported in IPv6/);
    assert.strictEqual(f.col, '    ip6tables -A INPUT '.length + 1);
    assert.match(at('ip6tables -A INPUT -p tcp -j REJECT --reject-with icmp-host-prohibited').detail, /unknown reject type "icmp-host-prohibited"/);
    assert.match(at('ip6tables -A INPUT -p udp -j REJECT --reject-with tcp-reset').detail, /only valid with -p tcp/);
    assert.match(at('ip6tables -A INPUT -m icmp --icmp-type 8 -j DROP').detail, /Couldn't load match `icmp'/);
    assert.match(at('ip6tables -A INPUT -p icmp --icmp-type 8 -j DROP').detail, /unknown option "--icmp-type"/);
    assert.match(at('ip6tables -A INPUT -p ipv6-icmp --icmpv6-type 300 -j DROP').detail, /Unknown ICMPv6 type `300'/);
    assert.match(at('ip6tables -A INPUT -s 10.0.0.1 -j DROP').detail, /host\/network `10.0.0.1' not found/);
    assert.match(at('ip6tables -A INPUT -m hl -j DROP').detail, /HL match: You must specify/);
    assert.match(at('ip6tables -t security -A INPUT -j ACCEPT').detail, /not modelled/);
    assert.match(at('ip6tables -A INPUT -m conntrack --ctorigsrc 2001:db8::1 -j ACCEPT').detail, /-m conntrack --ctorigsrc is not modelled for IPv6/);
    assert.match(at('ip6tables -A INPUT -m state --state BOGUS -j ACCEPT').detail, /Bad state "BOGUS"/);
    assert.match(at('ip6tables -A INPUT -j CT --notrack').detail, /CT target: only valid in the raw table, not filter/);
    assert.match(at('ip6tables -t raw -A PREROUTING -j CT --zone 1').detail, /CT --zone is not modelled/);
    assert.match(at('ip6tables -A INPUT -j LOG --log-tcp-sequence').detail, /LOG --log-tcp-sequence is not modelled \(the log line is modelled with the default flags\)/);
    assert.match(at('ip6tables -A INPUT -m ttl --ttl-eq 3 -j DROP').detail, /Couldn't load match `ttl'/);
    assert.match(at('ip6tables-nft -A INPUT -j DROP').detail, /not modelled/);
  });
});
