// `ct state vmap { … }` and `ct state @set` (a set of type ct_state): nft_lookup on the state word
// nft_ct_get_eval loads (v6.12). Listings checked with nft 1.0.6 in a namespace of its own.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { ScenarioError } from '../../../src/scenario/types';
import { run, threeHosts } from './helpers';

function listed(rules: string[], set = ''): string[] {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ip t {\n${set}\n chain c {\n  type filter hook output priority 0;\n${rules.map((r) => `  ${r}\n`).join('')} }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return [`refused: ${e.detail}`];
    throw e;
  }
  return NfEngine.of(net).tables[0].chains.get('c')!.rules.map((r) => listRule(r, { numericProto: false, stateless: true }));
}

describe('ct state vmap and ct state @set', () => {
  it('are accepted and listed as nft lists them', () => {
    assert.deepStrictEqual(listed(['ct state vmap { invalid : drop, established : accept, related : accept }', 'ct state vmap { 8 : continue, 0x40 : accept }', 'ct state @s accept'], ' set s { type ct_state; elements = { established, related } }'), [
      'ct state vmap { invalid : drop, established : accept, related : accept }',
      'ct state vmap { new : continue, untracked : accept }',
      'ct state @s accept',
    ]);
  });

  it('ct direction vmap and ct direction @set, elements by name or number, as nft lists them', () => {
    assert.deepStrictEqual(listed(['ct direction vmap { original : jump a, 1 : accept }', 'ct direction @d accept', 'ct direction 1 accept'], ' set d { type ct_dir; elements = { reply } }\n chain a { }'), [
      'ct direction vmap { original : jump a, reply : accept }',
      'ct direction @d accept',
      'ct direction reply accept',
    ]);
  });

  it('refuses an unknown state in an element, and a ct status or meta pkttype verdict map as not modelled', () => {
    assert.match(listed(['ct state vmap { bogus : drop }'])[0], /refused: .*bogus/);
    assert.match(listed(['ct status vmap { dnat : accept }'])[0], /refused: ct status with a verdict map is not modelled/);
    assert.match(listed(['meta pkttype vmap { host : accept }'])[0], /refused: meta pkttype with a verdict map is not modelled/);
  });

  it('a forwarded flow: new goes on to the next rule, established and related take their verdict, invalid is dropped', () => {
    const t = run(
      threeHosts(
        {
          router: [
            'nft add table inet f',
            "nft add chain inet f forward '{ type filter hook forward priority 0; policy drop; }'",
            'nft add rule inet f forward ct state vmap { invalid : drop, established : accept, related : accept }',
            'nft add rule inet f forward iifname eth0 icmp type echo-request accept',
          ],
        },
        'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.2.2\n  - from: server\n    send: icmp echo-request to 10.0.1.2\n',
      ),
    );
    const fates = t.packets.filter((p) => /ICMP echo/.test(p.summary)).map((p) => `${p.origin} ${p.summary.match(/echo (request|reply)/)![0]}: ${p.fate.kind} ${p.fate.fn}`);
    // the client's request is new (no element: the next rule accepts it), its reply established;
    // the server's request is new and nothing accepts it
    assert.deepStrictEqual(fates, ['client echo request: consumed icmp_echo', 'server echo reply: delivered raw_rcv', 'server echo request: dropped nft_do_chain']);
  });

  it('ct direction vmap: the reply direction takes its element, the original goes on to the next rule', () => {
    const t = run(
      threeHosts(
        {
          router: [
            'nft add table inet f',
            "nft add chain inet f forward '{ type filter hook forward priority 0; policy drop; }'",
            'nft add rule inet f forward ct direction vmap { reply : accept }',
            'nft add rule inet f forward iifname eth0 icmp type echo-request accept',
          ],
        },
        'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.2.2\n  - from: server\n    send: icmp echo-request to 10.0.1.2\n',
      ),
    );
    const fates = t.packets.filter((p) => /ICMP echo/.test(p.summary)).map((p) => `${p.origin} ${p.summary.match(/echo (request|reply)/)![0]}: ${p.fate.kind} ${p.fate.fn}`);
    assert.deepStrictEqual(fates, ['client echo request: consumed icmp_echo', 'server echo reply: delivered raw_rcv', 'server echo request: dropped nft_do_chain']);
  });
});
