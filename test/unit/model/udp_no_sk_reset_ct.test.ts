// __udp4_lib_rcv / __udp6_lib_rcv (v6.12) call nf_reset_ct on a datagram no socket takes before
// answering it, so the port unreachable carries no conntrack entry (nf_ct_attach finds none): an
// output chain hooked before conntrack (priority raw) sees `ct state invalid`, and `notrack` takes.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

function run(v6: boolean, rule: string): Trace {
  const fam = v6 ? 'ip6' : 'ip';
  const [a1, a2, dst] = v6 ? ['2001:db8:1::1/64 nodad', '2001:db8:1::2/64 nodad', '[2001:db8:1::1]:7000'] : ['10.0.1.1/24', '10.0.1.2/24', '10.0.1.1:7000'];
  const ip = v6 ? 'ip -6' : 'ip';
  const text = `name: t
hosts:
  h1: |
    ${ip} addr add ${a1} dev eth0
    ip link set eth0 up
    nft add table ${fam} raw
    nft add chain ${fam} raw out '{ type filter hook output priority raw; policy accept; }'
    nft add rule ${fam} raw out ${rule}
  h2: |
    ${ip} addr add ${a2} dev eth0
    ip link set eth0 up
links:
  - h1:eth0 h2:eth0
traffic:
  - from: h2
    send: udp to ${dst}
`;
  return runScenarioText(text, 't.yaml');
}

/** whether the rule matched the port unreachable h1 sent */
function matchedError(t: Trace): boolean {
  const err = t.packets.filter((p) => p.origin === 'h1' && /unreachable/.test(p.summary)).map((p) => p.id);
  assert.strictEqual(err.length, 1, 'one port unreachable');
  return t.events.some((e) => e.packet === err[0] && e.hook?.ruleIndex === 1 && /it matches/.test(e.what));
}

describe('nf_reset_ct before a UDP port unreachable', () => {
  for (const v6 of [false, true]) {
    const fam = v6 ? 'IPv6' : 'IPv4';
    it(`${fam}: the error is seen with no conntrack entry before conntrack runs (ct state invalid matches)`, () => {
      assert.strictEqual(matchedError(run(v6, 'ct state invalid counter')), true);
    });
    it(`${fam}: ct state related does not match there`, () => {
      assert.strictEqual(matchedError(run(v6, 'ct state related counter')), false);
    });
  }
});
