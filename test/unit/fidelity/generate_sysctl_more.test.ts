// Feature `sysctl-more` (session 13): the sysctls the model reads that `sysctl` did not draw,
// from a side stream, so a scenario with the feature is the one without it plus these lines.
import * as assert from 'assert';
import { CI_GENERATED } from '../../../src/fidelity/generate/ci';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';

const KEYS: [string, RegExp][] = [
  ['fwmark_reflect', /^sysctl -w net\.ipv4\.fwmark_reflect=[01]$/],
  ['tcp_syn_linear_timeouts', /^sysctl -w net\.ipv4\.tcp_syn_linear_timeouts=\d$/],
  ['tcp_rmem', /^sysctl -w net\.ipv4\.tcp_rmem="\d+ \d+ \d+"$/],
  ['conf forwarding', /^sysctl -w net\.ipv4\.conf\.\w+\.forwarding=[01]$/],
  ['secure_redirects', /\.secure_redirects=[01]$/],
  ['shared_media', /\.shared_media=[01]$/],
  ['arp_accept', /\.arp_accept=[012]$/],
  ['drop_unicast_in_l2_multicast', /\.drop_unicast_in_l2_multicast=[01]$/],
  ['src_valid_mark', /\.src_valid_mark=[01]$/],
  ['app_solicit', /^sysctl -w net\.ipv4\.neigh\.eth\d+\.app_solicit=\d$/],
  ['unres_qlen_bytes', /^sysctl -w net\.ipv4\.neigh\.eth\d+\.unres_qlen_bytes=\d+$/],
];
const isMore = (l: string): boolean => KEYS.some(([, re]) => re.test(l));

describe('fidelity: the generator draws sysctl-more', () => {
  it('draws every key, adds only its lines to the scenario drawn without it, and the model runs them', function () {
    this.timeout(300000);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const sc = generate(990601, i);
      const without = generate(990601, i, { exclude: ['sysctl-more'] });
      let added = false;
      for (const [k, h] of sc.hosts.entries()) {
        const base = without.hosts[k].lines;
        // every line drawn without the feature is there, in its place; the new ones come after
        assert.deepStrictEqual(h.lines.slice(0, base.length), base, `990601/${i} ${h.name}`);
        for (const l of h.lines.slice(base.length)) {
          assert.ok(isMore(l), `990601/${i} ${h.name}: ${l}`);
          added = true;
          for (const [key, re] of KEYS) if (re.test(l)) seen.add(key);
        }
      }
      assert.deepStrictEqual({ ...sc, hosts: undefined }, { ...without, hosts: undefined });
      if (added && i % 15 === 0 && modelRefuses(without) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated 990601/${i}`);
    }
    assert.deepStrictEqual([...seen].sort(), KEYS.map(([k]) => k).sort());
  });

  it("is left out of CI's seeds", () => {
    assert.ok(CI_GENERATED.exclude.includes('sysctl-more'));
    for (const seed of CI_GENERATED.seeds) {
      for (let i = 0; i < 20; i++) {
        assert.deepStrictEqual(generate(seed, i), generate(seed, i, { exclude: ['sysctl-more'] }), `${seed}/${i}`);
      }
    }
  });
});
