// Issue 15: `ct state` by number and with `!`, `== a,b` / `!= a,b` as whole-word compares,
// `tcp flags ! …`, and `numgen inc` (nft_numgen.c, v6.12). Lines of our own, checked with nft
// 1.0.6 (`nft -f` in a namespace of its own, and its listing); packets as the kernel treats them.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { ScenarioError } from '../../../src/scenario/types';
import { run, threeHosts } from './helpers';

function listed(rule: string): string {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ip t {\n chain c {\n  type filter hook output priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `refused: ${e.detail}`;
    throw e;
  }
  return listRule(NfEngine.of(net).tables[0].chains.get('c')!.rules[0], { numericProto: false, stateless: true });
}

describe('ct state, tcp flags !, numgen (issue 15): accepted lines and their listing', () => {
  const ok: [string, string][] = [
    ['ct state 8', 'ct state new'],
    ['ct state 2,8 accept', 'ct state established,new accept'],
    ['ct state 0x41', 'ct state invalid,untracked'],
    ['ct state 0x200', 'ct state 0x200'],
    ['ct state ! related', 'ct state ! related'],
    ['ct state ! { invalid }', 'ct state ! invalid'],
    ['ct state == related,new', 'ct state related | new'],
    ['ct state != invalid,new drop', 'ct state != invalid | new drop'],
    ['tcp flags ! syn,ack', 'tcp flags ! syn,ack'],
    ['tcp flags ! { rst } drop', 'tcp flags ! rst drop'],
    ['tcp flags == syn,ack', 'tcp flags == 0x12'],
    ['tcp flags != ack,psh', 'tcp flags != 0x18'],
    ['numgen inc mod 3 2', 'numgen inc mod 3 2'],
    ['numgen inc mod 3 offset 0x8 != 9 accept', 'numgen inc mod 3 offset 8 != 9 accept'],
    ['numgen inc mod 5 { 1 }', 'numgen inc mod 5 1'],
    ['numgen inc mod 5 2-3', 'numgen inc mod 5 2-3'],
    ['meta mark set numgen inc mod 4 offset 0x20', 'meta mark set numgen inc mod 4 offset 32'],
    ['ct mark set numgen inc mod 7', 'ct mark set numgen inc mod 7'],
  ];
  for (const [l, want] of ok) it(`accepts ${l}`, () => assert.strictEqual(listed(l), want));
  const bad: [string, RegExp][] = [
    ['ct state 0x100000000', /Value 0x100000000 exceeds valid range 0-4294967295/],
    ['ct state ! { new, invalid }', /negation can only be used with singleton bitmask values/],
    ['ct state seven', /unknown ct state "seven"/],
    ['tcp flags ! { syn, fin }', /negation can only be used with singleton bitmask values/],
    ['numgen inc mod 3 3', /Value 3 exceeds valid range 0-2/],
    ['numgen inc mod 3 offset 1 4', /Value 4 exceeds valid range 0-3/],
    ['numgen inc mod 0 0', /Numerical result out of range/],
    ['numgen inc mod 2 offset 4294967295 0', /Value too large for defined data type/],
    ['numgen inc 2 0', /expecting mod/],
    ['numgen random mod 2 0', /numgen random is not modelled/],
    ['meta mark set numgen random mod 2', /numgen random is not modelled/],
    ['meta mark set jhash ip saddr mod 2', /jhash without a seed is not modelled/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(listed(l), re));
});

const router = (rules: string[]): string[] => ['nft add table ip f', "nft add chain ip f forward '{ type filter hook forward priority 0; }'", ...rules.map((r) => `nft add rule ip f forward ${r}`)];
const pings = (n: number): string => `traffic:
  - from: client
    send: icmp echo-request to 10.0.2.2 count ${n}
`;
const requests = (t: ReturnType<typeof run>): string[] => t.packets.filter((p) => /echo request/i.test(p.summary)).map((p) => (p.fate.kind === 'dropped' ? 'dropped' : 'passed'));
const delivered = (t: ReturnType<typeof run>): number => requests(t).filter((f) => f === 'passed').length;

describe('ct state, tcp flags !, numgen (issue 15): packets', () => {
  it('numgen inc mod 2 0: the first packet gets 0, then 1, 0, 1 (the counter starts at mod-1)', () => {
    const t = run(threeHosts({ router: router(['icmp type echo-request numgen inc mod 2 1 drop']) }, pings(4)));
    assert.deepStrictEqual(requests(t), ['passed', 'dropped', 'passed', 'dropped']);
  });

  it('numgen with an offset: values run from the offset', () => {
    const t = run(threeHosts({ router: router(['icmp type echo-request numgen inc mod 3 offset 10 != 10 drop']) }, pings(3)));
    assert.strictEqual(delivered(t), 1);
  });

  it('meta mark set numgen: each packet gets the next value, which a later rule reads', () => {
    const t = run(threeHosts({ router: router(['icmp type echo-request meta mark set numgen inc mod 3 offset 1', 'meta mark 3 drop']) }, pings(3)));
    assert.deepStrictEqual(requests(t), ['passed', 'passed', 'dropped']);
  });

  it('ct state by number: 8 is new; != of two states compares the whole word, so it always holds', () => {
    const a = run(threeHosts({ router: router(['ct state 8 drop']) }, pings(2)));
    assert.strictEqual(delivered(a), 0);
    const b = run(threeHosts({ router: router(['ct state != new,established drop']) }, pings(2)));
    assert.strictEqual(delivered(b), 0, 'a packet has one state bit, never both');
    const c = run(threeHosts({ router: router(['ct state ! new,established drop']) }, pings(2)));
    assert.strictEqual(delivered(c), 2, '! is none of the bits');
    const d = run(threeHosts({ router: router(['ct state == new,established drop']) }, pings(2)));
    assert.strictEqual(delivered(d), 2, '== of two states never holds');
  });

  it('tcp flags ! syn: the SYN and the SYN-ACK pass the drop, the client\'s ACK does not', () => {
    const t = run(
      threeHosts(
        { router: router(['tcp flags ! syn counter drop']) },
        `listen:
  - server: tcp 80
traffic:
  - from: client
    send: tcp connect to 10.0.2.2:80
`,
      ),
    );
    const tcp = t.packets.filter((p) => / TCP \[/.test(p.summary));
    assert.ok(tcp.some((p) => /TCP \[S\]/.test(p.summary) && p.fate.kind !== 'dropped'), 'the SYN passes');
    assert.ok(tcp.some((p) => /TCP \[S\.\]/.test(p.summary) && p.fate.host === 'client'), 'the SYN-ACK reaches the client');
    const acks = tcp.filter((p) => /TCP \[\.\]/.test(p.summary));
    assert.ok(acks.length > 0 && acks.every((p) => p.fate.kind === 'dropped' && p.fate.host === 'router'), 'the ACK has no syn: dropped');
  });
});
