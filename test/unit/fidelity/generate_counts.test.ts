// Feature `counts` (session 19): UDP and TCP items with `count N [rate R]`, appended to items the
// rest of the grammar drew, from a side stream; off unless included, so every scenario drawn
// without it is unchanged.
import * as assert from 'assert';
import { generate, modelRefuses, OFF_BY_DEFAULT } from '../../../src/fidelity/generate/index';

describe('fidelity: the generator draws counts', () => {
  it('is off by default', () => {
    assert.ok(OFF_BY_DEFAULT.includes('counts'));
    for (let i = 0; i < 20; i++) assert.deepStrictEqual(generate(7, i), generate(7, i, { exclude: ['counts'] }), `7/${i}`);
  });

  it('adds count and rate to UDP and TCP items of the scenario drawn without it, and the model runs them', function () {
    this.timeout(300000);
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const sc = generate(993001, i, { include: ['counts'] });
      const without = generate(993001, i);
      assert.deepStrictEqual({ ...sc, traffic: undefined }, { ...without, traffic: undefined });
      assert.strictEqual(sc.traffic.length, without.traffic.length);
      let added = false;
      sc.traffic.forEach((t, k) => {
        const base = without.traffic[k];
        if (!('send' in t) || !('send' in base) || t.send === base.send) return assert.deepStrictEqual(t, base);
        added = true;
        const extra = t.send.slice(base.send.length);
        assert.ok(t.send.startsWith(base.send), `993001/${i}: ${t.send}`);
        const m = /^ count (\d+)( rate (\d+))?$/.exec(extra);
        assert.ok(m && /^(udp|tcp connect) /.test(base.send), `993001/${i}: ${t.send}`);
        // several connections from one fixed port would collide: never drawn
        if (base.send.startsWith('tcp')) assert.ok(!/ from :\d+/.test(base.send), t.send);
        seen.add(`${base.send.split(' ')[0]}${m[2] ? ' rate' : ''}`);
      });
      if (added && i % 6 === 0) assert.strictEqual(modelRefuses(sc), undefined, `generated 993001/${i}`);
    }
    assert.deepStrictEqual([...seen].sort(), ['tcp', 'tcp rate', 'udp', 'udp rate']);
  });
});
