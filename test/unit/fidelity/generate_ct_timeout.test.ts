// Feature `ct-timeout` (session 16): short conntrack timeouts on hosts that track connections,
// and waits for them to run out, drawn last so that the scenario without the feature is the one
// with it less these lines and waits.
import * as assert from 'assert';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';
import type { GenTraffic } from '../../../src/fidelity/generate/scenario';

const SPAN = /^sysctl -w net\.netfilter\.nf_conntrack_(udp_timeout(_stream)?|icmp_timeout|tcp_timeout_\w+)=\d+$/;

describe('fidelity: the generator draws ct-timeout', () => {
  it('is off unless included, adds only timeout lines and waits, and the model runs what it draws', function () {
    this.timeout(300000);
    let lines = 0;
    let waits = 0;
    for (let i = 0; i < 120; i++) {
      const base = generate(990700, i);
      const sc = generate(990700, i, { include: ['ct-timeout'] });
      for (const [k, h] of sc.hosts.entries()) {
        const b = base.hosts[k].lines;
        assert.deepStrictEqual(h.lines.slice(0, b.length), b, `990700/${i} ${h.name}`);
        for (const l of h.lines.slice(b.length)) {
          assert.match(l, /^iptables -A (INPUT|FORWARD|OUTPUT) -m conntrack --ctstate INVALID -j DROP$|^sysctl -w net\.netfilter\.nf_conntrack_/, `990700/${i} ${h.name}`);
          if (!SPAN.test(l)) continue;
          lines++;
        }
      }
      const added = sc.traffic.filter((t) => 'wait' in t).length - base.traffic.filter((t) => 'wait' in t).length;
      waits += added;
      // less the waits, the traffic is the one drawn without the feature
      const noWaits = (ts: GenTraffic[]): GenTraffic[] => ts.filter((t) => !('wait' in t));
      assert.deepStrictEqual(noWaits(sc.traffic), noWaits(base.traffic), `990700/${i}`);
      sc.traffic.forEach((t, j) => {
        const next = sc.traffic[j + 1];
        if ('wait' in t && next) assert.ok(!('at' in next && next.at), `990700/${i}: a wait before a timed item`);
      });
      if (i % 10 === 0 && (lines || waits)) assert.strictEqual(modelRefuses(sc), undefined, `generated 990700/${i} with ct-timeout`);
    }
    assert.ok(lines > 20, `${lines} timeout lines drawn`);
    assert.ok(waits > 20, `${waits} waits drawn`);
    assert.ok(!generate(990700, 0).hosts.some((h) => h.lines.some((l) => SPAN.test(l))), 'off by default');
  });
});
