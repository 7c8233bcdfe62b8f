// Issue 15, second round: the iptables extensions added for the suites' coverage (ipvs, string,
// mac, helper, realm, recent, policy; ECN, CLASSIFY, TCPOPTSTRIP, NETMAP, CT events; DNAT's
// PORT-PORT/BASE) with lines of our own that must be accepted and lines that must be refused, the
// packets they match or rewrite, and the iptables-save form the model prints of what it read.
import * as assert from 'assert';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import { iptablesSave, saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { main } from '../../../src/cli/netstack';
import { evalRule, ipAt, loadAll, one, pkt, refused, run, runExample, tcp, tcpSum, threeHosts, withTcpSum } from './helpers';

describe('iptables extensions, second round (issue 15): accepted and refused lines', () => {
  const ok = [
    '-A INPUT -m ipvs ! --ipvs',
    '-A INPUT -m ipvs --vproto udp --vaddr 10.1.0.0/16 --vport https --vdir REPLY --vmethod MASQ',
    '-A INPUT -m string --string "GET /admin" --algo kmp --from 40 --to 1500 --icase',
    '-A INPUT -m string ! --hex-string "ab|0d 0a|" --algo bm',
    '-A INPUT -m mac --mac-source 02:00:00:aa:bb:cc',
    '-A FORWARD -m mac ! --mac-source 02:00:00:AA:BB:CC',
    '-A INPUT -m helper --helper sip',
    '-A OUTPUT -m realm ! --realm 7/0xff',
    '-A INPUT -m recent --name ssh --rcheck --seconds 60 --hitcount 4 --rttl',
    '-A INPUT -m recent --name ssh --update --seconds 30 --reap --rdest',
    '-A INPUT -m recent ! --remove --mask 255.255.255.0',
    '-A INPUT -m policy --dir in --pol none',
    '-A FORWARD -m policy --dir out --pol ipsec --strict --proto esp --mode tunnel --tunnel-src 192.0.2.0/24 --next --spi 0x100',
    '-t mangle -A FORWARD -p tcp -j ECN --ecn-tcp-remove',
    '-t mangle -A PREROUTING -j ECN --ecn-ip-ect 2',
    '-t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10',
    '-t mangle -A OUTPUT -p tcp -j TCPOPTSTRIP --strip-options mss,sack-permitted,30',
    '-t nat -A PREROUTING -d 10.9.0.0/16 -j NETMAP --to 10.2.0.0/16',
    '-t nat -A PREROUTING -p udp -j DNAT --to-destination 10.0.0.5:5000-5009/53',
    '-t raw -A OUTPUT -j CT --ctevents new,destroy',
  ];
  for (const l of ok) it(`accepts ${l}`, () => assert.strictEqual(refused(l), 'accepted'));

  const bad: [string, RegExp][] = [
    ['-A INPUT -m ipvs', /at least one of --ipvs/],
    ['-A INPUT -m ipvs --vdir BOTH', /bad direction/],
    ['-A INPUT -m ipvs --vport 22 --vport 23', /can only be used once/],
    ['-A INPUT -m string --string abc', /You must specify `--algo'/],
    ['-A INPUT -m string --algo rabin-karp --string abc', /algorithm "rabin-karp"/],
    ['-A INPUT -m string --algo bm --hex-string "|0g|"', /Invalid hex char/],
    ['-A INPUT -m string --algo bm --string abc --from 100 --to 10', /--from is after --to/],
    [`-A INPUT -m string --algo bm --string ${'y'.repeat(129)}`, /pattern too long/],
    ['-A INPUT -m mac --mac-source 02:00:00:aa:bb', /Bad mac address/],
    ['-A OUTPUT -m mac --mac-source 02:00:00:aa:bb:cc', /only valid in PREROUTING, INPUT and FORWARD/],
    ['-A INPUT -m helper', /"--helper" must be specified/],
    ['-t mangle -A PREROUTING -m realm --realm 1', /not valid in PREROUTING/],
    ['-A INPUT -m realm --realm cosmos', /realm names/],
    ['-A INPUT -m recent --set --rcheck', /only one of `--set'/],
    ['-A INPUT -m recent --name x', /you must specify one of/],
    ['-A INPUT -m recent --set --hitcount 2', /--set takes no/],
    ['-A INPUT -m recent --rcheck --reap', /--reap needs --seconds/],
    ['-A INPUT -m recent --rcheck --hitcount 256', /larger than allowed maximum \(255\)/],
    ['-A INPUT -m policy --pol none', /neither --dir in nor --dir out/],
    ['-A OUTPUT -m policy --dir in --pol none', /input policy not valid in POSTROUTING and OUTPUT/],
    ['-A INPUT -m policy --dir in --pol none --strict', /policy none but --strict/],
    ['-A INPUT -m policy --dir in --pol ipsec --tunnel-dst 10.0.0.1', /only valid in tunnel mode/],
    ['-A INPUT -m policy --dir in --pol ipsec --proto udp', /does not support policy matching/],
    ['-t mangle -A FORWARD -j ECN --ecn-tcp-remove', /cannot use operation on non-tcp rule/],
    ['-A FORWARD -p tcp -j ECN --ecn-tcp-remove', /only valid in the mangle table/],
    ['-t mangle -A FORWARD -j ECN', /An operation is required/],
    ['-t mangle -A PREROUTING -j CLASSIFY --set-class 1:10', /only valid in OUTPUT, FORWARD, POSTROUTING/],
    ['-t mangle -A OUTPUT -j CLASSIFY --set-class 10', /Bad class value/],
    ['-t mangle -A OUTPUT -j TCPOPTSTRIP', /only valid for -p tcp/],
    ['-t mangle -A OUTPUT -p tcp -j TCPOPTSTRIP --strip-options 1', /may not be 0 or 1/],
    ['-t nat -A PREROUTING -j NETMAP', /"--to" must be specified/],
    ['-A INPUT -j NETMAP --to 10.0.0.0/8', /only valid in the nat table/],
    ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.5:80-90/0', /base port "0"/],
    ['-t nat -A POSTROUTING -p tcp -j SNAT --to-source 10.0.0.5:80-90/100', /only valid for DNAT/],
    ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.5:80/100', /needs a port range/],
    ['-t raw -A OUTPUT -j CT --ctevents new,bogus', /unknown event type "bogus"/],
    ['-t raw -A OUTPUT -j CT --zone 5', /CT --zone is not modelled/],
  ];
  for (const [l, why] of bad) it(`refuses ${l.slice(0, 90)}`, () => assert.match(refused(l), why));
});

describe('iptables extensions, second round (issue 15): what they match and do', () => {
  it('-m ipvs: no IPVS in the model, so only `! --ipvs` holds', () => {
    const p = (): SkBuff => pkt(6, tcp(2));
    assert.strictEqual(one('-A INPUT -m ipvs --ipvs', p()), false);
    assert.strictEqual(one('-A INPUT -m ipvs ! --ipvs', p()), true);
    assert.strictEqual(one('-A INPUT -m ipvs ! --vport 22', p()), false, 'any other test needs ipvs_property first');
  });

  it('-m string finds the pattern between --from and --to, wholly inside, case-blind with --icase', () => {
    const payload = [...'xxGET /admin HTTP'].map((c) => c.charCodeAt(0));
    const p = (): SkBuff => pkt(17, [0, 1, 0, 2, 0, 8 + payload.length, 0, 0, ...payload]);
    // the pattern starts at byte 30 of the packet (20 IP + 8 UDP + 2)
    assert.strictEqual(one('-A INPUT -m string --string "GET /admin" --algo bm', p()), true);
    assert.strictEqual(one('-A INPUT -m string --string "GET /admin" --algo kmp --from 31', p()), false);
    assert.strictEqual(one('-A INPUT -m string --string "GET /admin" --algo kmp --to 39', p()), false, 'the match must end before --to');
    assert.strictEqual(one('-A INPUT -m string --string "GET /admin" --algo kmp --to 40', p()), true);
    assert.strictEqual(one('-A INPUT -m string --string "get /ADMIN" --algo bm', p()), false);
    assert.strictEqual(one('-A INPUT -m string --string "get /ADMIN" --algo bm --icase', p()), true);
    assert.strictEqual(one('-A INPUT -m string ! --hex-string "|47 45 54|" --algo bm', p()), false);
  });

  it('-m realm compares the route realm, 0 for every route of the model; -m helper never finds a master; -m policy holds only for --pol none', () => {
    const p = (): SkBuff => pkt(6, tcp(2));
    assert.strictEqual(one('-A INPUT -m realm --realm 0', p()), true);
    assert.strictEqual(one('-A INPUT -m realm --realm 0x2a', p()), false);
    assert.strictEqual(one('-A INPUT -m realm ! --realm 0x2a/0xff', p()), true);
    assert.strictEqual(one('-A INPUT -m helper --helper ftp', p()), false);
    assert.strictEqual(one('-A INPUT -m helper ! --helper ftp', p()), true);
    assert.strictEqual(one('-A INPUT -m policy --dir in --pol none', p()), true);
    assert.strictEqual(one('-A INPUT -m policy --dir in --pol ipsec', p()), false);
  });

  it('-m mac: no match on loopback (not Ethernet), even inverted', () => {
    assert.strictEqual(one('-A INPUT -m mac ! --mac-source 02:00:00:aa:bb:cc', pkt(6, tcp(2))), false);
  });

  it('-m recent: --set adds the source, --rcheck finds it with --hitcount hits, --remove deletes it; lists are per name', () => {
    const r = loadAll(['-A INPUT -m recent --name a --rcheck', '-A INPUT -m recent --name a --set', '-A INPUT -m recent --name a --rcheck --hitcount 2', '-A INPUT -m recent --name a --remove', '-A INPUT -m recent --name b --rcheck']);
    const [check, set, check2, remove, otherList] = r.rules;
    const from = (s: number): SkBuff => pkt(6, tcp(2), { saddr: s });
    assert.strictEqual(evalRule(r.net, check, from(0x0a000001)), false);
    assert.strictEqual(evalRule(r.net, set, from(0x0a000001)), true);
    assert.strictEqual(evalRule(r.net, check, from(0x0a000001)), true);
    assert.strictEqual(evalRule(r.net, check, from(0x0a000009)), false, 'another address');
    assert.strictEqual(evalRule(r.net, otherList, from(0x0a000001)), false, 'another list');
    assert.strictEqual(evalRule(r.net, check2, from(0x0a000001)), false, 'one hit so far');
    evalRule(r.net, set, from(0x0a000001));
    assert.strictEqual(evalRule(r.net, check2, from(0x0a000001)), true, 'two hits');
    assert.strictEqual(evalRule(r.net, remove, from(0x0a000001)), true);
    assert.strictEqual(evalRule(r.net, check, from(0x0a000001)), false, 'removed');
  });

  it('-m recent --rttl needs the TTL the address was set with', () => {
    const r = loadAll(['-A INPUT -m recent --set', '-A INPUT -m recent --rcheck --rttl']);
    evalRule(r.net, r.rules[0], pkt(6, tcp(2), { ttl: 60 }));
    assert.strictEqual(evalRule(r.net, r.rules[1], pkt(6, tcp(2), { ttl: 61 })), false);
    assert.strictEqual(evalRule(r.net, r.rules[1], pkt(6, tcp(2), { ttl: 60 })), true);
  });

  it('-j ECN --ecn-tcp-remove clears ECE and CWR and keeps the TCP checksum right', () => {
    const skb = withTcpSum(pkt(6, tcp(0x02 | 0x40 | 0x80)));
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j ECN --ecn-tcp-remove', skb), true);
    assert.strictEqual(skb.buf[33], 0x02);
    assert.strictEqual(tcpSum(skb.buf, skb.len), 0xffff);
  });

  it('-j TCPOPTSTRIP overwrites the chosen options with NOPs and keeps the TCP checksum right', () => {
    const skb = withTcpSum(pkt(6, tcp(0x02, [2, 4, 0x05, 0xb4, 4, 2, 1, 0])));
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j TCPOPTSTRIP --strip-options mss', skb), true);
    assert.deepStrictEqual([...skb.buf.subarray(40, 48)], [1, 1, 1, 1, 4, 2, 1, 0]);
    assert.strictEqual(tcpSum(skb.buf, skb.len), 0xffff);
  });

  it('-j CLASSIFY sets skb->priority', () => {
    const skb = pkt(6, tcp(2));
    assert.strictEqual(one('-t mangle -A FORWARD -j CLASSIFY --set-class 1:10', skb), true);
    assert.strictEqual(skb.priority, 0x10010);
  });

  it('-m dccp --dccp-option walks the options after the header; a doff shorter than the header drops', () => {
    // DCCP-Data (type 2, X 0): 12-byte header, doff 4 → 4 bytes of options: type 32 of length 3, then a padding 0
    const dccp = (doff: number): SkBuff => pkt(33, [0, 1, 0, 2, doff, 0, 0, 0, 2 << 1, 0, 0, 0, 32, 3, 9, 0]);
    assert.strictEqual(one('-A INPUT -p dccp -m dccp --dccp-option 32', dccp(4)), true);
    assert.strictEqual(one('-A INPUT -p dccp -m dccp --dccp-option 9', dccp(4)), false, 'a byte inside an option is not an option');
    assert.strictEqual(one('-A INPUT -p dccp -m dccp ! --dccp-option 33', dccp(4)), true);
    assert.strictEqual(one('-A INPUT -p dccp -m dccp --dccp-option 32', dccp(2)), 'NF_DROP');
  });

  it('-m length A: reaches 65535', () => {
    assert.strictEqual(one('-A INPUT -m length --length 30:', pkt(6, tcp(2))), true);
  });
});

describe('iptables NAT, second round (issue 15)', () => {
  it('NETMAP maps the destination network and keeps the host part', () => {
    const t = run(threeHosts({ router: ['iptables -t nat -A PREROUTING -i eth0 -d 10.0.9.0/24 -j NETMAP --to 10.0.2.0/24'] }, 'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.9.2\n'));
    assert.strictEqual(t.packets[0].fate.detail, 'answered with an echo reply');
    const atServer = t.events.find((e) => e.host === 'server' && e.packet === t.packets[0].id && e.fn === 'ip_rcv_core')!;
    assert.strictEqual(ipAt(atServer.skb!.bytes, atServer.skb!.network_header!).daddr, '10.0.2.2');
  });

  it('DNAT PORT-PORT/BASE: the new port is as far into the range as the original is past the base', () => {
    const t = run(threeHosts({ router: ['iptables -t nat -A PREROUTING -i eth0 -p tcp -j DNAT --to-destination 10.0.2.2:1000-1999/3000'] }, 'listen:\n  - server: tcp 1007\ntraffic:\n  - from: client\n    send: tcp connect to 10.0.1.1:3007\n'));
    const s = t.sockets.find((x) => x.host === 'server' && x.local.endsWith(':1007'))!;
    assert.strictEqual(s.accepted?.length, 1);
  });
});

describe('iptables-save form (issue 15)', () => {
  const cases: [string, string][] = [
    ['-A INPUT -p tcp --dport 22 -s 10.1.2.3/8 -j ACCEPT', '-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT'],
    ['-A INPUT -m tcp --dport ssh -p 6 --sport 1024: ! -i lo', '! -i lo -p tcp -m tcp --sport 1024:65535 --dport 22'],
    ['-A INPUT -p tcp --syn -j DROP', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP'],
    ['-A INPUT -d 10.1.2.3/255.0.255.0 -j REJECT', '-d 10.0.2.0/255.0.255.0 -j REJECT --reject-with icmp-port-unreachable'],
    ['-A OUTPUT -j MARK --set-mark 1', '-j MARK --set-xmark 0x1/0xffffffff'],
    ['-A INPUT -m comment --comment "two words" -m mark --mark 4294967295/0xff', '-m comment --comment "two words" -m mark --mark 0xffffffff/0xff'],
    ['-A INPUT -m recent --update --rttl', '-m recent --update --rttl --name DEFAULT --mask 255.255.255.255 --rsource'],
    ['-A INPUT -m string --algo bm --to 65535 --string test', '-m string --string "test" --algo bm'],
    ['-A INPUT -m ipvs ! --vaddr 1.2.3.4/255.255.0.0 --vproto UDP', '-m ipvs --vproto 17 ! --vaddr 1.2.3.4/16'],
    ['-A INPUT -j LOG --log-level alert --log-prefix "in: "', '-j LOG --log-prefix "in: " --log-level 1'],
    ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:10-20/ftp', '-p tcp -j DNAT --to-destination 1.2.3.4:10-20/21'],
    ['-t mangle -A FORWARD -j CLASSIFY --set-class 1:10', '-j CLASSIFY --set-class 0001:0010'],
    ['-A INPUT -p dccp -m dccp --dccp-option 4 --dccp-types ack,REQUEST --dport 5:', '-p dccp -m dccp --dport 5:65535 --dccp-types REQUEST,ACK --dccp-option 4'],
  ];
  for (const [line, want] of cases)
    it(`${line} prints as ${want}`, () => {
      const r = loadAll([line]);
      assert.strictEqual(saveRuleSpec(r.rules[0]), want);
    });

  it('a dump: tables in iptables-nft order, chains with policy and counters, COMMIT', () => {
    const r = loadAll(['-P FORWARD DROP', '-N LOGDROP', '-A LOGDROP -j DROP', '-t nat -A POSTROUTING -o eth1 -j MASQUERADE']);
    assert.strictEqual(iptablesSave(NfEngine.of(r.net)), ['*filter', ':FORWARD DROP [0:0]', ':LOGDROP - [0:0]', '-A LOGDROP -j DROP', 'COMMIT', '*nat', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -o eth1 -j MASQUERADE', 'COMMIT', ''].join('\n'));
  });

  it('netstack ruleset prints each host after `# host H`', async () => {
    const out: string[] = [];
    const code = await main(['ruleset', 'examples/nf-redirect.yaml', '--host', 'router'], (s) => out.push(s), () => undefined);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(out, ['# host router', '*nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128', 'COMMIT']);
  });
});

describe('examples of the second round (issue 15; both agree with the kernel, 6.18.44)', () => {
  it('nf-string-recent: the UDP with "secret" is dropped, the other delivered; the third ping is dropped', () => {
    const t = runExample('nf-string-recent.yaml');
    const udp = t.packets.filter((p) => /UDP/.test(p.summary) && !/from/.test(p.summary));
    assert.deepStrictEqual(udp.map((p) => [p.fate.kind, p.fate.host]), [['dropped', 'router'], ['delivered', 'server']]);
    const pings = t.packets.filter((p) => /echo request/.test(p.summary));
    assert.deepStrictEqual(pings.map((p) => p.fate.kind), ['consumed', 'consumed', 'dropped'], 'answered, answered, dropped by the router');
  });

  it('nf-netmap-dnat-base: 10.0.1.1:3007 reaches the server at 1007, 10.0.9.2:1007 at 10.0.2.2', () => {
    const t = runExample('nf-netmap-dnat-base.yaml');
    const s = t.sockets.find((x) => x.host === 'server' && x.local.endsWith(':1007'))!;
    assert.strictEqual(s.accepted?.length, 2);
    assert.strictEqual(t.packets.filter((p) => p.fate.detail === 'connection established').length, 2);
  });
});
