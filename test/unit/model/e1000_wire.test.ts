// The e1000 model's wire: one frame at a time, in the order the driver was given them.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { runScenarioText } from '../../../src/scenario/run';

describe('e1000: frames cross the wire in order', () => {
  const file = join(__dirname, '../../../../test/fidelity/found/fix-nic-wire-order.yaml');
  const t = runScenarioText(readFileSync(file, 'utf8'), 'fix-nic-wire-order.yaml');

  it('the short last fragment arrives after the long ones it was sent behind, and completes the queue', () => {
    const h1 = t.events.filter((e) => e.host === 'h1' && (e.fn === 'ip_frag_queue' || e.fn === 'ip_frag_reasm'));
    const offsets = h1.filter((e) => e.fn === 'ip_frag_queue').map((e) => Number(/offset (\d+)/.exec(e.what)?.[1]));
    assert.deepStrictEqual(offsets, [0, 1256, 2512, 3768, 5024, 6280, 7536]);
    assert.strictEqual(h1[h1.length - 1].fn, 'ip_frag_reasm');
    // h1 meets the fragments in the order h2's NIC sent them
    const sent = t.events.filter((e) => e.host === 'h2' && e.fn === 'e1000_xmit_frame').map((e) => e.packet);
    const seen: number[] = [];
    for (const e of t.events) if (e.host === 'h1' && sent.includes(e.packet) && !seen.includes(e.packet)) seen.push(e.packet);
    assert.deepStrictEqual(seen, sent);
  });

  it('each frame reaches the peer no sooner than the wire time of the frames before it', () => {
    const sent = t.events.filter((e) => e.host === 'h2' && e.fn === 'e1000_xmit_frame');
    assert.strictEqual(sent.length, 8);
    // 1276-byte IP packets: (1290 + 24) × 8 ns each on the wire, one after the other
    const waits = sent.map((e) => Number(/after the (\d+) ns/.exec(e.what)?.[1] ?? 0));
    assert.deepStrictEqual(waits, [0, 10512, 21024, 31536, 42048, 52560, 63072, 73584]);
  });
});
