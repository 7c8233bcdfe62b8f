// Feature `nf-conn` (issue 15): connection counting (-m connlimit, ct count), ct status assured,
// meta protocol and mark shifts, drawn from a side stream and appended after every
// other line, so a scenario with the feature is the one without it plus these lines; CI's seeds
// leave the feature out.
import * as assert from 'assert';
import { CI_GENERATED } from '../../../src/fidelity/generate/ci';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';

const KINDS: [string, RegExp][] = [
  ['connlimit', /^iptables -I \w+ 1 .*-m connlimit --connlimit-(above|upto) \d/],
  ['ct count', /^nft add rule ip conn c .*ct count (over )?\d/],
  ['assured', /(ct status (!= )?assured|--ctstatus ASSURED)/],
  ['meta protocol', /^nft add rule ip conn c meta protocol /],
  ['mark shift', /^nft add rule ip conn c meta mark set (meta|ct) mark (<<|>>) \d/],
];

describe('fidelity: the generator draws nf-conn', () => {
  it('draws every kind, on top of the scenario drawn without the feature, and the model runs them', function () {
    this.timeout(180000);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      // (nf-grammar's lines come after nf-conn's: left out of both)
      const sc = generate(990121, i, { exclude: ['nf-grammar', 'sysctl-more'] });
      const without = generate(990121, i, { exclude: ['nf-conn', 'nf-grammar', 'sysctl-more'] });
      for (const [k, h] of sc.hosts.entries()) {
        const base = without.hosts[k].lines;
        // every line drawn without the feature is there, in its place; the new ones come after
        assert.deepStrictEqual(h.lines.slice(0, base.length), base, `990121/${i} ${h.name}`);
        for (const l of h.lines.slice(base.length)) {
          const kind = KINDS.find(([, re]) => re.test(l));
          if (kind) seen.add(kind[0]);
          else assert.ok(/^nft add (table|chain) ip conn|^nft add rule ip conn c meta mark 0x\d counter/.test(l), l);
        }
      }
      assert.deepStrictEqual({ ...sc, hosts: undefined }, { ...without, hosts: undefined });
      if (modelRefuses(without) === undefined && sc.hosts.some((h, k) => h.lines.length > without.hosts[k].lines.length)) {
        assert.strictEqual(modelRefuses(sc), undefined, `generated 990121/${i}`);
      }
    }
    assert.deepStrictEqual([...seen].sort(), KINDS.map(([k]) => k).sort());
  });

  it("is left out of CI's seeds", () => {
    assert.ok(CI_GENERATED.exclude.includes('nf-conn'));
    for (const seed of CI_GENERATED.seeds) {
      for (let i = 0; i < 10; i++) assert.ok(!generate(seed, i).hosts.some((h) => h.lines.some((l) => / ip conn |connlimit|assured/.test(l))), `${seed}/${i}`);
    }
  });
});
