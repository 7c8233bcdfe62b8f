import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import { ROOT, ipAt, ipCsumOk, nfEvents, run, runExample, threeHosts } from './helpers';

describe('netfilter: conntrack and NAT', () => {
  it('DNAT rewrites the first packet at PRE_ROUTING, later packets follow the binding, replies are un-NATed', () => {
    const t = runExample('nf-dnat-port-forward.yaml');
    const syn = t.packets[0];
    assert.strictEqual(syn.fate.host, 'server');
    const ev = nfEvents(t, 'router', syn.id);
    const before = ev.find((e) => e.fn === 'nf_nat_packet')!;
    const after = ev.find((e) => e.fn === 'nf_nat_ipv4_manip_pkt')!;
    const b = ipAt(before.skb!.bytes, before.skb!.network_header!);
    const a = ipAt(after.skb!.bytes, after.skb!.network_header!);
    assert.deepStrictEqual([b.daddr, b.dport], ['10.0.1.1', 8080]);
    assert.deepStrictEqual([a.daddr, a.dport], ['10.0.2.2', 80]);
    assert.ok(ipCsumOk(a.bytes, after.skb!.network_header!), 'the IP checksum is updated');
    assert.strictEqual(after.hook!.hook, 'NF_INET_PRE_ROUTING');
    // the nat chain's rule ran for the SYN only
    const ruleRuns = t.events.filter((e) => e.host === 'router' && e.fn === 'nft_do_chain' && e.hook?.rule === 'iifname "eth0" tcp dport 8080 counter dnat to 10.0.2.2:80');
    assert.deepStrictEqual(ruleRuns.map((e) => e.packet), [syn.id]);
    // the handshake completes: the SYN-ACK reached the client as 10.0.1.1:8080 with right checksums
    const synack = t.packets.find((p) => /\[S\.\]/.test(p.summary))!;
    assert.strictEqual(synack.fate.detail, 'connection established');
    const unnat = t.events.filter((e) => e.packet === synack.id && e.fn === 'nf_nat_ipv4_manip_pkt');
    assert.strictEqual(unnat.length, 1);
    const u = ipAt(unnat[0].skb!.bytes, unnat[0].skb!.network_header!);
    assert.deepStrictEqual([u.saddr, u.sport, unnat[0].hook!.hook], ['10.0.1.1', 8080, 'NF_INET_POST_ROUTING']);
    assert.ok(t.packets.some((p) => p.fate.detail === 'handshake complete'));
  });

  it('conntrack: NEW, then ESTABLISHED_REPLY, then ESTABLISHED; confirm at the last hook', () => {
    const t = runExample('nf-dnat-port-forward.yaml');
    const states = t.events.filter((e) => e.host === 'router' && e.fn === 'nf_conntrack_in').map((e) => e.skb!.ct);
    assert.deepStrictEqual(states, ['IP_CT_NEW', 'IP_CT_ESTABLISHED_REPLY', 'IP_CT_ESTABLISHED']);
    const confirm = t.events.filter((e) => e.host === 'router' && e.fn === '__nf_conntrack_confirm');
    assert.strictEqual(confirm[0].hook!.priority, 2147483647);
    assert.match(confirm[0].what, /enters the conntrack table/);
  });

  it('masquerade: the server sees the router as the source and the reply goes back to the client', () => {
    const t = runExample('nf-masquerade-lan.yaml');
    const req = t.packets[0];
    assert.strictEqual(req.fate.detail, 'answered with an echo reply');
    const atServer = t.events.find((e) => e.host === 'server' && e.packet === req.id && e.fn === 'ip_rcv_core')!;
    assert.strictEqual(ipAt(atServer.skb!.bytes, atServer.skb!.network_header!).saddr, '10.0.2.1');
    const reply = t.packets.find((p) => /echo reply/.test(p.summary))!;
    assert.deepStrictEqual([reply.fate.kind, reply.fate.host], ['delivered', 'client']);
  });

  it('REDIRECT sends the connection to the local proxy port', () => {
    const t = runExample('nf-redirect.yaml');
    assert.strictEqual(t.packets[0].fate.host, 'router');
    const s = t.sockets.find((x) => x.host === 'router' && x.local.endsWith(':3128'))!;
    assert.deepStrictEqual(s.accepted, ['10.0.1.2:32768']);
  });

  it('stateful firewall: the LAN connection is established, the outside ping dies on the policy', () => {
    const t = runExample('nf-stateful-firewall.yaml');
    assert.ok(t.packets.some((p) => p.fate.detail === 'connection established'));
    const outside = t.packets.filter((p) => /10\.0\.2\.2 > 10\.0\.1\.2: ICMP echo request/.test(p.summary));
    assert.ok(outside.length > 0);
    for (const p of outside) assert.deepStrictEqual([p.fate.host, p.fate.reason], ['router', 'SKB_DROP_REASON_NETFILTER_DROP']);
    const pol = t.events.find((e) => e.packet === outside[0].id && e.hook?.rule === 'policy drop')!;
    assert.strictEqual(pol.hook!.verdict, 'NF_DROP');
  });

  it('notrack in raw: no conntrack entry, ct state untracked matches', () => {
    const t = runExample('nf-raw-notrack.yaml');
    assert.strictEqual(t.packets[0].fate.kind, 'delivered');
    const ev = nfEvents(t, 'server', 1);
    assert.strictEqual(ev.find((e) => e.hook!.rule === 'ct state untracked counter accept')!.hook!.verdict, 'NF_ACCEPT');
    assert.match(ev.find((e) => e.fn === 'nf_conntrack_in')!.what, /untracked/);
  });

  it('a mark set in PREROUTING decides the route through ip rule fwmark', () => {
    const t = runExample('nf-fwmark-routing.yaml');
    const udp = t.packets.find((p) => /UDP/.test(p.summary))!;
    const ping = t.packets.find((p) => /echo request/.test(p.summary))!;
    assert.strictEqual(udp.fate.host, 'dns');
    assert.strictEqual(ping.fate.host, 'server');
    const route = t.events.find((e) => e.host === 'router' && e.packet === udp.id && e.fn === 'ip_mkroute_input')!;
    assert.match(route.what, /table 100/);
  });

  it('DNAT on LOCAL_OUT re-routes the packet (ip_route_me_harder) and the reply is un-NATed on LOCAL_IN', () => {
    const t = runExample('nf-output-dnat.yaml');
    const syn = t.packets[0];
    assert.strictEqual(syn.fate.host, 'router');
    const rr = t.events.find((e) => e.packet === syn.id && e.fn === 'ip_route_me_harder')!;
    assert.strictEqual(rr.skb!.dst, 'unicast 10.0.1.1 dev eth0 (ip_output)');
    const order = t.events.filter((e) => e.packet === syn.id && e.host === 'client' && ['nf_conntrack_in', 'nf_nat_ipv4_manip_pkt', 'ip_route_me_harder', '__nf_conntrack_confirm'].includes(e.fn)).map((e) => e.fn);
    assert.deepStrictEqual(order, ['nf_conntrack_in', 'nf_nat_ipv4_manip_pkt', 'ip_route_me_harder', '__nf_conntrack_confirm']);
    const synack = t.packets.find((p) => /\[S\.\]/.test(p.summary))!;
    assert.strictEqual(synack.fate.detail, 'connection established');
    const unnat = t.events.find((e) => e.packet === synack.id && e.fn === 'nf_nat_ipv4_manip_pkt')!;
    assert.strictEqual(unnat.hook!.hook, 'NF_INET_LOCAL_IN');
    const u = ipAt(unnat.skb!.bytes, unnat.skb!.network_header!);
    assert.deepStrictEqual([u.saddr, u.sport], ['10.0.2.2', 8080]);
  });

  it('a mark set in an output chain of type route re-routes; the same rule in a filter chain does not', () => {
    const t = runExample('nf-output-mark-reroute.yaml');
    assert.deepStrictEqual([t.packets[0].fate.kind, t.packets[0].fate.host], ['delivered', 'client']);
    const rr = t.events.find((e) => e.fn === 'ip_route_me_harder')!;
    assert.match(rr.what, /mark 0x1 \(table 100\)/);
    assert.strictEqual(rr.skb!.mark, 1);
    const text = fs.readFileSync(path.join(ROOT, 'examples', 'nf-output-mark-reroute.yaml'), 'utf8').replace('type route hook output', 'type filter hook output');
    const t2 = runScenarioText(text, 'x.yaml');
    assert.ok(!t2.events.some((e) => e.fn === 'ip_route_me_harder'));
    assert.strictEqual(t2.packets[0].fate.host, 'server');
  });

  it('an ICMP error about a masqueraded datagram: quoted packet and outer header are translated back', () => {
    const t = runExample('nf-masquerade-icmp-error.yaml');
    const err = t.packets.find((p) => /port unreachable/.test(p.summary))!;
    assert.strictEqual(err.fate.detail, 'error ECONNREFUSED for 10.0.1.2:32768');
    const tr = t.events.filter((e) => e.packet === err.id && e.fn === 'nf_nat_icmp_reply_translation' && e.hook!.hook === 'NF_INET_PRE_ROUTING');
    assert.strictEqual(tr.length, 2);
    const nh = tr[1].skb!.network_header!;
    const outer = ipAt(tr[1].skb!.bytes, nh);
    const inner = ipAt(tr[1].skb!.bytes, nh + 28);
    assert.deepStrictEqual([outer.daddr, inner.saddr, inner.sport], ['10.0.1.2', '10.0.1.2', 32768]);
    assert.ok(ipCsumOk(outer.bytes, nh) && ipCsumOk(outer.bytes, nh + 28), 'both IP header checksums are right');
    // the ICMP checksum over the rewritten message is right
    let sum = 0;
    const b = outer.bytes;
    const end = nh + ((b[nh + 2] << 8) | b[nh + 3]);
    for (let i = nh + 20; i < end; i += 2) sum += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    assert.strictEqual(sum, 0xffff);
  });

  it('SNAT on LOCAL_IN (iptables -t nat -A INPUT -j SNAT): the socket sees the new source', () => {
    const t = run(threeHosts({ server: ['iptables -t nat -A INPUT -p udp --dport 9000 -j SNAT --to-source 10.0.2.77:5000'] }, 'listen:\n  - server: udp 9000\ntraffic:\n  - from: client\n    send: udp to 10.0.2.2:9000 payload hi\n'));
    const s = t.sockets.find((x) => x.host === 'server')!;
    assert.deepStrictEqual(s.received.map((r) => r.from), ['10.0.2.77:5000']);
    const m = t.events.find((e) => e.fn === 'nf_nat_ipv4_manip_pkt')!;
    assert.deepStrictEqual([m.hook!.hook, m.hook!.priority], ['NF_INET_LOCAL_IN', 100]);
  });
});
