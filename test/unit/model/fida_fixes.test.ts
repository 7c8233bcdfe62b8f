// Fidelity fixes of the L2/L3/netfilter helper (session 6), each against the v6.12 source.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

/** Each netfilter hook a host's packets pass, in trace order, as `packet:HOOK`. */
function hookPasses(t: Trace, host: string): string[] {
  const out: string[] = [];
  for (const e of t.events) {
    if (e.host !== host || !(e.fn === 'NF_HOOK' || e.fn === 'nf_hook_slow')) continue;
    const hook = e.hook?.hook;
    if (hook) out.push(`${e.packet}:${hook}`);
  }
  return out;
}

describe('fida: the write after connect() to the host\'s own address', () => {
  it('the handshake ACK comes back in through lo before the data leaves (tcp_finish_connect, then the application writes)', () => {
    const t = runScenarioText(
      'name: t\nhosts:\n  h1: |\n    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\n  h2: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - h1:eth0 h2:eth0\nlisten:\n  - h1: tcp 3128\ntraffic:\n  - from: h1\n    send: tcp connect to 10.0.1.1:3128 data 1000\n',
      't.yaml',
    );
    const ack = t.packets.find((p) => /TCP \[\.\] .*length 0/.test(p.summary))!.id;
    const data = t.packets.find((p) => /TCP \[P\.\] .*length 1000/.test(p.summary))!.id;
    const passes = hookPasses(t, 'h1');
    const ackIn = passes.indexOf(`${ack}:NF_INET_LOCAL_IN`);
    const dataOut = passes.indexOf(`${data}:NF_INET_LOCAL_OUT`);
    assert.ok(ackIn >= 0 && dataOut >= 0, passes.join(' '));
    assert.ok(ackIn < dataOut, `ACK's LOCAL_IN must come before the data's LOCAL_OUT: ${passes.join(' ')}`);
    assert.strictEqual(t.packets.find((p) => p.id === data)!.fate?.kind, 'delivered');
  });
});

describe('fida: skb_clone keeps the conntrack entry (__nf_copy)', () => {
  it('the looped-back clone of a broadcast meets the nat chain first; the packet that leaves skips it', () => {
    const t = runScenarioText(
      'name: t\nhosts:\n  h1: |\n    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\n  h2: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\n    iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE\nlinks:\n  - h1:eth0 h2:eth0\ntraffic:\n  - from: h2\n    send: icmp echo-request to 10.0.1.255\n',
      't.yaml',
    );
    const echo = t.packets.find((p) => p.parent === null && /echo request/.test(p.summary))!;
    const clone = t.packets.find((p) => p.parent === echo.id && /echo request/.test(p.summary))!;
    const natRule = (pkt: number): boolean => t.events.some((e) => e.packet === pkt && e.host === 'h2' && e.fn === 'nft_do_chain' && e.hook?.chain === 'POSTROUTING' && e.hook.ruleIndex === 1);
    assert.strictEqual(natRule(clone.id), true, 'the clone runs the nat chain');
    assert.strictEqual(natRule(echo.id), false, 'the packet finds the binding the clone made');
    const lookup = t.events.find((e) => e.packet === clone.id && e.fn === 'nf_conntrack_in' && e.hook?.hook === 'NF_INET_PRE_ROUTING');
    assert.match(lookup?.what ?? '', /already carries its entry/);
  });
});

describe("fida: ping's probe connect is routed again from the source it chose (ip_route_connect)", () => {
  const text = (rule: string): string =>
    `name: t\nhosts:\n  h1: |\n    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\n${rule}  h2: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - h1:eth0 h2:eth0\ntraffic:\n  - from: h1\n    send: icmp echo-request to 10.0.1.2\n`;
  const echoes = (t: Trace): number => t.packets.filter((p) => p.origin === 'h1' && /echo request/.test(p.summary)).length;

  it('an ip rule from the chosen source to a prohibit route stops ping before any echo request', () => {
    const t = runScenarioText(text('    ip rule add from 10.0.1.0/24 table 100 priority 30000\n    ip route add prohibit default table 100\n'), 't.yaml');
    assert.strictEqual(echoes(t), 0);
    assert.ok(t.events.some((e) => e.fn === 'ip4_datagram_connect' && /refused: .*EACCES/.test(e.what)));
  });

  it('a rule on another source leaves the first lookup alone: the echo request goes out', () => {
    const t = runScenarioText(text('    ip rule add from 10.0.9.0/24 table 100 priority 30000\n    ip route add prohibit default table 100\n'), 't.yaml');
    assert.strictEqual(echoes(t), 1);
  });
});
