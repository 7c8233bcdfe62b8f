// Issue 15: `add @set { … }` / `update @set { … [timeout T] }` (nft_dynset.c, v6.12) and set
// timeouts: lines of our own checked with nft 1.0.6 (`nft -f` in a namespace of its own), and
// the packets a set filled by rules lets through as its elements expire.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { ScenarioError } from '../../../src/scenario/types';
import { run, runExample, threeHosts, udpFates as fates, udpItems as udp } from './helpers';

function listed(rule: string, sets = 'set s { type ipv4_addr; flags dynamic,timeout; timeout 30s; }\n set c { type ipv4_addr . inet_service; size 2; }'): string {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ip t {\n ${sets}\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `refused: ${e.detail}`;
    throw e;
  }
  return listRule(NfEngine.of(net).tables[0].chains.get('c')!.rules[0], { numericProto: false, stateless: true });
}

describe('dynamic sets (issue 15): accepted and refused lines', () => {
  const ok = ['add @s { ip saddr }', 'update @s { ip saddr timeout 10s }', 'update @s { ip daddr timeout 1m30s } counter', 'tcp dport 22 add @c { ip saddr . tcp dport }'];
  for (const l of ok) it(`accepts ${l}`, () => assert.strictEqual(listed(l), l));
  const bad: [string, RegExp][] = [
    ['add @nope { ip saddr }', /no set nope/],
    ['add @s { tcp dport }', /datatype mismatch, expected IPv4 address, expression has type internet network service/],
    ['add @s { ip saddr limit rate 1/second }', /limit in an element a rule adds .* is not modelled/],
    ['update @s { ip saddr timeout 10x }', /Wrong time format/],
    ['add s { ip saddr }', /expected a set name/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(listed(l), re));
  it('a set timeout in the declaration is accepted, a map timeout is not modelled', () => {
    assert.strictEqual(listed('ip saddr @s drop'), 'ip saddr @s drop');
    assert.match(listed('accept', 'map m { type ipv4_addr : verdict; timeout 1s; }'), /map timeout|timeout is not modelled/);
  });
});

const router = (rules: string[], set: string): string[] => ['nft add table ip f', `nft add set ip f s '${set}'`, "nft add chain ip f forward '{ type filter hook forward priority 0; }'", ...rules.map((r) => `nft add rule ip f forward ${r}`)];

describe('dynamic sets (issue 15): packets', () => {
  it('update with a timeout: the element is found until it expires, then the key is new again', () => {
    const t = run(threeHosts({ router: router(['ip saddr @s drop', 'update @s { ip saddr timeout 500ms }'], '{ type ipv4_addr; flags dynamic,timeout; }') }, udp([[5000], [5000, '+100ms'], [5000, '+1000ms']])));
    assert.deepStrictEqual(fates(t), ['delivered@server', 'dropped@router', 'delivered@server']);
  });

  it('a full set adds nothing and ends the rule (NFT_BREAK)', () => {
    const t = run(threeHosts({ router: router(['add @s { udp dport } counter accept', 'drop'], '{ type inet_service; flags dynamic; size 1; }') }, udp([[5000], [5001], [5000]])));
    assert.deepStrictEqual(fates(t), ['delivered@server', 'dropped@router', 'delivered@server']);
  });

  it('example nf-dynamic-set-timeout.yaml: the second datagram of a pair is dropped, and passes again after the timeout', () => {
    const t = runExample('nf-dynamic-set-timeout.yaml');
    assert.deepStrictEqual(fates(t), ['delivered@server', 'dropped@router', 'delivered@server', 'delivered@server']);
  });
});
