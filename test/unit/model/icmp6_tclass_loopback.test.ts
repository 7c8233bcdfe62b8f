// ICMPv6 (v6.12 net/ipv6/icmp.c): an echo reply carries the request's traffic class, and an error
// about a packet that came in on lo is never rate limited. Checked on the kernel by
// test/fidelity/found/fix-icmp6-tclass-loopback.yaml.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-icmp6-tclass-loopback.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-icmp6-tclass-loopback.yaml');
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;
/** the traffic class of the first echo reply b sends, from its bytes */
function replyTclass(t: Trace): number {
  const e = t.events.find((x) => x.host === 'b' && x.fn === 'dev_hard_start_xmit' && /echo reply/.test(t.packets.find((p) => p.id === x.packet)?.summary ?? '') && x.skb);
  const b = Buffer.from(e!.skb!.bytes, 'hex');
  const ip = e!.skb!.data + 14;
  return ((b[ip] & 0x0f) << 4) | (b[ip + 1] >> 4);
}

describe('ICMPv6 replies and errors (v6.12)', () => {
  it("gives an echo reply the request's traffic class", () => {
    assert.strictEqual(replyTclass(run()), 184);
    assert.strictEqual(replyTclass(run((s) => s.replace('tclass 184', 'tclass 1'))), 1);
    assert.strictEqual(replyTclass(run((s) => s.replace(' tclass 184', ''))), 0);
  });

  it('answers datagrams over lo with port unreachable even with an empty global budget, but not one from the wire', () => {
    const t = run();
    assert.strictEqual(counter(t, 'b', 'Icmp6OutDestUnreachs'), 2);
    assert.strictEqual(counter(t, 'b', 'IcmpOutRateLimitGlobal'), 1);
    // with a budget the wire's datagram is answered too
    const open = run((s) => s.replace('    sysctl -w net.ipv4.icmp_msgs_per_sec=0\n', ''));
    assert.strictEqual(counter(open, 'b', 'Icmp6OutDestUnreachs'), 3);
  });
});
