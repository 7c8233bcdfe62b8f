// Issue 15: iptables extensions (src/scenario/netfilter/xt/), each with lines of our own that must
// be accepted and lines that must be refused (checked with iptables-nft 1.8.9 in a network
// namespace), and the packets they match as the kernel's xt modules (or, where iptables-nft
// translates, nft's expressions) would.
import { inet4 } from '../../../src/model/proto/inet_addr';
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import type { Rule } from '../../../src/model/net/netfilter/nf_tables';
import type { NfHookName } from '../../../src/trace/contract';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import type { NfConn } from '../../../src/model/net/netfilter/nf_conntrack';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { evalRule, nfEvents, pkt, refusal, run, threeHosts } from './helpers';

function load(line: string): { net: ReturnType<World['addHost']>; rule: Rule } {
  const net = new World().addHost('h');
  runIptables(net, splitFileLine(`iptables ${line}`, 'x', 1));
  const m = /-A (\S+)/.exec(line)!;
  const t = /-t (\S+)/.exec(line)?.[1] ?? 'filter';
  const chain = NfEngine.of(net).table('ip', t)!.chains.get(m[1])!;
  return { net, rule: chain.rules[chain.rules.length - 1] };
}

const refused = (line: string): string => refusal(() => load(line));

/** Run the rule's expressions (all but the counter) on a packet, with its conntrack entry if given. */
function evalOn(r: { net: ReturnType<World['addHost']>; rule: Rule }, skb: SkBuff, ct: { conn?: NfConn; info?: string } = {}, hook: NfHookName = 'NF_INET_LOCAL_IN'): boolean | string {
  if (ct.conn) {
    NfEngine.of(r.net).conns.set(ct.conn.id, ct.conn);
    skb.nfct = { state: ct.info ?? 'IP_CT_NEW', id: ct.conn.id };
  }
  return evalRule(r.net, r.rule, skb, hook);
}

const conn = (o: Partial<NfConn> = {}): NfConn => ({ id: 7, tuple: [{ src: inet4(0x0a000001), dst: inet4(0x0a000002), proto: 6, sport: 1000, dport: 80 }, { src: inet4(0x0a000002), dst: inet4(0x0a000001), proto: 6, sport: 80, dport: 1000 }], confirmed: true, seenReply: false, status: 0, mark: 0, timeout: 0, ...o });

describe('iptables extensions (issue 15): accepted and refused lines', () => {
  const ok = [
    '-A INPUT -m conntrack --ctstate NEW,ESTABLISHED --ctproto udp',
    '-A INPUT -m conntrack --ctorigsrc 10.0.0.0/8 ! --ctrepldst 192.168.1.1 --ctorigdstport 80:90',
    '-A INPUT -m conntrack --ctstatus SEEN_REPLY,CONFIRMED --ctdir REPLY',
    '-A INPUT -m conntrack --ctstate DNAT',
    '-A INPUT -m state ! --state INVALID',
    '-A INPUT -m tos --tos Minimize-Cost',
    '-A INPUT -m tos ! --tos 0x08/0x0c',
    '-A INPUT -m dscp --dscp-class AF41',
    '-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-ip-ect 3',
    '-A INPUT -m iprange ! --src-range 10.1.1.1-10.1.1.9 --dst-range 10.2.0.0-10.2.255.255',
    '-A INPUT -p esp -m esp --espspi 100:200',
    '-A INPUT -p ah -m ah ! --ahspi 7',
    '-A INPUT -p ipcomp -m ipcomp --ipcompspi 3',
    '-A INPUT -p sctp -m sctp --dport 5000 --chunk-types any INIT,DATA:Be',
    '-A INPUT -p dccp -m dccp ! --dccp-types REQUEST --sport 10:',
    '-A INPUT -p tcp -m tcpmss --mss 1000:1460',
    '-t mangle -A OUTPUT -m owner --uid-owner 0 --gid-owner root',
    '-A OUTPUT -m owner ! --socket-exists',
    '-A INPUT -m addrtype --dst-type LOCAL,BROADCAST --limit-iface-in',
    '-A INPUT -m limit --limit 10/minute --limit-burst 3',
    '-A INPUT -m quota ! --quota 5000',
    '-A INPUT -m statistic --mode nth --every 4 --packet 3',
    '-A INPUT -m hashlimit --hashlimit-above 5/sec --hashlimit-mode srcip,dstport --hashlimit-srcmask 24 --hashlimit-name web',
    '-A INPUT -m connbytes ! --connbytes 100: --connbytes-mode avgpkt --connbytes-dir reply',
    '-A INPUT -p sctp -m multiport --dports 9,100:110',
    '-A INPUT -j NFLOG --nflog-group 7 --nflog-prefix "seen: " --nflog-threshold 2',
    '-t mangle -A PREROUTING -j TOS --set-tos 0x10/0x3f',
    '-t mangle -A FORWARD -j DSCP --set-dscp-class EF',
    '-t mangle -A POSTROUTING -j TTL --ttl-dec 2',
    '-A INPUT -j NFQUEUE --queue-balance 2:5 --queue-bypass',
    '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.9:https',
  ];
  for (const l of ok) it(`accepts ${l}`, () => assert.strictEqual(refused(l), 'accepted'));

  const bad: [string, RegExp][] = [
    ['-A INPUT -m conntrack', /At least one option is required/],
    ['-A INPUT -m conntrack --ctstate BOGUS', /Bad ctstate "BOGUS"/],
    ['-A INPUT -m conntrack ! --ctdir ORIGINAL', /option "--ctdir" cannot be inverted/],
    ['-A INPUT -m conntrack --ctexpire 10:x', /bad value for option "--ctexpire"/],
    ['-A INPUT -m state', /option "--state" must be specified/],
    ['-A INPUT -m tos --tos Very-Fast', /Bad TOS value/],
    ['-A INPUT -m dscp --dscp 64', /is not a number in 0-63/],
    ['-A INPUT -m dscp --dscp 3 --dscp-class EF', /only one of/],
    ['-A INPUT -m ecn --ecn-tcp-cwr', /non-tcp/],
    ['-A INPUT -m esp --espspi 1', /-m esp needs -p esp/],
    ['-A INPUT -p ah -m ah --ahspi 4294967296', /not a number/],
    ['-A INPUT -m iprange', /--src-range/],
    ['-A INPUT -p sctp -m sctp --dport 65536', /not a number/],
    ['-A INPUT -p sctp -m sctp --chunk-types some DATA', /all, any or only/],
    ['-A INPUT -p dccp -m dccp --dccp-option 256', /bad option/],
    ['-A INPUT -p dccp -m dccp --dccp-option 3 --dccp-option 4', /"--dccp-option" can only be used once/],
    ['-A INPUT -m tcpmss --mss 5', /-m tcpmss needs -p tcp/],
    ['-A INPUT -m owner --uid-owner 0', /only valid in OUTPUT\/POSTROUTING/],
    ['-A OUTPUT -m owner --suppl-groups', /you need to use --gid-owner first/],
    ['-A OUTPUT -m owner --uid-owner daemon', /bad user "daemon"/],
    ['-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-in', /--limit-iface-in is only valid/],
    ['-A INPUT -m addrtype --src-type HOME', /bad type "HOME"/],
    ['-A INPUT -m limit ! --limit 1/sec', /cannot be inverted/],
    ['-A INPUT -m limit --limit 1/fortnight', /bad rate/],
    ['-A INPUT -m quota', /option "--quota" must be specified/],
    ['-A INPUT -m statistic --mode nth --every 3', /also requires "--packet"/],
    ['-A INPUT -m statistic --mode nth --every 3 --packet 3', /0 <= p <= n-1/],
    ['-A INPUT -m statistic --mode random --probability 0.1', /random is not modelled/],
    ['-A INPUT -m hashlimit --hashlimit-upto 3/sec', /--hashlimit-name" must be specified/],
    ['-A INPUT -m hashlimit --hashlimit-name a', /--hashlimit-upto" or "--hashlimit-above" must be specified/],
    ['-A INPUT -m hashlimit --hashlimit-upto 0kb/s --hashlimit-name a', /bad value for option "--hashlimit-upto"/],
    ['-A INPUT -m connbytes --connbytes 10 --connbytes-mode packets', /--connbytes-dir" must be specified/],
    ['-A INPUT -m connbytes --connbytes 10 --connbytes-mode frames --connbytes-dir both', /Unknown --connbytes-mode/],
    ['-A INPUT -j NFLOG --nflog-group 65536', /not a number/],
    ['-A INPUT -j TOS --set-tos 0x10', /only valid in the mangle table/],
    ['-t mangle -A INPUT -j TOS', /is required/],
    ['-t mangle -A INPUT -j TTL --ttl-inc 0', /increasing by 0/],
    ['-t mangle -A INPUT -j TTL --ttl-set 3 --ttl-dec 1', /only specify one action/],
    ['-t mangle -A INPUT -j DSCP --set-dscp 0x40', /not a number/],
    ['-A INPUT -j NFQUEUE --queue-balance 0:65535', /bad range/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(refused(l), re));
});

describe('iptables extensions (issue 15): packets matched as the kernel matches them', () => {
  it('conntrack: without an entry only --ctstate can match; status, direction and tuples of the entry', () => {
    const inv = load('-A INPUT -m conntrack --ctstate INVALID');
    assert.strictEqual(evalOn(inv, pkt(6, new Array(20).fill(0))), true, 'no entry: the INVALID bit');
    const both = load('-A INPUT -m conntrack --ctstate INVALID ! --ctproto udp');
    assert.strictEqual(evalOn(both, pkt(6, new Array(20).fill(0))), true, 'xt_conntrack: no entry and a state test: the state decides');
    const noState = load('-A INPUT -m conntrack ! --ctproto udp');
    assert.strictEqual(evalOn(noState, pkt(6, new Array(20).fill(0))), false, 'no entry and no state test: no match, even inverted');
    const st = load('-A INPUT -m conntrack --ctstatus SEEN_REPLY --ctdir REPLY --ctreplsrc 10.0.0.2 --ctorigdstport 80');
    assert.strictEqual(evalOn(st, pkt(6, new Array(20).fill(0)), { conn: conn({ seenReply: true }), info: 'IP_CT_ESTABLISHED_REPLY' }), true);
    assert.strictEqual(evalOn(load('-A INPUT -m conntrack --ctstatus SEEN_REPLY --ctdir REPLY --ctreplsrc 10.0.0.2 --ctorigdstport 80'), pkt(6, new Array(20).fill(0)), { conn: conn({ seenReply: true }), info: 'IP_CT_ESTABLISHED' }), false, 'original direction');
    assert.strictEqual(evalOn(load('-A INPUT -m conntrack --ctstatus SEEN_REPLY'), pkt(6, new Array(20).fill(0)), { conn: conn() }), false, 'no reply seen yet');
    assert.strictEqual(evalOn(load('-A INPUT -m conntrack --ctstate DNAT'), pkt(6, new Array(20).fill(0)), { conn: conn({ status: 1 << 5 }) }), true, 'IPS_DST_NAT gives the DNAT state bit');
  });

  it('tos, dscp, ecn and iprange read the IPv4 header', () => {
    assert.strictEqual(evalOn(load('-A INPUT -m tos --tos Minimize-Delay'), pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { tos: 0xd2 })), false, '0xd2 & 0x3f is 0x12');
    assert.strictEqual(evalOn(load('-A INPUT -m tos --tos Minimize-Delay'), pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { tos: 0xd0 })), true, 'only the low six bits count for a name');
    assert.strictEqual(evalOn(load('-A INPUT -m tos --tos 0x10'), pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { tos: 0xd0 })), false, 'a bare value compares all eight bits');
    assert.strictEqual(evalOn(load('-A INPUT -m dscp --dscp-class EF'), pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { tos: (46 << 2) | 1 })), true);
    assert.strictEqual(evalOn(load('-A INPUT -p tcp -m ecn --ecn-tcp-cwr --ecn-ip-ect 2'), pkt(6, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x80, 0, 0, 0, 0, 0, 0], { tos: 2 })), true);
    assert.strictEqual(evalOn(load('-A INPUT -p tcp -m ecn --ecn-tcp-cwr'), pkt(6, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0, 0, 0, 0, 0, 0])), false);
    const r = load('-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.5 ! --dst-range 10.0.0.3-10.0.0.9');
    assert.strictEqual(evalOn(r, pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { daddr: 0x0a00000a })), true);
    assert.strictEqual(evalOn(r, pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { daddr: 0x0a000004 })), false);
  });

  it('esp, ah, sctp, dccp and tcpmss read their headers; a cut header drops the packet (hotdrop), a later fragment does not match', () => {
    const esp = load('-A INPUT -p esp -m esp --espspi 256:300');
    assert.strictEqual(evalOn(esp, pkt(50, [0, 0, 1, 0x10, 0, 0, 0, 1])), true);
    assert.strictEqual(evalOn(esp, pkt(50, [0, 0, 2, 0, 0, 0, 0, 1])), false);
    assert.strictEqual(evalOn(esp, pkt(50, [0, 0])), 'NF_DROP');
    assert.strictEqual(evalOn(esp, pkt(50, [0, 0, 1, 0x10], { frag: 10 })), false);
    assert.strictEqual(evalOn(load('-A INPUT -p ah -m ah --ahspi 9'), pkt(51, [6, 4, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0])), true);
    // sctp: ports 5000 → 80, an INIT chunk (flags 0, length 20), then a DATA chunk with B and E set
    const sctpBytes = [0x13, 0x88, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 20, ...new Array(16).fill(0), 0, 3, 0, 16, ...new Array(12).fill(0)];
    assert.strictEqual(evalOn(load('-A INPUT -p sctp -m sctp --sport 5000 --chunk-types all INIT,DATA'), pkt(132, sctpBytes)), true);
    assert.strictEqual(evalOn(load('-A INPUT -p sctp -m sctp --chunk-types only INIT'), pkt(132, sctpBytes)), false, 'a DATA chunk too');
    assert.strictEqual(evalOn(load('-A INPUT -p sctp -m sctp --chunk-types any DATA:bE'), pkt(132, sctpBytes)), false, 'the B flag is set');
    assert.strictEqual(evalOn(load('-A INPUT -p sctp -m sctp --chunk-types any DATA:BE'), pkt(132, sctpBytes)), true);
    const dccpReq = [0, 7, 0, 9, 4, 0, 0, 0, 0 << 1, 0, 0, 0, 0, 0, 0, 0];
    assert.strictEqual(evalOn(load('-A INPUT -p dccp -m dccp --dccp-types REQUEST --dport 9'), pkt(33, dccpReq)), true);
    assert.strictEqual(evalOn(load('-A INPUT -p dccp -m dccp --dccp-types ACK'), pkt(33, dccpReq)), false);
    const syn = [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x60, 0x02, 0, 0, 0, 0, 0, 0, 2, 4, 0x05, 0xb4];
    assert.strictEqual(evalOn(load('-A INPUT -p tcp -m tcpmss --mss 1400:1460'), pkt(6, syn)), true);
    assert.strictEqual(evalOn(load('-A INPUT -p tcp -m tcpmss ! --mss 1400:1460'), pkt(6, syn)), false);
    const noOpt = [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0, 0, 0, 0, 0, 0];
    assert.strictEqual(evalOn(load('-A INPUT -p tcp -m tcpmss ! --mss 1400'), pkt(6, noOpt)), true, 'no MSS option: xt_tcpmss returns the inverse flag');
    assert.strictEqual(evalOn(load('-A INPUT -p sctp -m multiport --dports 80,90'), pkt(132, sctpBytes)), true);
  });

  it('quota, statistic nth and hashlimit count packets as the xt modules do', () => {
    const qr = load('-A INPUT -m quota --quota 100');
    const small = (): SkBuff => pkt(17, [0, 1, 0, 2, 0, 20, 0, 0, ...new Array(12).fill(0)]); // 40 bytes
    assert.deepStrictEqual([1, 2, 3].map(() => evalOn(qr, small())), [true, true, false], '40 + 40 fit, the third finds 20 left');
    const nth = load('-A INPUT -m statistic --mode nth --every 3 --packet 1');
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map(() => evalOn(nth, small())), [false, true, false, false, true, false]);
    const hl = load('-A INPUT -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name t');
    assert.deepStrictEqual([0, 1, 2].map(() => evalOn(hl, small())), [true, true, false], 'a burst of 2, then over the rate');
    assert.strictEqual(evalOn(hl, pkt(17, [0, 1, 0, 2, 0, 8, 0, 0], { saddr: 0x0a000063 })), true, 'another source has its own bucket');
  });

  it('connbytes: accounting is on from the rule, counted per direction; an entry without counters never matches', () => {
    const t = run(
      threeHosts(
        { router: ['iptables -A FORWARD -p icmp -m connbytes --connbytes 3: --connbytes-mode packets --connbytes-dir original -j DROP'] },
        `traffic:
  - from: client
    send: icmp echo-request to 10.0.2.2 count 4
`,
      ),
    );
    const verdicts = nfEvents(t, 'router').filter((e) => e.fn === 'nft_do_chain' && e.hook?.chain === 'FORWARD' && e.hook.ruleIndex === 1).map((e) => e.hook!.verdict);
    // requests 1 and 2 (and their replies, of the other direction) pass; from the 3rd request on,
    // the original direction has counted 3 packets
    assert.deepStrictEqual(verdicts, ['NFT_BREAK', 'NFT_BREAK', 'NFT_BREAK', 'NFT_BREAK', 'NF_DROP', 'NF_DROP']);
    const drops = t.packets.filter((p) => p.fate.kind === 'dropped' && p.fate.host === 'router');
    assert.strictEqual(drops.length, 2);
  });

  it('owner: a local socket is root\'s; a forwarded packet has none', () => {
    const t = run(
      threeHosts(
        { client: ['iptables -A OUTPUT -p udp -m owner --uid-owner 0 -j DROP'] },
        `traffic:
  - from: client
    send: udp to 10.0.2.2:7000 size 40
`,
      ),
    );
    assert.strictEqual(t.packets[0].fate.kind, 'dropped');
    assert.strictEqual(t.packets[0].fate.host, 'client');
    const fwd = run(
      threeHosts(
        { router: ['iptables -t mangle -A POSTROUTING -m owner ! --uid-owner 0 -j DROP'] },
        `traffic:
  - from: client
    send: udp to 10.0.2.2:7000 size 40
`,
      ),
    );
    assert.strictEqual(fwd.packets[0].fate.host, 'router', 'no socket and every test inverted: xt_owner matches');
    assert.strictEqual(fwd.packets[0].fate.kind, 'dropped');
  });

  it('TOS, DSCP and TTL rewrite the header with a valid checksum; NFLOG with no listener goes on', () => {
    const t = run(
      threeHosts(
        { router: ['iptables -t mangle -A FORWARD -j DSCP --set-dscp-class EF', 'iptables -t mangle -A FORWARD -j TTL --ttl-set 9', 'iptables -A FORWARD -j NFLOG --nflog-group 4'] },
        `listen:
  - server: udp 7000
traffic:
  - from: client
    send: udp to 10.0.2.2:7000 size 40
`,
      ),
    );
    const p = t.packets[0];
    assert.strictEqual(p.fate.kind, 'delivered');
    const ev = t.events.find((e) => e.host === 'server' && e.packet === p.id && e.skb)!;
    const b = Uint8Array.from(ev.skb!.bytes!.match(/../g)!.map((x: string) => parseInt(x, 16)));
    const nh = ev.skb!.network_header!;
    assert.strictEqual(b[nh + 1], 46 << 2);
    assert.ok(b[nh + 8] === 9, `ttl ${b[nh + 8]}`);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (b[nh + i] << 8) | b[nh + i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    assert.strictEqual(sum, 0xffff, 'the header checksum still adds up');
    assert.ok(t.events.some((e) => e.fn === 'nfulnl_log_packet' && /no program listens on nflog group 4/.test(e.what)));
  });
});
