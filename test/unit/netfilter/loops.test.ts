// nft_table_validate (v6.12): jumps are followed from each base chain, one level per jump; level
// NFT_JUMP_STACK_SIZE (16) fails with EMLINK. Loops not reachable from a base chain are accepted.
// Checked on the real kernel: `nft add rule ip v a jump a` is accepted while no base chain jumps
// to `a`, and the base chain's jump is then refused with "Could not process rule: Too many links".
import * as assert from 'assert';
import { run } from './helpers';
import { ScenarioErrors } from '../../../src/scenario/types';
import { parseScenario } from '../../../src/scenario/parse';
import { buildWorld } from '../../../src/scenario/build';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';

function host(lines: string[]): string {
  return `name: t\nhosts:\n  a:\n${lines.map((l) => `    - ${JSON.stringify(l)}`).join('\n')}\ntraffic: []\n`;
}

function errors(text: string, files: Record<string, string> = {}): string[] {
  try {
    run(text, files);
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  return [];
}

const BASE = ['nft add table ip t', "nft add chain ip t in '{ type filter hook input priority 0; }'"];
const chains = (n: number): string[] => Array.from({ length: n }, (_, i) => `nft add chain ip t c${i + 1}`);

describe('chain loops and the jump stack (nft_table_validate)', () => {
  it('refuses a loop of two chains reachable from a base chain, at the rule that closes it', () => {
    const errs = errors(host([...BASE, ...chains(2), 'nft add rule ip t in jump c1', 'nft add rule ip t c1 jump c2', 'nft add rule ip t c2 goto c1']));
    assert.deepStrictEqual(errs, ['nf.yaml:10:12: Could not process rule: Too many links: in → c1 → c2 → c1 is a loop (the kernel follows at most 16 jumps from a base chain, NFT_JUMP_STACK_SIZE)']);
  });

  it('accepts a loop no base chain reaches, and refuses the jump from a base chain that reaches it', () => {
    assert.deepStrictEqual(errors(host([...BASE, ...chains(2), 'nft add rule ip t c1 jump c2', 'nft add rule ip t c2 jump c1', 'nft add rule ip t c1 jump c1'])), []);
    const errs = errors(host([...BASE, ...chains(1), 'nft add rule ip t c1 jump c1', 'nft add rule ip t in jump c1']));
    assert.strictEqual(errs.length, 1);
    assert.match(errs[0], /^nf\.yaml:8:12: Could not process rule: Too many links: in → c1 → c1 is a loop/);
  });

  it('takes 15 jumps from a base chain and refuses the 16th, without a loop', () => {
    const jumps = (n: number): string[] => ['nft add rule ip t in jump c1', ...Array.from({ length: n - 1 }, (_, i) => `nft add rule ip t c${i + 1} jump c${i + 2}`)];
    assert.deepStrictEqual(errors(host([...BASE, ...chains(16), ...jumps(15)])), []);
    const errs = errors(host([...BASE, ...chains(16), ...jumps(16)]));
    assert.strictEqual(errs.length, 1);
    assert.match(errs[0], /Too many links: in → c1 → .* → c16 \(the kernel follows at most 16 jumps/);
  });

  it('finds loops through verdict maps, anonymous and named, also when an element is added later', () => {
    const anon = errors(host([...BASE, ...chains(2), 'nft add rule ip t in tcp dport vmap { 22 : jump c1 }', 'nft add rule ip t c1 udp dport vmap { 53 : goto c2 }', 'nft add rule ip t c2 jump c1']));
    assert.strictEqual(anon.length, 1);
    assert.match(anon[0], /in → c1 → c2 → c1 is a loop/);
    const named = errors(
      host([...BASE, ...chains(1), "nft add map ip t m '{ type inet_service : verdict; }'", 'nft add rule ip t in tcp dport vmap @m', 'nft add rule ip t c1 tcp dport vmap @m', "nft add element ip t m '{ 22 : jump c1 }'"]),
    );
    assert.strictEqual(named.length, 1, named.join('\n'));
    assert.match(named[0], /^nf\.yaml:10:29: .*in → c1 → c1 is a loop/);
  });

  it('refuses loops made with iptables and with iptables-restore', () => {
    const cmd = errors(host(['iptables -N A', 'iptables -N B', 'iptables -A INPUT -j A', 'iptables -A A -j B', 'iptables -I B -j A']));
    assert.deepStrictEqual(cmd.map((e) => e.replace(/ \(the kernel.*/, '')), ['nf.yaml:8:17: iptables: RULE_APPEND failed (Too many links): INPUT → A → B → A is a loop']);
    const file = errors(host(['iptables-restore < r.v4']), { 'r.v4': '*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n-A INPUT -j A\n-A A -j A\nCOMMIT\n' });
    assert.strictEqual(file.length, 1);
    assert.match(file[0], /^r\.v4:5:1: iptables: RULE_APPEND failed \(Too many links\): INPUT → A → A is a loop/);
  });

  it('a refused transaction leaves the ruleset as it was (rules appended in it are taken back)', () => {
    const { world } = buildWorld(parseScenario(host([...BASE, ...chains(1), 'nft add rule ip t c1 accept']), 'nf.yaml'), 'fates');
    const net = world.hosts.get('a')!;
    const file = 'add rule ip t c1 counter\nadd rule ip t c1 counter\nadd rule ip t in jump c1\nadd rule ip t c1 jump c1\n';
    assert.throws(() => runNft(net, fromFile(file, 'r.nft')), /^ScenarioError: r\.nft:4:1: Could not process rule: Too many links/);
    const t = NfEngine.of(net).table('ip', 't')!;
    assert.deepStrictEqual(
      [...t.chains.values()].map((c) => [c.name, c.rules.map((r) => r.text)]),
      [
        ['in', []],
        ['c1', ['accept']],
      ],
    );
  });
});
