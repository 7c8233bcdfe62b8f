// The `ipv6` feature's ip6tables nat table (issue 14): MASQUERADE, SNAT --to-source and DNAT
// --to-destination with IPv6 addresses, added to hosts whose IPv6 ruleset is ip6tables, from a
// side stream seeded by the host's lines, so the lines drawn before stay as they were.
import * as assert from 'assert';
import { CI_GENERATED } from '../../../src/fidelity/generate/ci';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';
import { ip6tablesNat } from '../../../src/fidelity/generate/ipv6_nat_ipt';
import type { Ctx6 } from '../../../src/fidelity/generate/ipv6';
import type { GenHost } from '../../../src/fidelity/generate/scenario';

const NAT = /^ip6tables -t nat -A (POSTROUTING|PREROUTING) .*-j (MASQUERADE|SNAT --to-source \S+|DNAT --to-destination \S+)$/;

describe('fidelity: the generator draws ip6tables nat with ipv6', () => {
  it('draws MASQUERADE, SNAT and DNAT (bare and [ADDR]:PORT) that the model runs', function () {
    this.timeout(120000);
    const kinds = new Set<string>();
    for (const seed of [990521, 990522]) {
      for (let i = 0; i < 40; i++) {
        const sc = generate(seed, i, { include: ['ipv6'] });
        const lines = sc.hosts.flatMap((h) => h.lines).filter((l) => l.startsWith('ip6tables -t nat'));
        for (const l of lines) {
          const m = NAT.exec(l);
          assert.ok(m, l);
          kinds.add(m[2].startsWith('DNAT') ? (/\[/.test(l) ? 'DNAT [ADDR]:PORT' : 'DNAT ADDR') : m[2].split(' ')[0]);
        }
        // a draw the model refuses for another reason is drawn again (validGenerated): only the nat lines are judged here
        const plain = { ...sc, hosts: sc.hosts.map((h) => ({ ...h, lines: h.lines.filter((l) => !l.startsWith('ip6tables -t nat')) })) };
        if (lines.length && modelRefuses(plain) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated ${seed}/${i}: ${lines.join('; ')}`);
      }
    }
    assert.deepStrictEqual([...kinds].sort(), ['DNAT ADDR', 'DNAT [ADDR]:PORT', 'MASQUERADE', 'SNAT']);
  });

  it('only appends, to a host with an ip6tables ruleset, from a stream seeded by its lines', () => {
    const v6 = { ifaces: [{ host: 'r', ifname: 'eth1', addr: '2001:db8:2::1' }, { host: 's', ifname: 'eth0', addr: '2001:db8:2::2' }] } as unknown as Ctx6;
    let drawn = 0;
    for (let n = 0; n < 40; n++) {
      const lines = ['sysctl -w net.ipv6.conf.all.forwarding=1', `ip6tables -A FORWARD -p udp --dport ${1000 + n} -j ACCEPT`];
      const h = { name: 'r', lines: lines.slice() } as GenHost;
      ip6tablesNat(h, lines, 1, v6);
      assert.deepStrictEqual(h.lines.slice(0, 2), lines, 'the lines drawn before stay');
      assert.ok(h.lines.length <= 3);
      const again = { name: 'r', lines: lines.slice() } as GenHost;
      ip6tablesNat(again, lines, 1, v6);
      assert.deepStrictEqual(again.lines, h.lines, 'the same lines draw the same rule');
      drawn += h.lines.length - 2;
      const nft = { name: 'r', lines: ['nft add table ip6 f'] } as GenHost;
      ip6tablesNat(nft, nft.lines.slice(), 0, v6);
      assert.strictEqual(nft.lines.length, 1, 'not to an nft ruleset');
    }
    assert.ok(drawn > 5 && drawn < 35, `${drawn} of 40`);
  });

  it("draws nothing without ipv6: CI's seeds have no ip6tables nat", () => {
    for (const seed of CI_GENERATED.seeds) for (let i = 0; i < 10; i++) assert.ok(generate(seed, i).hosts.every((h) => h.lines.every((l) => !l.startsWith('ip6tables'))), `generated ${seed}/${i}`);
  });
});
