// A packet dropped by nftables carries, in its fate, the rule (or the policy) that dropped it,
// so that a fates-only run (netstack replay) can say which without events.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';

const sc = (rules: string): string => `name: t
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
${rules}
links:
  - client:eth0 server:eth0
listen:
  - server: udp 53
traffic:
  - from: client
    send: udp to 10.0.1.1:53 payload x
`;

function dropFate(rules: string): string | undefined {
  for (const level of ['fates', 'full'] as const) {
    const t = runScenarioText(sc(rules), 't.yaml', { level });
    const udp = t.packets.find((p) => p.summary.includes('UDP'))!;
    assert.strictEqual(udp.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    if (level === 'full') return udp.fate.detail;
  }
  return undefined;
}

describe('netfilter: the fate of a drop names its rule', () => {
  it('a rule of an nft chain, counted from 1', () => {
    assert.strictEqual(
      dropFate(`    nft add table ip f
    nft add chain ip f in '{ type filter hook input priority 0; policy accept; }'
    nft add rule ip f in tcp dport 22 accept
    nft add rule ip f in udp dport 53 drop`),
      'f in rule 2',
    );
  });

  it("a base chain's policy", () => {
    assert.strictEqual(
      dropFate(`    nft add table ip f
    nft add chain ip f in '{ type filter hook input priority 0; policy drop; }'`),
      'f in policy drop',
    );
  });

  it('an iptables rule (iptables-nft: table filter, chain INPUT)', () => {
    assert.strictEqual(dropFate('    iptables -A INPUT -p udp --dport 53 -j DROP'), 'filter INPUT rule 1');
  });
});
