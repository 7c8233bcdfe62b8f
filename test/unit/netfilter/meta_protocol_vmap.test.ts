// `meta protocol vmap { ip : …, ip6 : … }` and `meta nfproto vmap { ipv4 : …, ipv6 : … }`: the
// dispatch by family of many real rulesets, a lookup of skb->protocol (datatype ether_type) or of
// the hook's family (nf_proto), and sets of those types.
import * as assert from 'assert';
import { fateOf, runFound } from './helpers';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { ScenarioError } from '../../../src/scenario/types';

function listed(rules: string[], decl = '', family = 'inet'): string[] {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ${family} t {\n${decl}\n chain a { }\n chain b { }\n chain c {\n  type filter hook input priority 0;\n${rules.map((r) => `  ${r}\n`).join('')} }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return [`refused: ${e.pos.line}:${e.pos.col}: ${e.detail}`];
    throw e;
  }
  return NfEngine.of(net).tables[0].chains.get('c')!.rules.map((r) => listRule(r, { numericProto: false, stateless: true }));
}

describe('meta protocol vmap and meta nfproto vmap', () => {
  it('are accepted, by name or number, and listed as nft lists them', () => {
    assert.deepStrictEqual(
      listed(['meta protocol vmap { ip : jump a, 0x86dd : jump b }', 'meta nfproto vmap { ipv4 : jump a, 10 : jump b }', 'meta protocol @fams accept', 'meta nfproto != @nf drop', 'meta nfproto 10 accept', 'meta protocol 0x0806 accept'], ' set fams { type ether_type; elements = { ip6, vlan } }\n set nf { typeof meta nfproto; elements = { ipv6 } }'),
      ['meta protocol vmap { ip : jump a, ip6 : jump b }', 'meta nfproto vmap { ipv4 : jump a, ipv6 : jump b }', 'meta protocol @fams accept', 'meta nfproto != @nf drop', 'meta nfproto ipv6 accept', 'meta protocol arp accept'],
    );
  });

  it('refuses an unknown protocol in an element at its position, a set of another type, and nfproto outside inet', () => {
    assert.deepStrictEqual(listed(['meta protocol vmap { ipx : accept }']), ['refused: 7:24: Could not parse Ethernet protocol']);
    assert.match(listed(['meta protocol @s accept'], ' set s { type inet_proto; }')[0], /^refused: .*datatype mismatch, expected Internet protocol, expression has type Ethernet protocol/);
    assert.match(listed(['meta nfproto vmap { ipv4 : accept }'], '', 'ip')[0], /^refused: .*meta nfproto is only useful in the inet family/);
  });

  it('sends each packet to the chain of its family (found/fix-nft-meta-protocol-vmap.yaml)', () => {
    const t = runFound('fix-nft-meta-protocol-vmap.yaml');
    const fate = (re: RegExp): string => fateOf(t, re);
    assert.strictEqual(fate(/^10\.0\.1\.2 > 10\.0\.1\.1: ICMP echo request/), 'consumed icmp_echo');
    assert.strictEqual(fate(/^10\.0\.1\.2\.\d+ > 10\.0\.1\.1\.9000: UDP/), 'dropped nft_do_chain');
    assert.strictEqual(fate(/^2001:db8:1::2 > 2001:db8:1::1: ICMP6, echo request/), 'consumed icmpv6_rcv');
    assert.strictEqual(fate(/^2001:db8:1::2\.\d+ > 2001:db8:1::1\.9000: UDP/), 'dropped nft_do_chain');
    // the output chain's nfproto vmap sends IPv4 only to o4
    assert.strictEqual(fate(/^10\.0\.1\.1\.\d+ > 10\.0\.1\.2\.53: UDP/), 'dropped nft_do_chain');
  });
});
