// ip_error's inet_peer token bucket (ip_rt_error_cost, ip_rt_error_burst; Linux v6.12), shared
// with icmpv4_xrlim_allow's rate_tokens.
import * as assert from 'assert';
import * as path from 'path';
import { runScenarioFile } from './helpers';

describe('ip_error: the sender\'s token bucket', () => {
  it('answers two of five unroutable packets in a burst: the third is refused by the ICMP limit, the rest by ip_error', () => {
    const t = runScenarioFile(path.resolve(__dirname, '../../../../test/fidelity/found/fix-ip-error-ratelimit.yaml'));
    assert.strictEqual(t.counters.r.IcmpOutDestUnreachs, 2);
    assert.strictEqual(t.counters.r.IcmpOutRateLimitHost, 1);
    assert.strictEqual(t.counters.r.IpExtInNoRoutes, 5);
    assert.strictEqual(t.events.filter((e) => e.fn === 'ip_error' && /token bucket .* is empty/.test(e.what)).length, 2);
  });
});
