// Feature `ct-window` (session 17): a TCP conversation crafted on both links of a router, drawn
// last, so that the scenario without the feature is the one with it less these lines and items.
import * as assert from 'assert';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';

const LINE = /^iptables -A FORWARD -m (conntrack --ctstate|state --state) INVALID -j DROP$|^iptables -t raw -I PREROUTING -p tcp --dport \d+ -j DROP$|^sysctl -w net\.netfilter\.nf_conntrack_tcp_(loose=0|be_liberal=1|ignore_invalid_rst=1|max_retrans=\d+)$/;
const SEG = /^tcp from [\d.]+:\d+ to [\d.]+:\d+ flags [SAPRF]+ seq \d+( ack \d+)?( size \d+)?( window \d+)?$/;

describe('fidelity: the generator draws ct-window', () => {
  it('is off unless included, appends only its lines and crafted segments, and the model runs what it draws', function () {
    this.timeout(300000);
    let drawn = 0;
    for (let i = 0; i < 60; i++) {
      const base = generate(991000, i);
      const sc = generate(991000, i, { include: ['ct-window'] });
      for (const [k, h] of sc.hosts.entries()) {
        const b = base.hosts[k].lines;
        assert.deepStrictEqual(h.lines.slice(0, b.length), b, `991000/${i} ${h.name}`);
        for (const l of h.lines.slice(b.length)) assert.match(l, LINE, `991000/${i} ${h.name}`);
      }
      assert.deepStrictEqual(sc.traffic.slice(0, base.traffic.length), base.traffic, `991000/${i}`);
      const added = sc.traffic.slice(base.traffic.length);
      for (const t of added) assert.ok('into' in t && SEG.test(t.send), `991000/${i}: ${JSON.stringify(t)}`);
      if (added.length) {
        drawn++;
        // a handshake first: the client's SYN from its port outside ip_local_port_range
        assert.match((added[0] as { send: string }).send, /:61001 to .* flags S seq/);
        if (drawn % 4 === 1) assert.strictEqual(modelRefuses(sc), undefined, `generated 991000/${i} with ct-window`);
      }
    }
    assert.ok(drawn > 10, `${drawn} of 60 scenarios got a conversation`);
  });
});
