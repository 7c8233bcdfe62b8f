// Building a ruleset one `nft add rule` line at a time must cost what its rules cost: each line
// is its own transaction, and neither saving the ruleset for a rollback, nor registering the
// conntrack hooks, nor checking the jump stack may rescan the rules already there.
import { parseScenario } from '../../src/scenario/parse';
import { buildWorld } from '../../src/scenario/build';

function scenario(n: number): string {
  const lines = ['nft add table ip t', "nft add chain ip t c '{ type filter hook input priority 0; }'", 'nft add chain ip t d'];
  for (let i = 0; i < n; i++) lines.push(i % 100 === 0 ? 'nft add rule ip t c jump d' : `nft add rule ip t c tcp dport ${(i % 65535) + 1} counter accept`);
  return `name: b\nhosts:\n  a: |\n${lines.map((l) => '    ' + l).join('\n')}\ntraffic: []\n`;
}

export function benchRuleset(): string {
  const out = ['nft add rule, one line each (parse + build):'];
  for (const n of [10_000, 50_000, 100_000]) {
    const text = scenario(n);
    const t0 = performance.now();
    const sc = parseScenario(text, 'b.yaml');
    const t1 = performance.now();
    buildWorld(sc, 'fates');
    const t2 = performance.now();
    out.push(`  ${String(n).padStart(7)} rules: parse ${((t1 - t0) / 1000).toFixed(1)} s, build ${((t2 - t1) / 1000).toFixed(1)} s, ${(((t2 - t0) / n) * 1000).toFixed(0)} µs a line`);
  }
  return out.join('\n');
}
