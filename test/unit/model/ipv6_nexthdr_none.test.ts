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
    const fates = t.packets.filter((p) => p.fate.kind === 'dropped' && p.fate.host === 'b').map((p) => `${p.fate.fn} ${p.fate.reason}`);
    assert.deepStrictEqual(fates, ['dst_discard_out SKB_DROP_REASON_NOT_SPECIFIED', 'dst_discard_out SKB_DROP_REASON_NOT_SPECIFIED', 'ip6_protocol_deliver_rcu SKB_DROP_REASON_IP_NOPROTO']);
  });

  it('sends a parameter problem only for the next header nobody handles, and counts 59 as delivered', () => {
    const t = run();
    assert.strictEqual(counter(t, 'b', 'Icmp6OutParmProblems'), 1);
    assert.strictEqual(counter(t, 'b', 'Ip6InUnknownProtos'), 1);
    // the same packets with a next header nobody handles: each gets its parameter problem, none is delivered
    const unknown = run((s) => s.replace(/next-header 59/g, 'next-header 253'));
    assert.strictEqual(counter(unknown, 'b', 'Icmp6OutParmProblems'), 3);
    assert.strictEqual(counter(t, 'b', 'Ip6InDelivers') - counter(unknown, 'b', 'Ip6InDelivers'), 2);
  });
});
