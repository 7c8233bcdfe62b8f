// Two per-device settings that were accepted and ignored (session 13): drop_unicast_in_l2_multicast
// and secure_redirects, each against the same scenario with the setting off.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';

const FOUND = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found');
const text = (name: string): string => fs.readFileSync(path.join(FOUND, name), 'utf8');

describe('devconf: drop_unicast_in_l2_multicast and secure_redirects', () => {
  it('drops a unicast echo request that came as an L2 broadcast or multicast only while the setting is on', () => {
    const on = runScenarioText(text('fix-drop-unicast-in-l2-multicast.yaml'), 'on.yaml');
    const reasons = on.packets.slice(0, 3).map((p) => p.fate.reason ?? p.fate.kind);
    assert.deepStrictEqual(reasons.slice(0, 2), ['SKB_DROP_REASON_UNICAST_IN_L2_MULTICAST', 'SKB_DROP_REASON_UNICAST_IN_L2_MULTICAST']);
    const off = runScenarioText(text('fix-drop-unicast-in-l2-multicast.yaml').replace(/^.*drop_unicast_in_l2_multicast=1\n/m, ''), 'off.yaml');
    assert.ok(!off.packets.some((p) => p.fate.reason === 'SKB_DROP_REASON_UNICAST_IN_L2_MULTICAST'));
    assert.strictEqual(off.counters.h2.IcmpOutEchoReps, 3);
  });

  it('with shared_media off, takes a redirect only to a gateway a route already uses, while secure_redirects is on', () => {
    const redirected = (t: ReturnType<typeof runScenarioText>): string[] => t.events.filter((e) => e.fn === '__ip_do_redirect' || /redirect/.test(e.fn)).map((e) => e.what).filter((w) => /now goes via|rejected/.test(w));
    const on = redirected(runScenarioText(text('fix-secure-redirects.yaml'), 'on.yaml'));
    assert.ok(on.some((w) => /secure_redirects is on/.test(w)) && on.some((w) => /now goes via 10\.0\.1\.4/.test(w)), on.join('\n'));
    const off = redirected(runScenarioText(text('fix-secure-redirects.yaml').replace('ip link set eth0 up\n    ip route add default', 'ip link set eth0 up\n    sysctl -w net.ipv4.conf.all.secure_redirects=0\n    sysctl -w net.ipv4.conf.eth0.secure_redirects=0\n    ip route add default'), 'off.yaml'));
    assert.ok(off.some((w) => /now goes via 10\.0\.1\.3/.test(w)), off.join('\n'));
  });
});
