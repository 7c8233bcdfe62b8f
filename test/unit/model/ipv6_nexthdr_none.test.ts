// IPv6 next header 59 ("no next header"): nodata_protocol's dst_discard frees the packet quietly
// (v6.12 net/ipv6/exthdrs.c). Checked on the kernel by test/fidelity/found/fix-ipv6-nexthdr-none.yaml.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-ipv6-nexthdr-none.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-ipv6-nexthdr-none.yaml');
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;

describe('IPv6 next header 59 (nodata_protocol, v6.12)', () => {
  it('frees the packet in dst_discard_out, with or without a destination options header before it', () => {
    const t = run();
    // a's router solicitations, which b (not a router) frees in ip6_mc_input, are not these
    const fates = t.packets.filter((p) => p.fate.kind === 'dropped' && p.fate.host === 'b' && !/router solicitation/.test(p.summary)).map((p) => `${p.fate.fn} ${p.fate.reason}`);
    assert.deepStrictEqual(fates, ['dst_discard_out SKB_DROP_REASON_NOT_SPECIFIED', 'dst_discard_out SKB_DROP_REASON_NOT_SPECIFIED', 'ip6_protocol_deliver_rcu SKB_DROP_REASON_IP_NOPROTO', 'icmpv6_param_prob_reason SKB_DROP_REASON_UNHANDLED_PROTO']);
  });

  it('sends a parameter problem only for the next header nobody handles, and counts 59 as delivered', () => {
    const t = run();
    assert.strictEqual(counter(t, 'b', 'Icmp6OutParmProblems'), 2);
    assert.strictEqual(counter(t, 'b', 'Ip6InUnknownProtos'), 1);
    // the same packets with a next header nobody handles: each gets its parameter problem, none is delivered
    const unknown = run((s) => s.replace(/next-header 59/g, 'next-header 253'));
    assert.strictEqual(counter(unknown, 'b', 'Icmp6OutParmProblems'), 4);
    assert.strictEqual(counter(t, 'b', 'Ip6InDelivers') - counter(unknown, 'b', 'Ip6InDelivers'), 2);
  });

  it('frees a parameter problem whose quote ends in "no next header" with IPV6_BAD_EXTHDR (icmpv6_notify)', () => {
    const t = run();
    const pp = t.packets.filter((p) => p.fate.host === 'a' && / parameter problem/.test(p.summary));
    // the one about next header 253 is consumed; the one quoting "no next header" is not
    assert.deepStrictEqual(pp.map((p) => `${p.fate.kind} ${p.fate.fn} ${p.fate.reason ?? ''}`.trim()), ['consumed icmpv6_rcv', 'dropped icmpv6_rcv SKB_DROP_REASON_IPV6_BAD_EXTHDR']);
    assert.strictEqual(counter(t, 'a', 'Icmp6InErrors'), 1);
    // quoting a walkable packet (next header 253 after the option), the message is consumed
    const walkable = run((s) => s.replace('ext dst:0xde next-header 59', 'ext dst:0xde next-header 253'));
    const pp2 = walkable.packets.filter((p) => p.fate.host === 'a' && / parameter problem/.test(p.summary));
    assert.deepStrictEqual(pp2.map((p) => p.fate.kind), ['consumed', 'consumed']);
  });
});
