// NAT66 completed (issue 14): redirect of IPv6 packets (nf_nat_redirect_ipv6), DNAT of locally
// sent packets routed again (ip6_route_me_harder), and address ranges (find_best_ips_proto).
import * as assert from 'assert';
import { errAt, run, runExample, twoHosts } from './helpers';
import { parseIpv6, formatIpv6 } from '../../../src/trace/ipv6';
import { inet6, type InetAddr } from '../../../src/model/proto/inet_addr';
import { find_best_ips_proto } from '../../../src/model/net/netfilter/nf_nat';
import type { Tuple } from '../../../src/model/net/netfilter/nf_conntrack';

const a6 = (s: string): InetAddr => inet6(parseIpv6(s)!);
const text = (a: InetAddr): string => (a.family === 'ipv6' ? formatIpv6(a.v6) : String(a.v4));
const udp = (src: string, dst: string): Tuple => ({ src: a6(src), dst: a6(dst), proto: 17, sport: 5000, dport: 53 });
const bindings = (t: ReturnType<typeof run>, host: string): string[] => t.events.filter((e) => e.host === host && e.fn === 'nf_nat_setup_info').map((e) => e.what);

describe('NAT66 redirect (nf_nat_redirect_ipv6)', () => {
  it('a forwarded SYN is bound to the newest global address of the input device; the router\'s own to ::1, routed again over lo', () => {
    const t = runExample('ipv6-nat66-redirect.yaml');
    const b = bindings(t, 'router');
    assert.match(b[0], /becomes tcp6 \[2001:db8:1::10\]:40001 → \[2001:db8:1::2\]:8080/);
    assert.match(b[1], /redirect: ::1 for a local packet.*→ \[::1\]:8080/);
    assert.ok(t.events.some((e) => e.host === 'router' && e.fn === 'ip6_route_me_harder' && /now "[^"]*lo/.test(e.what)));
    // both connections are accepted by the router's proxy; nothing reaches the server
    assert.strictEqual(t.counters.router.TcpPassiveOpens, 2);
    assert.strictEqual(t.counters.server.TcpPassiveOpens, undefined);
    assert.strictEqual(t.counters.client.TcpActiveOpens, 1);
  });
});

describe('DNAT66 of a locally sent packet (nf_nat_ipv6_local_fn → ip6_route_me_harder)', () => {
  it('the SYN goes out of the new route\'s device: the server accepts, the decoy sees nothing', () => {
    const t = runExample('ipv6-nat66-dnat-local.yaml');
    assert.ok(t.events.some((e) => e.host === 'client' && e.fn === 'ip6_route_me_harder' && /now "[^"]*eth0/.test(e.what)));
    assert.strictEqual(t.counters.server.TcpPassiveOpens, 1);
    assert.strictEqual(t.counters.decoy.TcpPassiveOpens, undefined);
    assert.strictEqual(t.counters.client.TcpActiveOpens, 1);
  });

  it('no route to the new destination: Ip6OutNoRoutes and the packet is dropped', () => {
    const t = run(
      twoHosts({
        a: ['nft add table ip6 n', "nft add chain ip6 n out '{ type nat hook output priority -100; }'", 'nft add rule ip6 n out udp dport 53 dnat to 2001:db8:77::1'],
        listen: ['- b: udp [::]:53'],
        traffic: ['- from: a', '  send: udp to [2001:db8:1::2]:53'],
      }),
    );
    assert.strictEqual(t.counters.a.Ip6OutNoRoutes, 1);
    assert.strictEqual(t.counters.b.Udp6InDatagrams, undefined);
    assert.ok(t.packets.some((p) => p.fate.kind === 'dropped' && p.fate.host === 'a'));
  });
});

describe('NAT66 address ranges (find_best_ips_proto)', () => {
  const lo = a6('2001:db8:99::1');
  const hi = a6('2001:db8:99::ff');
  it('the choice is a pure function of the tuple, inside the range, and spreads sources', () => {
    const got = new Set<string>();
    for (let i = 1; i <= 40; i++) {
      const t = udp(`2001:db8:1::${i.toString(16)}`, '2001:db8:2::20');
      const x = text(find_best_ips_proto(t, lo, hi, false));
      assert.strictEqual(text(find_best_ips_proto(t, lo, hi, false)), x);
      assert.match(x, /^2001:db8:99::([1-9a-f]|[1-9a-f][0-9a-f])$/);
      got.add(x);
    }
    assert.ok(got.size > 20, `40 sources took ${got.size} addresses`);
  });

  it('persistent leaves the destination out; without it the destination changes the choice', () => {
    const s = '2001:db8:1::10';
    const dsts = ['2001:db8:2::20', '2001:db8:2::21', '2001:db8:5::7', '2001:db8:2::99'];
    const p = new Set(dsts.map((d) => text(find_best_ips_proto(udp(s, d), lo, hi, true))));
    const n = new Set(dsts.map((d) => text(find_best_ips_proto(udp(s, d), lo, hi, false))));
    assert.strictEqual(p.size, 1);
    assert.ok(n.size > 1);
  });

  it('a range across a word boundary stays inside it', () => {
    const l = a6('2001:db8::ffff:fff0');
    const h = a6('2001:db8::1:0:0:10');
    const low = BigInt('0x' + Buffer.from(parseIpv6('2001:db8::ffff:fff0')!).toString('hex'));
    const high = BigInt('0x' + Buffer.from(parseIpv6('2001:db8::1:0:0:10')!).toString('hex'));
    for (let i = 1; i <= 30; i++) {
      const r = find_best_ips_proto(udp(`2001:db8:1::${i}`, '2001:db8:2::20'), l, h, false);
      const v = BigInt('0x' + Buffer.from((r as { v6: Uint8Array }).v6).toString('hex'));
      assert.ok(v >= low && v <= high, text(r));
    }
  });

  it('ipv6-nat66-snat-range: each client leaves with its hashed address and a source already in the range is kept', () => {
    const t = runExample('ipv6-nat66-snat-range.yaml');
    const b = bindings(t, 'router');
    assert.strictEqual(b.length, 4);
    for (const w of b) assert.match(w, /becomes (udp6|tcp6) \[2001:db8:99::[0-9a-f]{1,2}\]:/);
    const addr = (w: string): string => /becomes \w+ \[([^\]]+)\]/.exec(w)![1];
    const udpTuple = udp('2001:db8:1::10', '2001:db8:2::20');
    assert.strictEqual(addr(b[0]), text(find_best_ips_proto(udpTuple, lo, hi, false)));
    assert.strictEqual(addr(b[2]), text(find_best_ips_proto({ ...udpTuple, proto: 6 }, lo, hi, true)));
    const kept = run(`name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:99::5/64 dev eth0 nodad
    ip link set eth0 up
    nft add table ip6 n
    nft add chain ip6 n post '{ type nat hook postrouting priority 100; }'
    nft add rule ip6 n post snat to 2001:db8:99::1-2001:db8:99::ff
  b: |
    ip -6 addr add 2001:db8:99::2/64 dev eth0 nodad
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: udp to [2001:db8:99::2]:53 from :5000
`);
    assert.match(bindings(kept, 'a')[0], /becomes udp6 \[2001:db8:99::5\]:5000/);
  });

  it('a range with ports, [LO]-[HI]:P-Q: the address as find_best_ips_proto picks it, the port moved into the range', () => {
    const t = run(
      twoHosts({
        a: ['nft add table ip6 n', "nft add chain ip6 n post '{ type nat hook postrouting priority 100; }'", 'nft add rule ip6 n post meta l4proto udp snat to [2001:db8:1::1]-[2001:db8:1::9]:7000-7010'],
        traffic: ['- from: a', '  send: udp to [2001:db8:1::2]:53 from :5000'],
      }),
    );
    const b = bindings(t, 'a')[0];
    const m = /becomes udp6 \[([^\]]+)\]:(\d+)/.exec(b)!;
    assert.strictEqual(m[1], text(find_best_ips_proto(udp('2001:db8:1::1', '2001:db8:1::2'), a6('2001:db8:1::1'), a6('2001:db8:1::9'), false)));
    assert.strictEqual(m[2], '7000');
    const e = errAt(twoHosts({ a: ['nft add table ip6 n', "nft add chain ip6 n post '{ type nat hook postrouting priority 100; }'", 'nft add rule ip6 n post snat to [2001:db8:1::1]-[2001:db8:1::9]:7000'], traffic: [] }));
    assert.match(e.detail, /transport protocol mapping is only valid after transport protocol match/);
  });
});
