// Two IPv6 facts of the dst's device (v6.12): an ICMPv6 error to a link-local source is routed
// out of the packet's input interface (icmp6_send: icmp6_iif when the address needs a scope id),
// and a local route's dst device is lo, whose hop_limit ip6_dst_hoplimit reads.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';

const found = (f: string): string => path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', f);
const run = (f: string) => runScenarioText(fs.readFileSync(found(f), 'utf8'), found(f));

describe('IPv6: the device of a route back and of a local route', () => {
  it('an error to fe80::1 that came in on eth1 resolves fe80::1 on eth1, from the error\'s source', () => {
    const t = run('fix-icmp6-error-link-local-oif.yaml');
    const ns = t.packets.filter((p) => /neighbour solicitation, who has fe80::1/.test(p.summary));
    assert.ok(ns.length > 0, t.packets.map((p) => p.summary).join('\n'));
    for (const p of ns) assert.match(p.summary, /^.*2001:db8:2::1 > ff02::1:ff00:1/);
    // the solicitation leaves b by eth1 (the link to c), never by eth0 (the link to a)
    const outDevs = new Set(t.events.filter((e) => e.host === 'b' && ns.some((p) => p.id === e.packet) && e.fn === 'dev_hard_start_xmit').map((e) => e.skb?.dev));
    assert.deepStrictEqual([...outDevs], ['eth1']);
  });

  it('a datagram to the host\'s own address has lo\'s hop limit, one to another host its device\'s', () => {
    const t = run('fix-ipv6-local-hoplimit.yaml');
    assert.match(t.packets.find((p) => /> 2001:db8:1::1\.4444/.test(p.summary))!.summary, /hlim 64/);
    assert.match(t.packets.find((p) => /> 2001:db8:1::2\.4444/.test(p.summary))!.summary, /hlim 2,/);
  });
});
