// Feature `nf-dyn` of the generator: numgen, jhash, dynamic sets, data maps and TCPMSS added to
// the hosts that got a ruleset, from a stream of their own, so the rest of each scenario (and the
// other features' draws) stays as drawn without it.
import * as assert from 'assert';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';

describe('fidelity: the generator draws nf-dyn (issue 15)', () => {
  it('adds lines of its constructs that the model runs, and leaves the rest as drawn', function () {
    this.timeout(120000);
    const seen = new Set<string>();
    let added = 0;
    for (let i = 0; i < 120; i++) {
      const plain = generate(990304, i, { exclude: ['nf-dyn', 'sysctl-more'] });
      const sc = generate(990304, i, { exclude: ['sysctl-more'] });
      assert.deepStrictEqual(sc.traffic, plain.traffic, `generated 990304/${i}`);
      sc.hosts.forEach((h, k) => {
        const base = plain.hosts[k].lines;
        // the host's lines without the feature come in the same order, the new ones among them
        let j = 0;
        for (const l of h.lines) if (l === base[j]) j++;
        assert.strictEqual(j, base.length, `generated 990304/${i} ${h.name}`);
        const extra = h.lines.filter((l) => !base.includes(l));
        added += extra.length;
        for (const l of extra) for (const m of l.match(/numgen inc|jhash|add @d|update @e|map \{|dnat to \S+ dport map|TCPMSS/g) ?? []) seen.add(m);
      });
      if (modelRefuses(plain) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated 990304/${i}`);
    }
    assert.ok(added > 20, `only ${added} lines added in 120 scenarios`);
    for (const c of ['numgen inc', 'jhash', 'add @d', 'map {', 'TCPMSS']) assert.ok(seen.has(c), `nf-dyn never drew ${c}`);
  });

  it('draws the same with or without nf-rules, whose lines come before', () => {
    for (let i = 0; i < 40; i++) {
      const a = generate(990305, i, { exclude: ['sysctl-more'] });
      const b = generate(990305, i, { exclude: ['nf-rules', 'sysctl-more'] });
      a.hosts.forEach((h, k) => {
        const dyn = (ls: string[]): string[] => ls.filter((l) => / ip dyn |TCPMSS/.test(l));
        assert.deepStrictEqual(dyn(h.lines), dyn(b.hosts[k].lines), `generated 990305/${i} ${h.name}`);
      });
    }
  });
});
