// MLDv1 (net/ipv6/mcast.c, v6.12) with force_mld_version=1: a report (131) to the group when it
// is joined on a device that is up and again from mca_work within mldv1_unsolicited_report_interval
// (the model takes the latest delay), a done (132) to ff02::2 when a group it reported is left,
// and no MLDv2 report; all's value goes before the device's.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { formatIpv6 } from '../../../src/trace/ipv6';

const MS = 1e6;

function scenario(a: string): string {
  const ind = (s: string): string =>
    s
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  return `name: t\nhosts:\n  b: |\n    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad\n    ip link set eth0 up\n  a: |\n${ind(a)}\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - from: b\n    send: icmp echo-request to 2001:db8:1::1 count 1\n`;
}

interface Msg {
  time: number;
  type: number;
  src: string;
  dst: string;
  group: string;
}

/** The MLD messages a host put on the wire. */
function mld(t: Trace, host: string): Msg[] {
  const out: Msg[] = [];
  for (const e of t.events) {
    if (e.host !== host || e.fn !== 'dev_hard_start_xmit' || !e.skb) continue;
    const b = Uint8Array.from(Buffer.from(e.skb.bytes.slice(e.skb.data * 2, e.skb.tail * 2), 'hex'));
    if (b[14 + 6] !== 0 || b[14 + 40] !== 58) continue;
    const i = 14 + 48;
    out.push({ time: e.time / MS, type: b[i], src: formatIpv6(b.slice(22, 38)), dst: formatIpv6(b.slice(38, 54)), group: b[i] === 143 ? '' : formatIpv6(b.slice(i + 8, i + 24)) });
  }
  return out;
}

const V1 = 'sysctl -w net.ipv6.conf.eth0.force_mld_version=1\n';
const BASE = 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up';

describe('MLDv1 with force_mld_version=1 (igmp6_join_group, igmp6_send)', () => {
  it('reports each group to the group itself, at once and again one interval (less a jiffy) later, from :: while tentative; no MLDv2 report', () => {
    const t = runScenarioText(scenario(`${V1}sysctl -w net.ipv6.conf.eth0.mldv1_unsolicited_report_interval=1000\n${BASE}`), 't.yaml');
    const m = mld(t, 'a');
    assert.ok(m.length > 0);
    assert.ok(m.every((x) => x.type === 131 && x.dst === x.group && x.src === '::'), JSON.stringify(m));
    const groups = [...new Set(m.map((x) => x.group))].sort();
    assert.deepStrictEqual(groups.length, 2);
    assert.ok(groups.includes('ff02::1:ff00:1'));
    for (const g of groups) {
      const times = m.filter((x) => x.group === g).map((x) => x.time);
      assert.deepStrictEqual(times.length, 2, g);
      assert.strictEqual(times[1] - times[0], 996, 'get_random_u32_below(250 jiffies): at most 249 jiffies');
    }
    assert.deepStrictEqual([t.counters.a.Icmp6OutGroupMembResponses, t.counters.a.Icmp6OutMLDv2Reports], [4, undefined]);
    // b (MLDv2) still sends its reports
    assert.ok(mld(t, 'b').some((x) => x.type === 143));
  });

  it('sends the delayed report from the link-local address once its DAD is over (the default 10 s interval)', () => {
    const t = runScenarioText(scenario(`${V1}${BASE}`), 't.yaml');
    const late = mld(t, 'a').filter((x) => x.time > 5000);
    assert.ok(late.length === 2 && late.every((x) => /^fe80::/.test(x.src) && x.time === late[0].time), JSON.stringify(late));
  });

  it('sends a done to ff02::2 when a group it reported is left', () => {
    const t = runScenarioText(scenario(`${V1}${BASE}\nip -6 addr add 2001:db8:9::99/64 dev eth0 nodad\nip -6 addr del 2001:db8:9::99/64 dev eth0`), 't.yaml');
    const g = mld(t, 'a').filter((x) => x.group === 'ff02::1:ff00:99');
    // the delayed report was cancelled with the group (igmp6_group_dropped)
    assert.deepStrictEqual(g.map((x) => [x.type, x.dst]), [[131, 'ff02::1:ff00:99'], [132, 'ff02::2']]);
    assert.strictEqual(t.counters.a.Icmp6OutGroupMembReductions, 1);
  });

  it('takes all\'s value before the device\'s: all=2 keeps MLDv2 whatever the device says', () => {
    const t = runScenarioText(scenario(`sysctl -w net.ipv6.conf.all.force_mld_version=2\n${V1}${BASE}`), 't.yaml');
    assert.ok(mld(t, 'a').every((x) => x.type === 143));
    const t1 = runScenarioText(scenario(`sysctl -w net.ipv6.conf.all.force_mld_version=1\n${BASE}`), 't.yaml');
    assert.ok(mld(t1, 'a').every((x) => x.type === 131));
  });
});
