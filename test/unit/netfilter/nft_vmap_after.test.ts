// Issue 15, session 12: what follows a verdict map (nft 1.0.6 reads it; it runs for a `continue`
// element, nft_do_chain going on with the rule's next expression), and `meta ipsec` only at the
// hooks nft_meta_get_validate_xfrm allows (v6.12: prerouting, input, forward; EOPNOTSUPP
// elsewhere, checked with nft 1.0.6 on this machine).
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { evalRule, pkt, refusal } from './helpers';

function load(rule: string, hook = 'input'): { net: ReturnType<World['addHost']>; rule: ReturnType<typeof first> } {
  const net = new World().addHost('h');
  runNft(net, fromFile(`table ip t {\n chain c {\n  type filter hook ${hook} priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  return { net, rule: first(net) };
}
const first = (net: ReturnType<World['addHost']>) => NfEngine.of(net).tables[0].chains.get('c')!.rules[0];
const udp = (dport: number): ReturnType<typeof pkt> => pkt(17, [0x9c, 0x40, dport >> 8, dport & 255, 0, 8, 0, 0]);

describe('nft: after a verdict map, and meta ipsec hooks (issue 15)', () => {
  it('runs what follows a vmap for a continue element; a verdict element ends the rule, a miss breaks it', () => {
    const { net, rule } = load('udp dport vmap { 7000 : continue, 7001 : drop } meta mark set 0x5 accept');
    const marked = udp(7000);
    assert.strictEqual(evalRule(net, rule, marked), 'NF_ACCEPT');
    assert.strictEqual(marked.mark, 5);
    const dropped = udp(7001);
    assert.strictEqual(evalRule(net, rule, dropped), 'NF_DROP');
    assert.strictEqual(dropped.mark, 0);
    assert.strictEqual(evalRule(net, rule, udp(7002)), false);
  });

  it('lists the statements after the vmap', () => {
    const net = new World().addHost('h');
    runNft(net, fromFile('table ip t {\n chain n {\n  type nat hook postrouting priority 100;\n  tcp dport vmap { 22 : drop, 222 : drop } masquerade\n }\n}\n', 'r.nft'));
    assert.strictEqual(NfEngine.of(net).tables[0].chains.get('n')!.rules[0].text, 'tcp dport vmap { 22 : drop, 222 : drop } masquerade');
    // a plain verdict still ends the rule (nft: syntax error)
    assert.match(refusal(() => load('drop counter')), /nothing may follow the verdict/);
  });

  it('reads meta ipsec at prerouting, input and forward only', () => {
    for (const hook of ['prerouting', 'input', 'forward']) assert.strictEqual(refusal(() => load('meta ipsec exists', hook)), 'accepted', hook);
    for (const hook of ['output', 'postrouting']) assert.match(refusal(() => load('meta secpath missing', hook)), /^Could not process rule: Operation not supported/, hook);
  });
});
