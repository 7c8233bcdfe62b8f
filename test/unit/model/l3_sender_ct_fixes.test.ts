// icmp_xmit_lock (net/ipv4/icmp.c), conntrack's protocol error checks (tcp_error, udp_error,
// nf_conntrack_icmpv4_error) and the port a TCP `from :PORT` connect keeps (inet_csk_get_port),
// Linux v6.12.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { twoHostsText } from '../../fixtures/two-hosts';

function run(bLines: string[], traffic: string[], listen: string[] = []): Trace {
  return runScenarioText(twoHostsText({ second: bLines, listen, traffic }), 't.yaml');
}

const OUTPUT_REJECT = (what: string): string[] => [
  'nft add table ip fw',
  "nft add chain ip fw output '{ type filter hook output priority filter; policy accept; }'",
  `nft add rule ip fw output icmp type ${what} reject`,
];

describe('icmp_xmit_lock: no ICMP error from inside the ICMP socket\'s own output', () => {
  it('an echo reply rejected on OUTPUT is dropped without a port unreachable', () => {
    const t = run(OUTPUT_REJECT('echo-reply'), ['from: a\n    send: icmp echo-request to 10.0.1.2']);
    assert.ok(t.events.some((e) => e.host === 'b' && e.fn === '__icmp_send' && /icmp_xmit_lock fails/.test(e.what)));
    assert.strictEqual(t.counters.b.IcmpOutDestUnreachs, undefined);
    assert.strictEqual(t.counters.b.IcmpOutEchoReps, 1);
    assert.strictEqual(t.counters.b.IpOutDiscards, 1);
  });

  it('an echo request from ping rejected on OUTPUT still gets its port unreachable', () => {
    const t = run(OUTPUT_REJECT('echo-request'), ['from: b\n    send: icmp echo-request to 10.0.1.1']);
    assert.strictEqual(t.counters.b.IcmpOutDestUnreachs, 1);
    assert.ok(!t.events.some((e) => /icmp_xmit_lock fails/.test(e.what)));
  });
});

describe('conntrack: tcp_error, udp_error, nf_conntrack_icmpv4_error', () => {
  const INVALID_DROP = ['nft add table ip fw', "nft add chain ip fw in '{ type filter hook input priority filter; policy accept; }'", 'nft add rule ip fw in ct state invalid drop'];
  const fate = (t: Trace): string => {
    const p = t.packets.find((x) => x.origin === 'a' || x.fate.host === 'b')!;
    return `${p.fate.fn} ${p.fate.reason ?? ''}`.trim();
  };
  const into = (w: string): string => `into: b:eth0\n    send: ${w}`;

  it('calls a bad checksum invalid on PRE_ROUTING (UDP, TCP, ICMP)', () => {
    for (const w of ['udp from 10.0.1.1:40000 to 10.0.1.2:7000 bad-udp-checksum', 'tcp from 10.0.1.1:40000 to 10.0.1.2:80 flags S bad-tcp-checksum', 'icmp echo-request from 10.0.1.1 to 10.0.1.2 bad-icmp-checksum']) {
      assert.strictEqual(fate(run(INVALID_DROP, [into(w)])), 'nft_do_chain SKB_DROP_REASON_NETFILTER_DROP', w);
    }
  });

  it('calls SYN+FIN invalid (tcp_valid_flags), but not SYN or PSH+ACK', () => {
    assert.strictEqual(fate(run(INVALID_DROP, [into('tcp from 10.0.1.1:40000 to 10.0.1.2:80 flags SF')])), 'nft_do_chain SKB_DROP_REASON_NETFILTER_DROP');
    assert.notStrictEqual(fate(run(INVALID_DROP, [into('tcp from 10.0.1.1:40000 to 10.0.1.2:80 flags S')])), 'nft_do_chain SKB_DROP_REASON_NETFILTER_DROP');
    assert.notStrictEqual(fate(run(INVALID_DROP, [into('tcp from 10.0.1.1:40000 to 10.0.1.2:80 flags PA')])), 'nft_do_chain SKB_DROP_REASON_NETFILTER_DROP');
  });

  it('lets a good datagram through as new', () => {
    const t = run(INVALID_DROP, [into('udp from 10.0.1.1:40000 to 10.0.1.2:7000')], ['b: udp 7000']);
    assert.strictEqual(t.counters.b.UdpInDatagrams, 1);
  });
});

describe('TCP: the port of a `from :PORT` connect stays held', () => {
  it('a second connect from it fails with EADDRINUSE and sends nothing', () => {
    const t = run([], ['from: a\n    send: tcp connect to 10.0.1.2:81 from :40000', 'from: a\n    send: tcp connect to 10.0.1.2:82 from :40000']);
    assert.ok(t.events.some((e) => e.fn === 'inet_csk_get_port' && e.ret === '-EADDRINUSE'));
    assert.ok(!t.packets.some((p) => p.summary.includes('10.0.1.2.82')));
    assert.strictEqual(t.counters.a.TcpActiveOpens, 1);
  });

  it('so does a connect from a listener\'s port; another port is free', () => {
    const t = run([], ['from: a\n    send: tcp connect to 10.0.1.2:80 from :8080', 'from: a\n    send: tcp connect to 10.0.1.2:80 from :40001'], ['a: tcp 8080']);
    assert.strictEqual(t.events.filter((e) => e.fn === 'inet_csk_get_port').length, 1);
    assert.strictEqual(t.counters.a.TcpActiveOpens, 1);
  });
});

describe('conntrack defrag: the frag_list of the reassembled datagram', () => {
  it('is freed with the datagram, the completing fragment\'s clone under its own packet', () => {
    const CT = ['nft add table ip t1', "nft add chain ip t1 pre '{ type filter hook prerouting priority mangle; policy accept; }'", 'nft add rule ip t1 pre ct state invalid counter accept'];
    const frag = (off: number, size: number, more: boolean, at?: string): string =>
      `into: b:eth0\n${at ? `    at: ${at}\n` : ''}    send: icmp echo-request from 10.0.1.1 to 10.0.1.9 id 7 size ${size} frag offset ${off}${more ? ' more' : ''}`;
    const t = run(CT, [frag(0, 84, true), frag(64, 84, true, '+1ms'), frag(128, 88, false, '+1ms')]);
    const head = t.packets.find((p) => p.fate.fn === 'ip_error')!;
    const released = t.events.filter((e) => e.fn === 'skb_release_data').map((e) => e.packet);
    assert.strictEqual(released.length, 2);
    assert.ok(!released.includes(head.id), 'the datagram itself is not released as a fragment');
    const frags = t.packets.filter((p) => p.fate.fn === 'ip_frag_reasm').map((p) => p.id);
    assert.deepStrictEqual(released.sort(), frags.slice(1).sort());
  });
});
