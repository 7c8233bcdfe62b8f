// ip6tables -t nat and -t mangle (iptables.ts with the ip6 family, ip6tables_nat.ts): NAT66 through
// the same nf_nat_setup_info as nft's ip6 nat chains, the mangle OUTPUT route chain
// (nf_route_table_hook6), ip6tables-save's forms, and what ip6tables 1.8.9 refuses.
import * as assert from 'assert';
import { errAt, fromClient, run, threeHosts6 } from './helpers';
import type { Trace } from '../../../src/trace/contract';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { iptablesSave } from '../../../src/scenario/netfilter/iptables_save';
import { ScenarioError } from '../../../src/scenario/types';

/** client — router — server (threeHosts6) with a second server address 2001:db8:2::21, listening on tcp 80 and udp 5300 */
const six = (router: string[], traffic: string[], o: { back?: boolean; client?: string[] } = {}): string =>
  threeHosts6({ router, client: o.client, server: ['ip -6 addr add 2001:db8:2::21/64 dev eth0 nodad'], back: o.back }, `listen:\n  - server: tcp [::]:80\n  - server: udp [::]:5300\ntraffic:\n${fromClient(traffic)}`);

/** The server-side address and port of the first segment or datagram the server's stack receives. */
function atServer(t: Trace, fn: string): string {
  const ev = t.events.find((e) => e.host === 'server' && e.fn === fn && e.skb);
  assert.ok(ev, `${fn} on the server`);
  const b = Uint8Array.from(ev!.skb!.bytes.match(/../g)!.map((x) => parseInt(x, 16)));
  const nh = ev!.skb!.network_header!;
  const hex = (o: number): string => Array.from({ length: 8 }, (_, i) => ((b[o + 2 * i] << 8) | b[o + 2 * i + 1]).toString(16)).join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return `${hex(nh + 8)} ${hex(nh + 24)} ${(b[nh + 40] << 8) | b[nh + 41]}>${(b[nh + 42] << 8) | b[nh + 43]}`;
}

function save(lines: string[]): string {
  const net = new World().addHost('h');
  for (const l of lines) runIptables(net, splitFileLine(`ip6tables ${l}`, 'x', 1), 'ip6');
  return iptablesSave(NfEngine.of(net), 'ip6');
}

function refused(line: string): string {
  try {
    save([line]);
  } catch (e) {
    if (e instanceof ScenarioError) return e.detail;
    throw e;
  }
  return 'accepted';
}

describe('ip6tables -t nat and -t mangle', () => {
  it('DNAT --to-destination [addr]:port forwards the router\'s port to the server, and the answer comes back from it', () => {
    const t = run(six(['ip6tables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination [2001:db8:2::20]:80'], ['tcp connect to [2001:db8:1::1]:8080 from :40000']));
    assert.match(atServer(t, 'tcp_v6_rcv'), /^2001:db8:1::10 2001:db8:2::20 40000>80$/);
    // the SYN-ACK is un-NATed: the client's socket completes its connect to the router's port
    assert.ok(t.events.some((e) => e.host === 'client' && /ESTABLISHED/.test(e.what)), 'client established');
  });

  it('without the rule the SYN stays with the router (no listener there): the rule is what changes it', () => {
    const t = run(six([], ['tcp connect to [2001:db8:1::1]:8080 from :40000']));
    assert.ok(!t.events.some((e) => e.host === 'server' && e.fn === 'tcp_v6_rcv'));
  });

  it('MASQUERADE hides the client behind the router\'s eth1 address; the server answers with no route to the client', () => {
    const t = run(six(['ip6tables -t nat -A POSTROUTING -o eth1 -j MASQUERADE'], ['udp to [2001:db8:2::20]:5300 from :5000 payload q', 'icmp echo-request to 2001:db8:2::20'], { back: false }));
    assert.match(atServer(t, '__udp6_lib_rcv'), /^2001:db8:2::1 2001:db8:2::20 5000>5300$/);
    assert.ok(t.packets.some((p) => p.summary.includes('echo reply') && p.fate.host === 'client'), 'the echo reply reaches the client');
  });

  it('SNAT --to-source [addr]:port-range moves the source port into the range', () => {
    const t = run(six(['ip6tables -t nat -A POSTROUTING -o eth1 -p udp -j SNAT --to-source [2001:db8:2::1]:7000-7010'], ['udp to [2001:db8:2::20]:5300 from :5000 payload q'], { back: false }));
    assert.match(atServer(t, '__udp6_lib_rcv'), /^2001:db8:2::1 2001:db8:2::20 7000>5300$/);
    // the kernel starts that search at a random offset (get_random_u16): the trace says the model's port is a stand-in
    assert.ok(t.events.some((e) => e.fn === 'nf_nat_setup_info' && /random offset .* the start of the range, 7000/.test(e.what)));
  });

  it('a source port already in the range stays, and nothing is drawn at random', () => {
    const t = run(six(['ip6tables -t nat -A POSTROUTING -o eth1 -p udp -j SNAT --to-source [2001:db8:2::1]:4000-6000'], ['udp to [2001:db8:2::20]:5300 from :5000 payload q'], { back: false }));
    assert.match(atServer(t, '__udp6_lib_rcv'), /^2001:db8:2::1 2001:db8:2::20 5000>5300$/);
    assert.ok(!t.events.some((e) => /random offset/.test(e.what)));
  });

  it('DNAT [addr]:lo-hi/base offsets the port by how far the original is past base (NF_NAT_RANGE_PROTO_OFFSET)', () => {
    const t = run(six(['ip6tables -t nat -A PREROUTING -i eth0 -p udp --dport 6000:6100 -j DNAT --to-destination [2001:db8:2::20]:5290-5310/6000'], ['udp to [2001:db8:1::1]:6010 from :5000 payload q']));
    assert.match(atServer(t, '__udp6_lib_rcv'), /^2001:db8:1::10 2001:db8:2::20 5000>5300$/);
  });

  it('DNAT to an address range picks one by find_best_ips_proto, not the first blindly', () => {
    const t = run(six(['ip6tables -t nat -A PREROUTING -i eth0 -p udp -j DNAT --to-destination 2001:db8:2::20-2001:db8:2::21'], ['udp to [2001:db8:1::1]:5300 from :5000 payload q']));
    assert.match(atServer(t, '__udp6_lib_rcv'), /^2001:db8:1::10 2001:db8:2::2[01] 5000>5300$/);
  });

  it('REDIRECT --to-ports sends a forwarded datagram to the router\'s own port', () => {
    const t = run(six(['ip6tables -t nat -A PREROUTING -i eth0 -p udp --dport 53 -j REDIRECT --to-ports 5353'], ['udp to [2001:db8:2::20]:53 from :5000 payload q']));
    assert.ok(!t.events.some((e) => e.host === 'server' && e.fn === '__udp6_lib_rcv'), 'not forwarded');
    assert.ok(t.events.some((e) => e.host === 'router' && e.fn === '__udp6_lib_rcv'), 'delivered on the router');
  });

  it('mangle OUTPUT is a route chain: a MARK that changes the mark routes the packet again (nf_route_table_hook6), one that keeps it does not', () => {
    const out = run(six([], ['udp to [2001:db8:2::20]:5300 from :5000 payload q'], { client: ['ip6tables -t mangle -A OUTPUT -j MARK --set-mark 7'] }));
    assert.ok(out.events.some((e) => e.host === 'client' && e.fn === 'nf_route_table_hook6'));
    assert.ok(out.events.some((e) => e.host === 'client' && e.fn === 'ip6_route_me_harder' && /mark 0x7/.test(e.what)));
    const same = run(six([], ['udp to [2001:db8:2::20]:5300 from :5000 payload q'], { client: ['ip6tables -t mangle -A OUTPUT -j MARK --set-mark 0'] }));
    assert.ok(!same.events.some((e) => e.host === 'client' && e.fn === 'ip6_route_me_harder'), 'an unchanged mark is not routed again');
  });

  it('CONNMARK on IPv6 conntrack: --set-mark on the first packet, --restore-mark on the reply', () => {
    const t = run(six(['ip6tables -t mangle -A FORWARD -i eth0 -j CONNMARK --set-mark 0x42', 'ip6tables -t mangle -A FORWARD -i eth1 -j CONNMARK --restore-mark', 'ip6tables -A FORWARD -i eth1 -m mark --mark 0x42 -j DROP'], ['icmp echo-request to 2001:db8:2::20']));
    const reply = t.packets.find((p) => p.summary.includes('echo reply'))!;
    assert.strictEqual(reply.fate.host, 'router');
    assert.strictEqual(reply.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
  });

  it('ip6tables-save prints libxt_NAT\'s forms', () => {
    const dump = save([
      '-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [2001:db8::2]:8080',
      '-t nat -A PREROUTING -p tcp --dport 82 -j DNAT --to-destination 2001:db8::2-2001:db8::5',
      '-t nat -A PREROUTING -p tcp --dport 83 -j DNAT --to-destination [2001:db8::2-2001:db8::5]:100-200',
      '-t nat -A PREROUTING -p tcp --dport 84 -j DNAT --to-destination [2001:db8::2]:100-200/150',
      '-t nat -A PREROUTING -j DNAT --to-destination [2001:db8::1]',
      '-t nat -A PREROUTING -p udp --dport 85 -j REDIRECT --to-ports 5353',
      '-t nat -A POSTROUTING -o lo -j MASQUERADE',
      '-t nat -A POSTROUTING -p udp -j SNAT --to-source [2001:db8::1]:1000-2000 --persistent',
      '-t mangle -A PREROUTING -j MARK --set-mark 5',
    ]);
    assert.strictEqual(
      dump,
      [
        '*mangle',
        ':PREROUTING ACCEPT [0:0]',
        '-A PREROUTING -j MARK --set-xmark 0x5/0xffffffff',
        'COMMIT',
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination [2001:db8::2]:8080',
        '-A PREROUTING -p tcp -m tcp --dport 82 -j DNAT --to-destination 2001:db8::2-2001:db8::5',
        '-A PREROUTING -p tcp -m tcp --dport 83 -j DNAT --to-destination [2001:db8::2-2001:db8::5]:100-200',
        '-A PREROUTING -p tcp -m tcp --dport 84 -j DNAT --to-destination [2001:db8::2]:100-200/150',
        '-A PREROUTING -j DNAT --to-destination 2001:db8::1',
        '-A PREROUTING -p udp -m udp --dport 85 -j REDIRECT --to-ports 5353',
        '-A POSTROUTING -o lo -j MASQUERADE',
        '-A POSTROUTING -p udp -j SNAT --to-source [2001:db8::1]:1000-2000 --persistent',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('refuses in ip6tables 1.8.9\'s words what it refuses, and says "not modelled" for the rest', () => {
    assert.match(refused('-t nat -A POSTROUTING -j SNAT --to-source [2001:db8::1]:1000'), /^Need TCP, UDP, SCTP or DCCP with port specification$/);
    assert.match(refused('-t nat -A POSTROUTING -j MASQUERADE --to-ports 100'), /^Need TCP, UDP, SCTP or DCCP with port specification$/);
    assert.match(refused('-t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1'), /^Bad IP address "10.0.0.1"$/);
    assert.match(refused('-t nat -A PREROUTING -j DNAT'), /DNAT: option "--to-destination" must be specified/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1'), /^Invalid address format$/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:'), /^Port `' not valid$/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:200-100'), /^Port range `100' funky$/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:70000'), /^Port `70000' not valid$/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:100/5'), /^Garbage after port value: `\/5'$/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:100-200/0'), /^Port `0' not valid$/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 200-100'), /^Port range `100' funky$/);
    assert.match(refused('-t nat -A PREROUTING -j SNAT --to-source 2001:db8::9'), /only valid in POSTROUTING\/INPUT/);
    assert.match(refused('-t nat -A OUTPUT -j MASQUERADE'), /only valid in POSTROUTING/);
    assert.match(refused('-A OUTPUT -j MASQUERADE'), /only valid in the nat table/);
    // accepted by ip6tables, not taken by the model
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:0'), /port 0 in a NAT range is not modelled/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]x'), /is not modelled/);
    assert.match(refused('-t nat -A PREROUTING -p tcp -j DNAT --to-destination 2001:db8::5-2001:db8::1'), /reversed address range .* is not modelled/);
    assert.match(refused('-t nat -A POSTROUTING -p tcp -j SNAT --to-source [2001:db8::1]:100-200/150'), /base port .* on SNAT is not modelled/);
    assert.match(refused('-t nat -A POSTROUTING -p sctp -j SNAT --to-source [2001:db8::1]:100'), /SCTP ports is not modelled/);
    assert.match(refused('-t nat -A POSTROUTING -p tcp -j SNAT --to-source 2001:db8::1 --random-fully'), /--random-fully is not modelled/);
    assert.match(refused('-t security -A INPUT -j ACCEPT'), /-t security is not modelled/);
    assert.match(refused('-t mangle -A POSTROUTING -j TTL --ttl-set 5'), /Couldn't load target `TTL'/);
    assert.strictEqual(refused('-t mangle -A POSTROUTING -j HL --hl-set 5'), 'accepted');
    assert.strictEqual(refused('-t mangle -A POSTROUTING -j CONNMARK --save-mark'), 'accepted');
  });

  it('the refusal is at the option\'s position in a scenario', () => {
    const e = errAt(six(['ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:200-100'], []));
    assert.strictEqual(e.col, '    ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination '.length + 1);
  });
});
