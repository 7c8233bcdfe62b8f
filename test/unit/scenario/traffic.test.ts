import * as assert from 'assert';
import { TrafficItem } from '../../../src/scenario/types';
import { oneError, parse, strip } from './helpers';
import { runScenarioText } from '../../../src/scenario/run';

/** Host a has eth0, host b has eth0; the one traffic item's send is on line 9. */
function item(head: string, send: string): unknown {
  const sc = parse(`name: t\nhosts:\n  a:\n  b:\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - ${head}\n    send: ${send}\n`);
  assert.strictEqual(sc.traffic.length, 1);
  const t = strip(sc.traffic[0]) as TrafficItem & { raw: string };
  assert.strictEqual(t.raw, send);
  return t.kind === 'wait' || t.kind === 'pcap' ? undefined : t.send;
}
const local = (send: string) => item('from: a', send);
const wire = (send: string) => item('into: b:eth0', send);
const T = (text: string) => ({ text });

describe('traffic: from a host', () => {
  it('icmp echo-request with ping defaults and every option', () => {
    assert.deepStrictEqual(local('icmp echo-request to 10.0.0.2'), { proto: 'icmp', type: 'echo-request', to: T('10.0.0.2'), count: 1, size: 84 });
    assert.deepStrictEqual(local('icmp echo-request to 10.0.0.2 ttl 3 size 1500 df count 4'), { proto: 'icmp', type: 'echo-request', to: T('10.0.0.2'), count: 4, size: 1500, ttl: 3, df: true });
    assert.deepStrictEqual(local('icmp echo-request to 10.0.0.2 no-df size 28'), { proto: 'icmp', type: 'echo-request', to: T('10.0.0.2'), count: 1, size: 28, df: false });
  });

  it('udp to ADDR:PORT with options', () => {
    assert.deepStrictEqual(local('udp to 10.0.0.2:53'), { proto: 'udp', to: T('10.0.0.2'), dport: 53 });
    assert.deepStrictEqual(local('udp to 10.0.0.2:9 from :5353 size 2000 ttl 9 no-df'), { proto: 'udp', to: T('10.0.0.2'), dport: 9, sport: 5353, size: 2000, ttl: 9, df: false });
    // `broadcast`: SO_BROADCAST on the sending socket (udp_sendmsg refuses a broadcast route without it)
    assert.deepStrictEqual(local('udp to 10.0.0.255:9 broadcast'), { proto: 'udp', to: T('10.0.0.255'), dport: 9, broadcast: true });
  });

  it('tcp connect', () => {
    assert.deepStrictEqual(local('tcp connect to 10.0.0.2:80'), { proto: 'tcp', to: T('10.0.0.2'), dport: 80 });
    assert.deepStrictEqual(local('tcp connect to 10.0.0.2:80 from :40000 data 100'), { proto: 'tcp', to: T('10.0.0.2'), dport: 80, sport: 40000, data: 100 });
  });
});

describe('traffic: into an interface', () => {
  it('udp with every IP option', () => {
    assert.deepStrictEqual(
      wire('udp from 10.0.0.1:1000 to 10.0.0.2:53 ttl 1 size 1000 df id 7 bad-ip-checksum bad-udp-checksum frag offset 1480 more dst-mac ff:ff:ff:ff:ff:ff src-mac 02:00:00:00:00:09 version 5 ihl 4 truncate 100 tos 16'),
      {
        proto: 'udp',
        src: T('10.0.0.1'),
        dst: T('10.0.0.2'),
        sport: 1000,
        dport: 53,
        ttl: 1,
        size: 1000,
        df: true,
        id: 7,
        badIpChecksum: true,
        badL4Checksum: true,
        frag: { offset: 1480, more: true },
        dstMac: 'ff:ff:ff:ff:ff:ff',
        srcMac: '02:00:00:00:00:09',
        version: 5,
        ihl: 4,
        truncate: 100,
        tos: 16,
      },
    );
    assert.deepStrictEqual(wire('udp from 10.0.0.1:1 to 10.0.0.2:2 frag offset 0 payload "a b"'), {
      proto: 'udp',
      src: T('10.0.0.1'),
      dst: T('10.0.0.2'),
      sport: 1,
      dport: 2,
      frag: { offset: 0, more: false },
      payload: 'a b',
    });
  });

  it('tcp: flags default to S; bad-tcp-checksum', () => {
    assert.deepStrictEqual(wire('tcp from 10.0.0.1:1000 to 10.0.0.2:80'), { proto: 'tcp', src: T('10.0.0.1'), dst: T('10.0.0.2'), sport: 1000, dport: 80, flags: 'S' });
    assert.deepStrictEqual(wire('tcp from 10.0.0.1:1000 to 10.0.0.2:80 flags R bad-tcp-checksum'), {
      proto: 'tcp',
      src: T('10.0.0.1'),
      dst: T('10.0.0.2'),
      sport: 1000,
      dport: 80,
      flags: 'R',
      badL4Checksum: true,
    });
  });

  it('tcp: seq, ack and window, checked against their field widths at their position', () => {
    assert.deepStrictEqual(wire('tcp from 10.0.0.1:1000 to 10.0.0.2:80 flags A seq 4294967295 ack 0 window 0'), {
      proto: 'tcp',
      src: T('10.0.0.1'),
      dst: T('10.0.0.2'),
      sport: 1000,
      dport: 80,
      flags: 'A',
      seq: 4294967295,
      ack: 0,
      window: 0,
    });
    const sc = (send: string): string => `name: t\nhosts:\n  a:\n  b:\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - into: b:eth0\n    send: ${send}\n`;
    // line 9: the words after `send: ` start at column 11
    oneError(sc('tcp from 10.0.0.1:1 to 10.0.0.2:2 seq 4294967296'), 9, 49, 'seq');
    oneError(sc('tcp from 10.0.0.1:1 to 10.0.0.2:2 window 65536'), 9, 52, 'window');
    oneError(sc('udp from 10.0.0.1:1 to 10.0.0.2:2 ack 5'), 9, 45, 'is for tcp');
  });

  it('icmp echo-request', () => {
    assert.deepStrictEqual(wire('icmp echo-request from 10.0.0.1 to 10.0.0.2 ttl 5 bad-icmp-checksum'), {
      proto: 'icmp',
      src: T('10.0.0.1'),
      dst: T('10.0.0.2'),
      icmpType: 'echo-request',
      flags: 'echo-request',
      ttl: 5,
      badL4Checksum: true,
    });
  });
});

describe('traffic: timed items (at)', () => {
  const HEAD = 'name: t\nhosts:\n  a:\n  b:\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n';
  const SEND = 'send: udp from 10.0.0.1:1 to 10.0.0.2:2';
  /** traffic lines start at line 8 */
  const sc = (items: string): string => HEAD + items;

  it('`at: +D` is the offset in ns after the previous item; absent means "after settling"', () => {
    const s = parse(sc(`  - into: b:eth0\n    ${SEND}\n  - into: b:eth0\n    at: +5ms\n    ${SEND}\n  - into: b:eth0\n    at: +0ms\n    ${SEND}\n  - into: b:eth0\n    at: +1.5us\n    ${SEND}\n`));
    assert.deepStrictEqual(
      s.traffic.map((t) => (t.kind === 'wait' ? 'wait' : t.at)),
      [undefined, 5_000_000, 0, 1500],
    );
  });

  it('refuses `at` without a plus, without a unit, too far, on the first item, on or after a wait', () => {
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - into: b:eth0\n    at: 5ms\n    ${SEND}\n`), 11, 9, 'with a plus');
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - into: b:eth0\n    at: +5\n    ${SEND}\n`), 11, 9, 'expected +DURATION');
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - into: b:eth0\n    at: +2h\n    ${SEND}\n`), 11, 9, 'expected +DURATION');
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - into: b:eth0\n    at: +3601s\n    ${SEND}\n`), 11, 9, 'at most +3600s');
    oneError(sc(`  - into: b:eth0\n    at: +5ms\n    ${SEND}\n`), 9, 5, 'the first item');
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - wait: 1s\n    at: +5ms\n`), 11, 5, 'a `wait` item is already time');
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - wait: 1s\n  - into: b:eth0\n    at: +5ms\n    ${SEND}\n`), 12, 5, 'right after a `wait`');
    oneError(sc(`  - into: b:eth0\n    ${SEND}\n  - into: b:eth0\n    at: [1]\n    ${SEND}\n`), 11, 9, '`at`');
  });
});

describe('traffic: timed items on the model', () => {
  const text = (second: string): string =>
    `name: t\nhosts:\n  a: |\n    ip addr add 10.0.0.1/24 dev eth0\n    ip link set eth0 up\n  b: |\n    ip addr add 10.0.0.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n` +
    `  - into: b:eth0\n    send: udp from 10.0.0.1:1 to 10.0.0.2:2 size 1500 id 5 frag offset 0 more\n  - into: b:eth0\n${second}    send: udp from 10.0.0.1:1 to 10.0.0.2:2 size 100 id 5 frag offset 1480\n`;

  it('starts a timed item `at` after the previous start, before the reassembly timer; an untimed one after it', () => {
    const timed: { events: number; now: number }[] = [];
    const t = runScenarioText(text('    at: +7ms\n'), 't.yaml', { marks: timed });
    assert.deepStrictEqual(timed.map((m) => m.now).slice(0, 2), [0, 7_000_000]);
    assert.strictEqual(t.counters.b.IpReasmOKs, 1);
    const settled: { events: number; now: number }[] = [];
    const u = runScenarioText(text(''), 't.yaml', { marks: settled });
    assert.strictEqual(settled[1].now, 30e9, 'the second fragment waits until the first one timed out (ipfrag_time 30 s)');
    assert.strictEqual(u.counters.b.IpReasmOKs, undefined);
  });
});
