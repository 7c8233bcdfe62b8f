// IPv6 source address selection (v6.12 __ipv6_dev_get_saddr, RFC 6724): rule 8 counts the common
// prefix only up to the candidate's own prefix length, and a tie keeps the candidate met first in
// the device's list, which ipv6_link_dev_addr keeps by scope with the newest address first.
import * as assert from 'assert';
import { runScenarioText } from '../traffic_phase';

function sources(h1: string[]): string[] {
  const t = runScenarioText(
    `name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  h1: |
${h1.map((l) => `    ${l}\n`).join('')}    ip link set eth0 up
links:
  - a:eth0 h1:eth0
traffic:
  - from: h1
    send: icmp echo-request to 2001:db8:1::1
`,
    't.yaml',
  );
  return t.packets.filter((p) => /echo request/.test(p.summary)).map((p) => p.summary.split(' ')[0]);
}

describe('IPv6 source address selection', () => {
  it('within one prefix the newest address, whatever the longer common prefix beyond it (found/fix-ipv6-saddr-newest.yaml)', () => {
    assert.deepStrictEqual(sources(['ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad', 'ip -6 addr add 2001:db8:1::3/64 dev eth0 nodad']), ['2001:db8:1::3']);
    assert.deepStrictEqual(sources(['ip -6 addr add 2001:db8:1::3/64 dev eth0 nodad', 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad']), ['2001:db8:1::2']);
  });

  it('a longer common prefix within the address\'s own prefix length wins over a newer address', () => {
    // ::1:1/96 shares 111 bits with 2001:db8:1::1, counted up to 96; the newer ::2/64 counts 64
    assert.deepStrictEqual(sources(['ip -6 addr add 2001:db8:1::1:1/96 dev eth0 nodad', 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad']), ['2001:db8:1::1:1']);
  });
});
