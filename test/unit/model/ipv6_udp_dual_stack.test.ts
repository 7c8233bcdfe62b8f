// Dual-stack UDP (issue 14): an AF_INET6 socket bound to :: without IPV6_V6ONLY takes IPv4
// datagrams (__udp4_lib_lookup meets it in udptable), behind any IPv4 socket on the port;
// udpv6_recvmsg reports them from ::ffff:a.b.c.d with IPv4's counters.
import * as assert from 'assert';
import { runExample } from './helpers';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const received = (t: Trace, host: string): Record<string, string[]> =>
  Object.fromEntries(t.sockets.filter((s) => s.host === host).map((s) => [s.local, s.received.map((r) => `${r.from} ${r.data}`)]));

function pair(o: { sysctl?: string; listen: string[]; traffic: string[] }): string {
  return `name: t
hosts:
  a: |
    ip addr add 10.0.0.1/24 dev eth0
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
${o.sysctl ? `    ${o.sysctl}\n` : ''}    ip addr add 10.0.0.2/24 dev eth0
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
links:
  - a:eth0 b:eth0
listen:
${o.listen.map((l) => `  - b: ${l}\n`).join('')}traffic:
${o.traffic.map((x) => `  - from: a\n    send: ${x}\n`).join('')}`;
}

describe('dual-stack UDP (udp_v6 sockets in __udp4_lib_lookup)', () => {
  it('ipv6-udp-dual-stack: v4-mapped delivery, the IPv4 socket first, bindv6only=1 refuses IPv4', () => {
    const t = runExample('ipv6-udp-dual-stack');
    assert.deepStrictEqual(received(t, 'server'), {
      '[::]:53': ['[::ffff:192.168.1.10]:5000 four', '[2001:db8:1::10]:5000 six'],
      '0.0.0.0:5353': ['192.168.1.10:5001 four'],
      '[::]:5353': ['[2001:db8:1::10]:5001 six'],
    });
    assert.deepStrictEqual(received(t, 'strict'), { '[::]:53': ['[2001:db8:2::10]:5002 six'] });
    assert.strictEqual(t.counters.server.UdpInDatagrams, 2);
    assert.strictEqual(t.counters.server.Udp6InDatagrams, 2);
    assert.strictEqual(t.counters.server.UdpNoPorts, undefined);
    assert.strictEqual(t.counters.strict.UdpNoPorts, 1);
    assert.strictEqual(t.counters.client.IcmpInDestUnreachs, 1);
  });

  it('an IPv4 socket bound to the address wins over a wildcard dual-stack one; with none bound, a wildcard IPv4 one', () => {
    const t = runScenarioText(pair({ listen: ['udp [::]:53', 'udp 10.0.0.2:53'], traffic: ['udp to 10.0.0.2:53 from :7000 payload x'] }), 't.yaml');
    assert.deepStrictEqual(received(t, 'b'), { '[::]:53': [], '10.0.0.2:53': ['10.0.0.1:7000 x'] });
    const only6 = runScenarioText(pair({ listen: ['udp [::]:53'], traffic: ['udp to 10.0.0.2:53 from :7000 payload x'] }), 't.yaml');
    assert.deepStrictEqual(received(only6, 'b'), { '[::]:53': ['[::ffff:10.0.0.1]:7000 x'] });
  });

  it('a full receive buffer counts IPv4\'s UdpRcvbufErrors for an IPv4 datagram', () => {
    const t = runScenarioText(pair({ listen: ['udp [::]:53'], traffic: ['udp to 10.0.0.2:53 payload x count 400 size 1400'] }), 't.yaml');
    assert.ok((t.counters.b.UdpRcvbufErrors ?? 0) > 0);
    assert.strictEqual(t.counters.b.Udp6RcvbufErrors, undefined);
  });

  it('a sender bound to an IPv4 port a dual-stack listener holds gets EADDRINUSE', () => {
    const t = runScenarioText(pair({ listen: ['udp [::]:53'], traffic: [] }).replace('traffic:\n', 'traffic:\n  - from: b\n    send: udp to 10.0.0.1:9 from :53\n'), 't.yaml');
    assert.strictEqual(t.counters.b.UdpOutDatagrams, undefined);
    assert.ok(t.events.some((e) => e.host === 'b' && e.fn === 'udp_lib_get_port' && /EADDRINUSE/.test(e.what)));
  });
});

describe('UDP from an IPv6 socket to a v4-mapped address', () => {
  it('the sender\'s socket is IPV6_V6ONLY: sendto fails with ENETUNREACH and nothing is sent or counted', () => {
    const t = runScenarioText(pair({ listen: ['udp 53'], traffic: ['udp to [::ffff:10.0.0.2]:53 payload x'] }), 't.yaml');
    assert.ok(t.events.some((e) => e.host === 'a' && e.fn === 'udpv6_sendmsg' && /ENETUNREACH/.test(e.what)));
    assert.strictEqual(t.counters.a.Ip6OutNoRoutes, undefined);
    assert.strictEqual(t.counters.a.UdpOutDatagrams, undefined);
    assert.deepStrictEqual(received(t, 'b'), { '0.0.0.0:53': [] });
  });
});
