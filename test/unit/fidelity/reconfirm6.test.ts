// In a long run an IPv6 re-confirmation (a unicast neighbour solicitation and its answer) is left
// out of the frames, and also out of both hosts' hook passes and counters (reconfirm6.ts).
import * as assert from 'assert';
import { compareAll } from '../../../src/fidelity/compare';
import type { HookPass, Observation } from '../../../src/fidelity/observe';
import { parseIpv6 } from '../../../src/trace/ipv6';

const MAC_A = [2, 0, 0, 0, 0, 0xa];
const MAC_B = [2, 0, 0, 0, 0, 0xb];

/** An Ethernet frame with a neighbour solicitation (135) or advertisement (136) for `target`. */
function nd(type: 135 | 136, ethDst: number[], ethSrc: number[], src: string, dst: string, target: string): Uint8Array {
  const b = new Uint8Array(14 + 40 + 32);
  b.set(ethDst, 0);
  b.set(ethSrc, 6);
  b[12] = 0x86;
  b[13] = 0xdd;
  b[14] = 0x60;
  b[19] = 32;
  b[20] = 58;
  b[21] = 255;
  b.set(parseIpv6(src)!, 22);
  b.set(parseIpv6(dst)!, 38);
  b[54] = type;
  b.set(parseIpv6(target)!, 62);
  return b;
}

const pass = (first: 'output' | 'prerouting', saddr: string, daddr: string): HookPass => ({
  hooks: first === 'output' ? [{ hook: 'output', saddr, daddr }, { hook: 'postrouting', saddr, daddr }] : [{ hook: 'prerouting', saddr, daddr }, { hook: 'input', saddr, daddr }],
  steps: [],
  nd: true,
});

const base = (): Observation => ({ frames: new Map(), hooks: new Map([['a', []], ['b', []]]), counters: { a: {}, b: {} }, sockets: new Map(), pings: [], sends: [] });

/** a probes b (fe80::b) from fe80::a, and b answers: the frames, passes and counters of that. */
function withProbe(): Observation {
  const o = base();
  o.frames.set('a:eth0', [{ bytes: nd(135, MAC_B, MAC_A, 'fe80::a', 'fe80::b', 'fe80::b') }]);
  o.frames.set('b:eth0', [{ bytes: nd(136, MAC_A, MAC_B, 'fe80::b', 'fe80::a', 'fe80::b') }]);
  o.hooks.set('a', [pass('output', 'fe80::a', 'fe80::b'), pass('prerouting', 'fe80::b', 'fe80::a')]);
  o.hooks.set('b', [pass('prerouting', 'fe80::a', 'fe80::b'), pass('output', 'fe80::b', 'fe80::a')]);
  const out = (t: number, what: string) => ({ Icmp6OutMsgs: 1, [`Icmp6Out${what}`]: 1, [`Icmp6OutType${t}`]: 1, Ip6OutRequests: 1, Ip6OutTransmits: 1, Ip6OutOctets: 72 });
  const inn = (t: number, what: string) => ({ Icmp6InMsgs: 1, [`Icmp6In${what}`]: 1, [`Icmp6InType${t}`]: 1, Ip6InReceives: 1, Ip6InDelivers: 1, Ip6InNoECTPkts: 1, Ip6InOctets: 72 });
  o.counters = { a: { ...out(135, 'NeighborSolicits'), ...inn(136, 'NeighborAdvertisements') }, b: { ...inn(135, 'NeighborSolicits'), ...out(136, 'NeighborAdvertisements') } };
  return o;
}

const captured = new Set(['a:eth0', 'b:eth0']);

describe('fidelity: IPv6 re-confirmations in long runs (reconfirm6.ts)', () => {
  it('a probe one side made and the other did not is left out of frames, passes and counters', () => {
    assert.deepStrictEqual(compareAll(withProbe(), base(), ['a', 'b'], captured, 20e9), []);
  });

  it('in a short run it is compared: frames, passes and counters all differ', () => {
    const d = compareAll(withProbe(), base(), ['a', 'b'], captured, 5e9);
    assert.ok(d.some((x) => x.field === 'frame'));
    assert.ok(d.some((x) => /neighbour discovery pass/.test(x.what)));
    assert.ok(d.some((x) => x.what === 'counter' && x.field === 'Icmp6OutNeighborSolicits'));
  });

  it('a multicast solicitation is not a re-confirmation: still compared in a long run', () => {
    const m = base();
    m.frames.set('a:eth0', [{ bytes: nd(135, [0x33, 0x33, 0xff, 0, 0, 0xb], MAC_A, 'fe80::a', 'ff02::1:ff00:b', 'fe80::b') }]);
    m.hooks.set('a', [pass('output', 'fe80::a', 'ff02::1:ff00:b')]);
    m.counters = { a: { Icmp6OutNeighborSolicits: 1 }, b: {} };
    const d = compareAll(m, base(), ['a', 'b'], captured, 20e9);
    assert.ok(d.some((x) => x.field === 'frame'));
    assert.ok(d.some((x) => /neighbour discovery pass/.test(x.what)));
    assert.ok(d.some((x) => x.field === 'Icmp6OutNeighborSolicits'));
  });
});
