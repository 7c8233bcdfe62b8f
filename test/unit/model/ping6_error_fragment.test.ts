// ping hears an ICMPv6 error that quotes the first fragment of its echo request: the quoted
// Fragment header is passed over as icmpv6_notify passes it (ipv6_skip_exthdr, v6.12). Checked on
// the kernel by test/fidelity/found/fix-ping6-error-first-fragment.yaml.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-ping6-error-first-fragment.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-ping6-error-first-fragment.yaml');
const heard = (t: Trace): string[] => t.packets.filter((p) => p.fate.fn === 'raw_rcv').map((p) => p.fate.detail ?? '');

describe('ping and an ICMPv6 error about a fragment of its echo request (v6.12)', () => {
  it('reports the error quoting the first fragment and the one about the small request, not the one about the second fragment', () => {
    const t = run();
    assert.deepStrictEqual(heard(t), ['raw ICMP socket (ping): Destination unreachable: No route', 'raw ICMP socket (ping): Destination unreachable: No route']);
    assert.strictEqual(t.counters.client.Icmp6InDestUnreachs, 3);
  });

  it('leaves the error about the second fragment to icmpv6_rcv: its quote holds no echo header', () => {
    const t = run();
    const errors = t.packets.filter((p) => / destination unreachable/.test(p.summary) && p.fate.host === 'client');
    assert.deepStrictEqual(errors.map((p) => p.fate.fn), ['raw_rcv', 'icmpv6_rcv', 'raw_rcv']);
  });
});
