// Feature `nf6-ext` of the generator (issue 14): with `ipv6`, nft extension-header matches and
// ip6tables' ipv6header/ah/frag/rt, conntrack/state, HL and raw rules added to the hosts that got an
// IPv6 ruleset, from a stream of their own, so the rest of each scenario stays as drawn without it.
import * as assert from 'assert';
import { CI_GENERATED } from '../../../src/fidelity/generate/ci';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';
import { render } from '../../../src/fidelity/generate/scenario';

describe('fidelity: the generator draws nf6-ext (IPv6 extension headers, ip6tables conntrack/HL/raw)', () => {
  it('adds lines of its constructs that the model runs, and leaves the rest of each IPv6 scenario as drawn', function () {
    this.timeout(120000);
    const seen = new Set<string>();
    let added = 0;
    for (const seed of [990601, 990602]) {
      for (let i = 0; i < 60; i++) {
        const plain = generate(seed, i, { include: ['ipv6'], exclude: ['nf6-ext', 'sysctl-more'] });
        const sc = generate(seed, i, { include: ['ipv6'], exclude: ['sysctl-more'] });
        assert.deepStrictEqual(sc.traffic, plain.traffic, `generated ${seed}/${i}`);
        sc.hosts.forEach((h, k) => {
          const base = plain.hosts[k].lines;
          let j = 0;
          for (const l of h.lines) if (l === base[j]) j++;
          assert.strictEqual(j, base.length, `generated ${seed}/${i} ${h.name}: the lines drawn without nf6-ext, in order`);
          const extra = h.lines.filter((l) => !base.includes(l));
          added += extra.length;
          for (const l of extra) for (const m of l.match(/exthdr \w+ (exists|missing)|frag (more-fragments|frag-off)|rt seg-left|(hbh|dst) nexthdr|-m (ipv6header|ah|frag|rt|conntrack|state)\b|-j HL|-j (NOTRACK|CT --notrack)/g) ?? []) seen.add(m.replace(/exthdr \w+/, 'exthdr'));
        });
        if (modelRefuses(plain) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated ${seed}/${i}`);
      }
    }
    assert.ok(added > 30, `only ${added} lines added in 120 IPv6 scenarios`);
    for (const c of ['exthdr exists', 'exthdr missing', 'frag more-fragments', 'frag frag-off', 'rt seg-left', '-m ipv6header', '-m ah', '-m conntrack', '-j HL', '-j NOTRACK', '-j CT --notrack']) assert.ok(seen.has(c), `nf6-ext never drew ${c}: ${[...seen].join(', ')}`);
  });

  it("draws nothing without ipv6: CI's seeds and the default draw render as before", () => {
    for (let i = 0; i < CI_GENERATED.perSeed; i++) {
      for (const seed of [...CI_GENERATED.seeds, 990411]) assert.strictEqual(render(generate(seed, i)), render(generate(seed, i, { exclude: ['nf6-ext'] })), `generated ${seed}/${i}`);
    }
  });
});
