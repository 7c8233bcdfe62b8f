// Issue 15, session 12: nft `log group N` (nfnetlink_log; nobody listens in the model, so the rule
// goes on, as iptables' NFLOG), with nft 1.0.6's refusals and listing (checked on this machine).
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { evalRule, pkt, refusal } from './helpers';

function load(rule: string): { net: ReturnType<World['addHost']>; rule: ReturnType<typeof first> } {
  const net = new World().addHost('h');
  runNft(net, fromFile(`table ip t {\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  return { net, rule: first(net) };
}
const first = (net: ReturnType<World['addHost']>) => NfEngine.of(net).tables[0].chains.get('c')!.rules[0];

describe('nft log group (issue 15)', () => {
  const listed: [string, string][] = [
    ['log group 2 snaplen 33 queue-threshold 2 prefix "p"', 'log prefix "p" group 2 snaplen 33 queue-threshold 2'],
    // the group is a u16; snaplen and queue-threshold without a group are not sent, nor listed
    ['log group 70000', 'log group 4464'],
    ['log snaplen 33', 'log'],
    ['log queue-threshold 2', 'log'],
    ['log group 0', 'log group 0'],
  ];
  for (const [rule, want] of listed) it(`${rule} lists as ${want}`, () => assert.strictEqual(listRule(load(rule).rule, { stateless: true }), want));

  it('refuses a level or flags with a group, in nft 1.0.6 words', () => {
    assert.strictEqual(refusal(() => load('log level emerg group 2')), 'level and group are mutually exclusive');
    assert.strictEqual(refusal(() => load('log group 2 level info')), 'level and group are mutually exclusive');
    assert.strictEqual(refusal(() => load('log flags all group 2')), 'flags and group are mutually exclusive');
    assert.match(refusal(() => load('log flags all')), /log flags are not modelled/);
  });

  it('hands the packet to nobody: the rule goes on to its verdict', () => {
    const { net, rule } = load('log group 3 drop');
    assert.strictEqual(evalRule(net, rule, pkt(1, [8, 0, 0, 0, 0, 1, 0, 1])), 'NF_DROP');
  });
});
