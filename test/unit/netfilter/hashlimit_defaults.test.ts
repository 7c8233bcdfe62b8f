// Issue 15: what libxt_hashlimit (iptables 1.8.9, revision 3) fills in when a line leaves it out,
// which the kernel then follows (xt_hashlimit.c, v6.12): an entry lives one unit of the rate
// (--hashlimit-htable-expire), and with --hashlimit-rate-match the average is per second of the
// unit and the interval is the unit.
import * as assert from 'assert';
import { evalRule, loadAll, pkt, runExample } from './helpers';

describe('hashlimit: the defaults iptables gives the kernel (issue 15)', () => {
  it('without --hashlimit-htable-expire, a 1/minute entry outlives 15 s: only the first ping is answered (nf-hashlimit-expire.yaml, agrees with the kernel)', () => {
    const t = runExample('nf-hashlimit-expire.yaml');
    const req = t.packets.filter((p) => /ICMP echo request/.test(p.summary));
    assert.deepStrictEqual(
      req.map((p) => p.fate.kind),
      ['consumed', 'dropped', 'dropped'],
    );
  });

  it('--hashlimit-rate-match with N/hour: N a second of the hour, over an interval of an hour (burst 5 + N)', () => {
    const r = loadAll(['-A INPUT -m hashlimit --hashlimit-upto 3/hour --hashlimit-rate-match --hashlimit-name rm']);
    const got = Array.from({ length: 9 }, () => evalRule(r.net, r.rules[0], pkt(17, [0, 1, 0, 2, 0, 8, 0, 0])));
    assert.deepStrictEqual(got, [true, true, true, true, true, true, true, true, false]);
  });
});
