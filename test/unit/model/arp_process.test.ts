// arp_process (net/ipv4/arp.c, v6.12): a request is routed (ip_route_input_noref) before it is
// answered; arp_ignore, arp_filter, proxy ARP and arp_accept decide on the way.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario, runScenarioText } from '../../../src/scenario/run';
import { scenarioCaptureOpener } from '../../../src/capture/file';
import { writeArp, ARP_HLEN, ARPOP_REPLY, ARPOP_REQUEST } from '../../../src/model/proto/arp';
import { ipToNum } from '../../../src/model/proto/addr';
import type { Trace } from '../../../src/trace/contract';
import { pcap } from '../capture/write';

const ind = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

/** a (10.0.1.1/24, or `aAddr`) and b (10.0.1.2/24) on one link; a pings b once */
function twoHosts(bLines: string[], aAddr = '10.0.1.1/24', aLines: string[] = []): Trace {
  return runScenarioText(
    `name: t
hosts:
  a: |
${ind([`ip addr add ${aAddr} dev eth0`, 'ip link set eth0 up', ...aLines])}  b: |
${ind(['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', ...bLines])}links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: icmp echo-request to 10.0.1.2
`,
    't.yaml',
  );
}

const replies = (t: Trace, host: string): number => t.packets.filter((p) => p.origin === host && /ARP, Reply/.test(p.summary)).length;
const echoReplies = (t: Trace): number => t.packets.filter((p) => /echo reply/.test(p.summary)).length;

describe('arp_process: the request is routed before it is answered', () => {
  it('answers a request whose sender passes rp_filter, and not one whose way back is refused', () => {
    const ok = twoHosts(['sysctl -w net.ipv4.conf.eth0.rp_filter=1']);
    assert.ok(replies(ok, 'b') >= 1);
    assert.strictEqual(echoReplies(ok), 1);
    // the policy rule sends the way back to a prohibit route: fib_validate_source says -EXDEV
    const refused = twoHosts(['ip rule add from 10.0.1.0/24 table 100 priority 30000', 'ip route add prohibit default table 100', 'sysctl -w net.ipv4.conf.eth0.rp_filter=1']);
    assert.strictEqual(replies(refused, 'b'), 0);
    assert.strictEqual(echoReplies(refused), 0);
    // the refusal is the route's, not a drop of an IP packet: no IPReversePathFilter count
    assert.strictEqual(refused.counters.b?.TcpExtIPReversePathFilter, undefined);
    assert.ok(refused.events.some((e) => e.host === 'b' && e.fn === 'arp_process' && /reverse-path filter/.test(e.what)));
  });

  it('arp_ignore 2 answers only a sender in a subnet of the device that holds the target', () => {
    // a's address is outside b's subnet; a reaches 10.0.1.0/24 on-link
    const aLines = ['ip route add 10.0.1.0/24 dev eth0'];
    for (const [mode, answered] of [
      [0, true],
      [1, true],
      [2, false],
      [8, false],
    ] as const) {
      const t = twoHosts([`sysctl -w net.ipv4.conf.eth0.arp_ignore=${mode}`], '10.0.9.1/24', aLines);
      assert.strictEqual(replies(t, 'b') > 0, answered, `arp_ignore=${mode}`);
    }
  });

  it('arp_filter: a device answers only when our route back to the sender leaves through it (ArpFilter)', () => {
    const run = (filter: number): Trace =>
      runScenarioText(
        `name: t
hosts:
  a: |
${ind(['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}  b: |
${ind(['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', 'ip addr add 10.0.2.2/24 dev eth1', 'ip link set eth1 up', 'ip route add 10.0.1.1/32 dev eth1', `sysctl -w net.ipv4.conf.all.arp_filter=${filter}`])}  c: |
${ind(['ip addr add 10.0.2.3/24 dev eth0', 'ip link set eth0 up'])}links:
  - a:eth0 b:eth0
  - b:eth1 c:eth0
traffic:
  - from: a
    send: icmp echo-request to 10.0.1.2
`,
        't.yaml',
      );
    assert.ok(replies(run(0), 'b') >= 1);
    const filtered = run(1);
    assert.strictEqual(replies(filtered, 'b'), 0);
    assert.ok((filtered.counters.b?.TcpExtArpFilter ?? 0) >= 1);
  });

  it('proxy ARP answers, after a delay below proxy_delay, for a target forwarded through another device', () => {
    const run = (proxy: number): Trace =>
      runScenarioText(
        `name: t
hosts:
  a: |
${ind(['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up', 'ip route add 10.0.2.0/24 dev eth0'])}  r: |
${ind(['sysctl -w net.ipv4.ip_forward=1', 'ip addr add 10.0.1.254/24 dev eth0', 'ip link set eth0 up', 'ip addr add 10.0.2.254/24 dev eth1', 'ip link set eth1 up', `sysctl -w net.ipv4.conf.eth0.proxy_arp=${proxy}`])}  c: |
${ind(['ip addr add 10.0.2.3/24 dev eth0', 'ip link set eth0 up', 'ip route add default via 10.0.2.254'])}links:
  - a:eth0 r:eth0
  - r:eth1 c:eth0
traffic:
  - from: a
    send: icmp echo-request to 10.0.2.3
`,
        't.yaml',
      );
    const off = run(0);
    assert.strictEqual(replies(off, 'r'), 0);
    assert.strictEqual(echoReplies(off), 0);
    const on = run(1);
    const reply = on.packets.find((p) => p.origin === 'r' && /ARP, Reply 10\.0\.2\.3 is-at/.test(p.summary));
    assert.ok(reply, 'r answers for 10.0.2.3');
    const queued = on.events.find((e) => e.fn === 'pneigh_enqueue' && e.host === 'r')!;
    const sent = on.events.find((e) => e.packet === reply.id)!;
    // the broadcast request waits in the proxy queue: proxy_delay is 0.8 s (200 jiffies)
    assert.ok(sent.time - queued.time < 800_000_000, `${sent.time - queued.time} ns`);
    assert.strictEqual(echoReplies(on), 1);
  });
});

describe('arp_process: learning the sender (arp_accept)', () => {
  /** a gratuitous ARP request from 10.0.1.9 arrives on b:eth0, then b pings 10.0.1.9 */
  function garp(accept: number, op = ARPOP_REQUEST): Trace {
    const frame = new Uint8Array(14 + ARP_HLEN);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x09, 0x08, 0x06]);
    const ip = ipToNum('10.0.1.9');
    writeArp(frame, 14, { op, sha: '02:00:00:00:00:09', sip: ip, tha: op === ARPOP_REPLY ? '02:00:00:00:00:09' : '00:00:00:00:00:00', tip: ip });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-garp-'));
    try {
      fs.writeFileSync(path.join(dir, 'garp.pcap'), pcap([{ tsNs: 1_700_000_000_000_000_000n, data: frame }]));
      const sc = parseScenario(
        `name: t
hosts:
  a: |
${ind(['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}  b: |
${ind(['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', `sysctl -w net.ipv4.conf.eth0.arp_accept=${accept}`])}links:
  - a:eth0 b:eth0
traffic:
  - pcap: garp.pcap
    into: b:eth0
`,
        path.join(dir, 'sc.yaml'),
      );
      return runScenario(sc, { openCapture: scenarioCaptureOpener(dir) });
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  }
  const learnt = (t: Trace): string[] => t.hosts!.find((h) => h.name === 'b')!.neighbours.filter((n) => n.startsWith('10.0.1.9 '));

  it('a gratuitous ARP creates an entry only with arp_accept 1, or 2 for a sender in the subnet', () => {
    assert.deepStrictEqual(learnt(garp(0)), []);
    assert.strictEqual(learnt(garp(1)).length, 1);
    assert.match(learnt(garp(1))[0], /lladdr 02:00:00:00:00:09 STALE/);
    assert.strictEqual(learnt(garp(2)).length, 1);
    assert.strictEqual(learnt(garp(1, ARPOP_REPLY)).length, 1);
  });
});
