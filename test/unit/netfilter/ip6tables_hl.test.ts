// ip6tables -j HL (xt/hl_target6.ts, xt_HL.c hl_tg6): the hop limit set, raised (up to 255) or
// lowered (down to 0) in the mangle table; ip6tables-save's form and ip6tables 1.8.9's refusals.
import * as assert from 'assert';
import { refusal, runExample } from './helpers';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { iptablesSave } from '../../../src/scenario/netfilter/iptables_save';

function load(lines: string[]): ReturnType<World['addHost']> {
  const net = new World().addHost('h');
  for (const l of lines) runIptables(net, splitFileLine(`ip6tables ${l}`, 'x', 1), 'ip6');
  return net;
}
const refused = (line: string): string => refusal(() => load([line]));

describe('ip6tables -j HL', () => {
  it('ipv6-ip6tables-hl-set: --hl-set 1 in PREROUTING makes ip6_forward answer time exceeded; --hl-inc raises the forwarded hop limit', () => {
    const t = runExample('ipv6-ip6tables-hl-set.yaml');
    const udp = t.packets.find((p) => p.summary.includes('UDP'))!;
    assert.deepStrictEqual([udp.fate.kind, udp.fate.host, udp.fate.fn], ['dropped', 'router', 'ip6_forward']);
    assert.strictEqual(t.counters.router.Icmp6OutTimeExcds, 1);
    assert.strictEqual(t.counters.client.Icmp6InTimeExcds, 1);
    // the echo request as the server receives it: 64, lowered by ip6_forward, raised by 10
    const echo = t.packets.find((p) => p.summary.includes('echo request'))!;
    const rcv = t.events.find((e) => e.packet === echo.id && e.host === 'server' && e.fn === 'ip6_rcv_core')!.skb!;
    assert.strictEqual(parseInt(rcv.bytes.slice((rcv.network_header! + 7) * 2, (rcv.network_header! + 8) * 2), 16), 73);
    assert.ok(t.events.some((e) => e.fn === 'hl_tg6' && e.host === 'router'));
  });

  it('ip6tables-save prints libip6t_HL\'s form', () => {
    const net = load(['-t mangle -A PREROUTING -j HL --hl-set 5', '-t mangle -A FORWARD -j HL --hl-dec 1', '-t mangle -A OUTPUT -j HL --hl-inc 3', '-t mangle -A OUTPUT -j HL --hl-set 0']);
    assert.deepStrictEqual(iptablesSave(NfEngine.of(net), 'ip6').split('\n').filter((l) => l.startsWith('-A')), ['-A PREROUTING -j HL --hl-set 5', '-A FORWARD -j HL --hl-dec 1', '-A OUTPUT -j HL --hl-inc 3', '-A OUTPUT -j HL --hl-set 0']);
  });

  it('refuses what ip6tables 1.8.9 refuses, in its words', () => {
    assert.strictEqual(refused('-t mangle -A OUTPUT -j HL --hl-inc 0'), 'HL: bad value for option "--hl-inc", or out of range (1-255).');
    assert.strictEqual(refused('-t mangle -A OUTPUT -j HL --hl-dec 0'), 'HL: bad value for option "--hl-dec", or out of range (1-255).');
    assert.strictEqual(refused('-t mangle -A OUTPUT -j HL --hl-set 256'), 'HL: bad value for option "--hl-set", or out of range (0-255).');
    assert.strictEqual(refused('-t mangle -A OUTPUT -j HL'), 'HL: You must specify an action');
    assert.strictEqual(refused('-t mangle -A OUTPUT -j HL --hl-set 5 --hl-dec 1'), 'HL: option "--hl-set" cannot be used together with "--hl-dec".');
    assert.match(refused('-A INPUT -j HL --hl-set 5'), /only valid in the mangle table.*RULE_APPEND failed \(Invalid argument\)/);
    assert.match(refused('-t mangle -A OUTPUT -j TTL --ttl-set 5'), /not modelled for IPv6|Couldn't load target/);
  });
});
