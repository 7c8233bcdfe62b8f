// Feature `breadth` (session 17): forms the parsers accept that the rest of the grammar never
// draws, each of which agreed with the kernel when replayed, drawn from a side stream and appended
// after every other line; off unless included, so every scenario drawn without it is unchanged.
import * as assert from 'assert';
import { generate, modelRefuses, OFF_BY_DEFAULT } from '../../../src/fidelity/generate/index';

const KINDS: [string, RegExp][] = [
  ['--sport', /^iptables -A \w+ -p (udp|tcp) --sport \d+ -j \w+$/],
  ['-m tcp reset', /^iptables -A \w+ -p tcp -m tcp --dport \d+ -j REJECT --reject-with tcp-reset$/],
  ['-m udp', /^iptables -A \w+ -p udp -m udp --dport \d+ /],
  ['-m icmp', /^iptables -A \w+ -p icmp -m icmp --icmp-type \S+ /],
  ['iprange', /-m iprange --(src|dst)-range [\d.]+-[\d.]+ /],
  ['multiport --ports', /-m multiport --ports \d+,\d+ /],
  ['LOG --log-level', /-j LOG --log-prefix "[^"]+" --log-level \w+$/],
  ['chain made and removed', /^iptables -X bx$/],
  ['rule deleted', /^iptables -D \w+ -p udp --dport \d+ -j DROP$/],
  ['brd +', /^ip address add [\d.]+\/\d+ brd \+ dev \w+$/],
  ['addr del', /^ip addr del [\d.]+\/\d+ dev \w+$/],
];

describe('fidelity: the generator draws breadth', () => {
  it('is off by default', () => {
    assert.ok(OFF_BY_DEFAULT.includes('breadth'));
    for (let i = 0; i < 20; i++) assert.deepStrictEqual(generate(7, i), generate(7, i, { exclude: ['breadth'] }), `7/${i}`);
  });

  it('draws every kind on top of the scenario drawn without it, and the model runs them', function () {
    this.timeout(300000);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const sc = generate(990717, i, { include: ['breadth'] });
      const without = generate(990717, i);
      let added = false;
      for (const [k, h] of sc.hosts.entries()) {
        const base = without.hosts[k].lines;
        assert.deepStrictEqual(h.lines.slice(0, base.length), base, `990717/${i} ${h.name}`);
        for (const l of h.lines.slice(base.length)) {
          added = true;
          const kinds = KINDS.filter(([, re]) => re.test(l)).map(([kind]) => kind);
          // every line is of a kind the feature means to draw (a cycle's -N/-A/-F/-Z lines aside)
          assert.ok(kinds.length || /^iptables -(N bx|A bx -j ACCEPT|F bx|Z \w+|A \w+ -p udp --dport \d+ -j DROP)$/.test(l), `990717/${i}: ${l}`);
          for (const kind of kinds) seen.add(kind);
        }
      }
      assert.deepStrictEqual({ ...sc, hosts: undefined }, { ...without, hosts: undefined });
      if (added && i % 10 === 0 && modelRefuses(without) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated 990717/${i}`);
    }
    assert.deepStrictEqual([...seen].sort(), KINDS.map(([k]) => k).sort());
  });
});
