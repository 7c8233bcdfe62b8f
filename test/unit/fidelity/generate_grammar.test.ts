// Feature `nf-grammar` (issue 15, session 12): the rest of the rule grammar the model reads and
// models, drawn from a side stream and appended after every other line, so a scenario with the
// feature is the one without it plus these lines; CI's seeds leave the feature out.
import * as assert from 'assert';
import { CI_GENERATED } from '../../../src/fidelity/generate/ci';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';

const KINDS: [string, RegExp][] = [
  ['user chain (nft)', /^nft add rule (ip|inet) g c .* (jump|goto) sub$/],
  ['return', /^nft add rule (ip|inet) g sub .* return$/],
  ['named object', /(quota|counter) name "(q1|c1)"/],
  ['delete @set', /delete @d \{ ip saddr \}/],
  ['log level', /\blog level \w+/],
  ['log group', /\blog group \d/],
  ['byte rate', /limit rate (over )?\d kbytes\/second/],
  ['rare nft key', /\b(ip protocol|ip ttl|tcp ackseq|tcp urgptr|th [sd]port|icmp sequence|@nh,|@th,|ct l3proto|ct zone|iifgroup|oifgroup|meta pkttype|meta length|meta priority|meta nftrace set|meta ipsec|iif|oif|meta nfproto) /],
  ['snat range', /snat to [\d.]+-[\d.]+/],
  ['user chain (iptables)', /^iptables -I \w+ 1 .*-[jg] g$/],
  ['iptables match', /^iptables .*(--icmp-type|-f |-m (multiport|mark|connmark|comment|ttl|length|pkttype|ecn|tcpmss|policy))/],
  ['NFQUEUE', /-j NFQUEUE --queue-num \d/],
  ['mangle target', /-j (ECN|CLASSIFY|TCPOPTSTRIP|TRACE)\b/],
];

describe('fidelity: the generator draws nf-grammar', () => {
  it('draws every kind, on top of the scenario drawn without the feature, and the model runs them', function () {
    this.timeout(300000);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      // (sysctl-more's lines come last, seeded by these: left out of both)
      const sc = generate(990417, i, { exclude: ['sysctl-more'] });
      const without = generate(990417, i, { exclude: ['nf-grammar', 'sysctl-more'] });
      let added = false;
      for (const [k, h] of sc.hosts.entries()) {
        const base = without.hosts[k].lines;
        // every line drawn without the feature is there, in its place; the new ones come after
        assert.deepStrictEqual(h.lines.slice(0, base.length), base, `990417/${i} ${h.name}`);
        for (const l of h.lines.slice(base.length)) {
          added = true;
          for (const [kind, re] of KINDS) if (re.test(l)) seen.add(kind);
        }
      }
      assert.deepStrictEqual({ ...sc, hosts: undefined }, { ...without, hosts: undefined });
      if (added && i % 20 === 0 && modelRefuses(without) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated 990417/${i}`);
    }
    assert.deepStrictEqual([...seen].sort(), KINDS.map(([k]) => k).sort());
  });

  it("is left out of CI's seeds", () => {
    assert.ok(CI_GENERATED.exclude.includes('nf-grammar'));
    for (const seed of CI_GENERATED.seeds) {
      for (let i = 0; i < 10; i++) assert.ok(!generate(seed, i).hosts.some((h) => h.lines.some((l) => / (ip|inet) g |iptables -N g|NFQUEUE|TCPOPTSTRIP/.test(l))), `${seed}/${i}`);
    }
  });
});
