// ICMPv6 (v6.12 net/ipv6/icmp.c): an error carries the offending packet's conntrack entry
// (icmpv6_getfrag → nf_ct_attach), and an error asked for while the ICMPv6 socket is sending is
// not sent (icmpv6_xmit_lock). Checked on the kernel by
// test/fidelity/found/fix-icmp6-ct-attach-xmit-lock.yaml.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-icmp6-ct-attach-xmit-lock.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-icmp6-ct-attach-xmit-lock.yaml');
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;

describe('ICMPv6 errors and conntrack, and the ICMPv6 socket lock (v6.12)', () => {
  it("lets the router's no-route error out past `ct state invalid drop`: it is related to the ping", () => {
    const t = run();
    const errors = t.packets.filter((p) => p.origin === 'router' && / destination unreachable/.test(p.summary) && / > 2001:db8:1::10:/.test(p.summary));
    assert.strictEqual(errors.length, 1);
    assert.strictEqual(errors[0].fate.host, 'client');
    assert.ok(t.events.some((e) => e.packet === errors[0].id && e.skb?.ct === 'IP_CT_RELATED_REPLY'));
  });

  it('sends no error about the echo reply its OUTPUT rule rejects, and the reply is dropped', () => {
    const t = run();
    assert.strictEqual(counter(t, 'router', 'Icmp6OutDestUnreachs'), 1);
    const reply = t.packets.find((p) => p.origin === 'router' && / echo reply/.test(p.summary))!;
    assert.strictEqual(reply.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.ok(t.events.some((e) => e.fn === 'icmp6_send' && /icmpv6_xmit_lock fails/.test(e.what)));
  });
});
