// Issue 15: quota (nft_quota). Lines checked with nft 1.0.6 (`nft -c -f` in a network namespace);
// the behaviour test sends frames of a known IP length through `quota` and `quota over`.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { ScenarioError } from '../../../src/scenario/types';
import { nfEvents, run, runExample, clientServer } from './helpers';

function nftRule(rule: string): { col: number; msg: string } | null {
  const text = `table inet t {\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`;
  try {
    runNft(new World().addHost('h'), fromFile(text, 'r.nft'));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { col: e.pos.col - 2, msg: e.detail };
  }
  return null;
}

describe('netfilter: quota (nft_quota)', () => {
  it('accepts and refuses as nft 1.0.6 does', () => {
    for (const r of ['quota 0 bytes', 'quota until 100 bytes', 'quota over 2 kbytes used 1 kbytes', 'quota 1500 bytes counter accept', 'quota over 3 mbytes drop']) assert.strictEqual(nftRule(r)?.msg ?? null, null, r);
    const refused: [string, number, RegExp][] = [
      ['quota 10 packets', 1, /^Wrong rate format/],
      ['quota over', 11, /expected a quota/],
      ['quota 5 mbytes used 6 mbytes', 1, /Invalid argument/],
    ];
    for (const [r, col, msg] of refused) {
      const got = nftRule(r);
      assert.ok(got, `${r}: accepted`);
      assert.match(got.msg, msg, r);
      assert.strictEqual(got.col, col, `${r}: ${got.msg}`);
    }
  });

  it('counts skb->len of every packet that reaches it; quota matches until over, quota over from then on', () => {
    const frames = (port: number): string =>
      [40000, 40001, 40002].map((sp) => `  - into: server:eth0\n    send: udp from 192.168.1.10:${sp} to 192.168.1.20:${port} size 400\n`).join('');
    const t = run(clientServer(
        [
          'nft add table ip f',
          `nft add chain ip f input '{ type filter hook input priority 0; }'`,
          'nft add rule ip f input udp dport 9 quota 1000 bytes accept',
          'nft add rule ip f input udp dport 9 drop',
          'nft add rule ip f input udp dport 10 quota over 500 bytes drop',
        ],
        `listen:
  - server: udp 9
  - server: udp 10
traffic:
${frames(9)}${frames(10)}`));
    const fates = (port: number): string[] => t.packets.filter((p) => new RegExp(`> 192\\.168\\.1\\.20\\.${port}:`).test(p.summary)).map((p) => p.fate.kind);
    assert.deepStrictEqual(fates(9), ['delivered', 'delivered', 'dropped'], '400, 800, then 1200 > 1000 bytes');
    assert.deepStrictEqual(fates(10), ['delivered', 'dropped', 'dropped'], '400 is not over 500; 800 and 1200 are');
    const third = t.packets.filter((p) => /\.9:/.test(p.summary))[2];
    const ev = nfEvents(t, 'server', third.id).find((e) => e.hook?.ruleIndex === 1)!;
    assert.match(ev.what, /1200 bytes consumed of a quota of 1000: over it/);
  });

  it('example nf-tcp-flags-quota: masked tcp flags, the SYN\'s MSS option, and the quota spent by the third datagram', () => {
    const t = runExample('nf-tcp-flags-quota.yaml');
    const syn = t.packets.find((p) => /TCP \[S\] /.test(p.summary))!;
    const rules = nfEvents(t, 'router', syn.id).filter((e) => e.hook?.chain === 'forward' && e.hook.ruleIndex);
    assert.deepStrictEqual(rules.map((e) => e.hook!.verdict), ['NFT_BREAK', 'NFT_BREAK', 'NF_ACCEPT']);
    assert.match(rules[1].what, /tcp option maxseg size 1460/);
    const udp = t.packets.filter((p) => /> 10\.0\.2\.2\.9: UDP/.test(p.summary));
    assert.deepStrictEqual(udp.map((p) => p.fate.kind), ['delivered', 'delivered', 'dropped']);
    assert.strictEqual(udp[2].fate.detail, 'fw forward policy drop');
  });
});
