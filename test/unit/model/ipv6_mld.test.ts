// The unsolicited MLDv2 reports of a link coming up (net/ipv6/mcast.c, v6.12): two jiffies after
// the groups are announced (ipv6_mc_up, a join) a report from :: with a CHANGE_TO_EXCLUDE record
// per reportable group, again mc_qrv - 1 times within mldv2_unsolicited_report_interval; when the
// link-local address's DAD is over, every group again from it (ipv6_mc_dad_complete), mc_qrv
// times. The model takes the latest delay each draw can give.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { formatIpv6 } from '../../../src/trace/ipv6';
import { mldDelayMs } from '../../../src/model/net/ipv6/mcast';
import { solicitedNode } from '../../../src/model/proto/ipv6';
import { parseIpv6 } from '../../../src/trace/ipv6';

const MS = 1e6;

function scenario(a: string, b = 'ip link set eth0 up'): string {
  const ind = (s: string): string =>
    s
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  return `name: t\nhosts:\n  a: |\n${ind(a)}\n  b: |\n${ind(b)}\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - from: b\n    send: icmp echo-request to 2001:db8:1::1 count 1\n`;
}

interface Report {
  time: number;
  src: string;
  recs: string[];
  bytes: Uint8Array;
}

/** The MLD reports a host put on the wire (dev_hard_start_xmit), in order. */
function reports(t: Trace, host: string): Report[] {
  const out: Report[] = [];
  for (const e of t.events) {
    if (e.host !== host || e.fn !== 'dev_hard_start_xmit' || !e.skb) continue;
    const b = Uint8Array.from(Buffer.from(e.skb.bytes.slice(e.skb.data * 2, e.skb.tail * 2), 'hex'));
    if (b[14 + 6] !== 0 || b[14 + 40 + 8] !== 143) continue;
    const n = (b[62 + 6] << 8) | b[62 + 7];
    const recs = Array.from({ length: n }, (_, i) => {
      const o = 62 + 8 + i * 20;
      return `${b[o] === 4 ? 'TO_EX' : b[o] === 3 ? 'TO_IN' : b[o]} ${formatIpv6(b.slice(o + 4, o + 20))}`;
    });
    out.push({ time: e.time / MS, src: formatIpv6(b.slice(22, 38)), recs, bytes: b });
  }
  return out;
}

describe('IPv6 MLDv2 reports at link-up (mcast.c)', () => {
  it('reports the solicited-node groups from :: at 2 jiffies and within the interval, then from the link-local address after DAD, mc_qrv times each', () => {
    const t = runScenarioText(scenario('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const r = reports(t, 'a');
    const llAddr = /(fe80::[0-9a-f:]+[0-9a-f])/.exec(t.events.find((e) => e.host === 'a' && e.fn === 'addrconf_dad_completed')!.what)![1];
    const llGroup = formatIpv6(solicitedNode(parseIpv6(llAddr)!));
    assert.deepStrictEqual(
      r.map((x) => [x.time, x.src]),
      [
        [8, '::'],
        [8 + mldDelayMs(250), '::'],
        [1996, llAddr],
        [1996 + mldDelayMs(250), llAddr],
      ],
    );
    // mc_list is newest first: the link-local address's group was joined after the global one's; ff02::1 is never reported
    for (const x of r) assert.deepStrictEqual(x.recs, [`TO_EX ${llGroup}`, 'TO_EX ff02::1:ff00:1']);
    assert.strictEqual(t.counters.a.Icmp6OutMLDv2Reports, 4);
  });

  it('writes the frame as the kernel does: 33:33:00:00:00:16, hop limit 1, Router Alert, ICMPv6 143 with a valid checksum', () => {
    const t = runScenarioText(scenario('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const b = reports(t, 'a')[0].bytes;
    assert.deepStrictEqual(Array.from(b.slice(0, 6)), [0x33, 0x33, 0, 0, 0, 0x16]);
    assert.strictEqual(b[14 + 7], 1, 'hop limit 1 (igmp_sk)');
    assert.strictEqual((b[14 + 4] << 8) | b[14 + 5], 8 + 8 + 2 * 20, 'payload: hop-by-hop, report header, two records');
    assert.deepStrictEqual(Array.from(b.slice(54, 62)), [58, 0, 5, 2, 0, 0, 1, 0], 'next header ICMPv6, Router Alert 0 (MLD), PadN');
    // the checksum over the pseudo-header and the ICMPv6 message sums to 0xffff
    const p = b.slice(14);
    let sum = 0;
    const add = (x: Uint8Array): void => {
      for (let i = 0; i < x.length; i += 2) sum += (x[i] << 8) | (x[i + 1] ?? 0);
    };
    const icmp = p.slice(48);
    add(p.slice(8, 40));
    add(Uint8Array.from([0, 0, icmp.length >> 8, icmp.length & 0xff, 0, 0, 0, 58]));
    add(icmp);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    assert.strictEqual(sum, 0xffff);
  });

  it('the peer frees a report in ip6_mc_input (it has not joined ff02::16), after ipv6_hop_ra', () => {
    const t = runScenarioText(scenario('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const p = t.packets.find((x) => x.summary.includes('ff02::16'))!;
    assert.deepStrictEqual([p.fate.kind, (p.fate as { fn?: string }).fn], ['dropped', 'ip6_mc_input']);
    assert.ok(t.events.some((e) => e.packet === p.id && e.fn === 'ipv6_hop_ra'));
  });

  it('a forwarding device reports the all-routers groups (not ff01::2) and its subnet-router anycast addresses\' groups', () => {
    const t = runScenarioText(scenario('sysctl -w net.ipv6.conf.all.forwarding=1\nip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const recs = reports(t, 'a')[0].recs;
    assert.deepStrictEqual(recs.slice(1), ['TO_EX ff02::1:ff00:0', 'TO_EX ff02::1:ff00:1', 'TO_EX ff05::2', 'TO_EX ff02::2']);
  });

  it('mldv2_unsolicited_report_interval bounds the retransmissions; a group left is reported with CHANGE_TO_INCLUDE first', () => {
    const t = runScenarioText(scenario('sysctl -w net.ipv6.conf.eth0.mldv2_unsolicited_report_interval=200\nip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up\nip -6 addr del 2001:db8:1::1/64 dev eth0'), 't.yaml');
    const r = reports(t, 'a');
    // 200 ms = 50 jiffies: the latest draw is 49, plus 2
    assert.strictEqual(mldDelayMs(50), 204);
    assert.deepStrictEqual(
      r.map((x) => x.time),
      [8, 8 + 204, 1996, 1996 + 204],
    );
    assert.strictEqual(r[0].recs[0], 'TO_IN ff02::1:ff00:1');
    assert.strictEqual(r[1].recs[0], 'TO_IN ff02::1:ff00:1');
    assert.ok(!r[2].recs.some((g) => g.endsWith('ff02::1:ff00:1')), 'left: not in the reports after DAD');
  });

  it('a device whose MTU goes below 1280 in the setup (addrconf_ifdown) sends neither its DAD probe nor its reports afterwards', () => {
    const t = runScenarioText(scenario('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up\nip link set eth0 mtu 1000'), 't.yaml');
    assert.deepStrictEqual(reports(t, 'a'), []);
    assert.ok(!t.events.some((e) => e.host === 'a' && (e.fn === 'ndisc_send_skb' || e.fn === 'addrconf_dad_kick')));
    assert.strictEqual(reports(t, 'b').length, 4, 'the peer is not affected');
  });
  it('a NOARP device joins no solicited-node group (addrconf_join_solict): its reports name none, and a solicitation to one is not for it', () => {
    const arpOn = runScenarioText(scenario('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const arpOff = runScenarioText(scenario('ip link set eth0 arp off\nip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up', 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const groups = (t: Trace): string[] => [...new Set(reports(t, 'a').flatMap((x) => x.recs))].sort();
    const mine = formatIpv6(solicitedNode(parseIpv6('2001:db8:1::1')!));
    assert.ok(groups(arpOn).includes(`TO_EX ${mine}`), 'with ARP on, the address\'s group is reported');
    // a host's other group, all-nodes, is never reported (MAF_NOREPORT): nothing is left to report
    assert.deepStrictEqual(groups(arpOff), []);
    // b asks for 2001:db8:1::1 at its solicited-node group: a has not joined it and drops it in ip6_mc_input
    const ns = arpOff.packets.find((p) => p.summary.includes(`> ${mine}: ICMP6, neighbour solicitation`));
    assert.ok(ns, 'b solicits a');
    assert.ok(arpOff.events.some((e) => e.packet === ns!.id && e.host === 'a' && e.fn === 'ip6_mc_input'), 'the solicitation ends in a\'s ip6_mc_input');
  });
});
