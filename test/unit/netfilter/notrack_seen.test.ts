// nft_notrack_eval and xt_ct_target (v6.12) leave alone a packet that already carries conntrack:
// one sent to the host itself keeps LOCAL_OUT's entry through loopback, so a raw-priority notrack
// in PREROUTING does nothing there; a packet from another host has none and becomes untracked.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

function run(to: string, peer: boolean): Trace {
  const text = `name: t
hosts:
  h1: |
${peer ? '    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\n' : ''}    nft add table ip fw
    nft add chain ip fw pre '{ type filter hook prerouting priority raw; policy accept; }'
    nft add rule ip fw pre ip protocol icmp notrack
    nft add rule ip fw pre ct state new counter
    nft add rule ip fw pre ct state untracked counter
${peer ? '  h2: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - h1:eth0 h2:eth0\n' : ''}traffic:
  - from: ${peer ? 'h2' : 'h1'}
    send: icmp echo-request to ${to}
`;
  return runScenarioText(text, 't.yaml');
}

/** the rules of h1's prerouting chain that matched the echo request */
function matched(t: Trace): number[] {
  const req = t.packets.find((p) => /echo request/.test(p.summary))!.id;
  return t.events.filter((e) => e.packet === req && e.host === 'h1' && e.hook?.hook === 'NF_INET_PRE_ROUTING' && e.hook.ruleIndex && /it matches/.test(e.what)).map((e) => e.hook!.ruleIndex!);
}

describe('notrack on a packet that already carries conntrack', () => {
  it('over loopback the echo request keeps its entry: ct state new matches after notrack, untracked does not', () => {
    assert.deepStrictEqual(matched(run('127.0.0.1', false)), [1, 2]);
  });
  it('from another host the echo request has none: notrack makes it untracked', () => {
    assert.deepStrictEqual(matched(run('10.0.1.1', true)), [1, 3]);
  });
});
