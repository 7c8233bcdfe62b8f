// Issue 15: maps as statement values (nft_lookup with a data register, then nft_meta/nft_ct set
// or nft_nat) and jhash (nft_hash.c, v6.12). Lines of our own, checked with nft 1.0.6 (`nft -f`
// in a namespace of its own, and its listing); packets as the kernel treats them.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { jhash, reciprocalScale } from '../../../src/scenario/netfilter/nft_hash';
import { ScenarioError } from '../../../src/scenario/types';
import { run, threeHosts } from './helpers';

function listed(rule: string, hook = 'prerouting', type = 'nat'): string {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ip t {\n chain c {\n  type ${type} hook ${hook} priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `refused: ${e.detail}`;
    throw e;
  }
  return listRule(NfEngine.of(net).tables[0].chains.get('c')!.rules[0], { numericProto: false, stateless: true });
}

describe('maps as values and jhash (issue 15): accepted lines and their listing', () => {
  const ok: [string, string][] = [
    ['meta mark set ip saddr map { 10.0.0.2 : 7, 10.0.0.1 : 0x10 }', 'meta mark set ip saddr map { 10.0.0.1 : 0x00000010, 10.0.0.2 : 0x00000007 }'],
    ['ct mark set mark map { 1 : 2 }', 'ct mark set meta mark map { 0x00000001 : 0x00000002 }'],
    ['mark set ip saddr . udp dport map { 10.0.0.1 . 53 : 1 }', 'meta mark set ip saddr . udp dport map { 10.0.0.1 . 53 : 0x00000001 }'],
    ['dnat to ip saddr map { 10.0.0.1 : 10.0.2.2 }', 'dnat to ip saddr map { 10.0.0.1 : 10.0.2.2 }'],
    ['dnat to numgen inc mod 4 map { 0-1 : 10.0.2.2, 2-3 : 10.0.2.3 }', 'dnat to numgen inc mod 4 map { 0-1 : 10.0.2.2, 2-3 : 10.0.2.3 }'],
    ['dnat to jhash ip saddr mod 2 seed 0xdeadbeef map { 0 : 10.0.2.2, 1 : 10.0.2.3 }', 'dnat to jhash ip saddr mod 2 seed 0xdeadbeef map { 0 : 10.0.2.2, 1 : 10.0.2.3 }'],
    ['ct mark set jhash ip saddr . ip daddr mod 0x10 seed 12 offset 0x2', 'ct mark set jhash ip saddr . ip daddr mod 16 seed 0xc offset 2'],
    ['jhash ip saddr mod 2 seed 0x1 0 accept', 'jhash ip saddr mod 2 seed 0x1 0 accept'],
  ];
  for (const [l, want] of ok) it(`accepts ${l}`, () => assert.strictEqual(listed(l), want));
  const bad: [string, RegExp][] = [
    ['meta mark set ip saddr map { 10.0.0.1 : 0x100000000 }', /0x100000000/],
    ['meta mark set ip saddr map { 10.0.0.1 }', /a map element is KEY : VALUE/],
    ['meta mark set ip saddr map { 10.0.0.1 . 22 : 1 }', /too many concatenation components/],
    ['meta mark set ip saddr . tcp dport map { 10.0.0.1 : 1 }', /invalid data type, expected concatenation/],
    ['dnat to ip saddr map { 10.0.0.1 : 10.0.2.2-10.0.2.4 }', /address ranges and prefixes as NAT map data are not modelled/],
    ['dnat to ip saddr map { 10.0.0.1 : 10.0.2.2 . 80 }', /a port in NAT map data without a transport protocol match/],
    ['meta mark set jhash ip saddr mod 2', /jhash without a seed is not modelled/],
    ['meta mark set symhash mod 2', /symhash is not modelled/],
    ['meta mark set jhash tcp dport mod 2 seed 1', /jhash of "tcp dport" is not modelled/],
    ['jhash ip saddr mod 2 seed 1 2', /Value 2 exceeds valid range 0-1/],
    ['meta mark set jhash ip saddr mod 0 seed 1', /Numerical result out of range/],
    ['meta mark set jhash ip saddr mod 2 seed 1 offset 4294967295', /Value too large for defined data type/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(listed(l), re));
  it('a NAT map is refused in a filter chain, as nft_nat_validate refuses it', () => assert.match(listed('dnat to ip saddr map { 10.0.0.1 : 10.0.2.2 }', 'forward', 'filter'), /needs a chain of type nat/));
});

describe('jhash: include/linux/jhash.h', () => {
  // lookup3's published check values (hashlittle: the same function for byte keys on little-endian)
  const four = Array.from('Four score and seven years ago', (c) => c.charCodeAt(0));
  it('no bytes: the initial value', () => assert.strictEqual(jhash([], 0), 0xdeadbeef));
  it('"Four score and seven years ago", initval 0', () => assert.strictEqual(jhash(four, 0), 0x17770551));
  it('"Four score and seven years ago", initval 1', () => assert.strictEqual(jhash(four, 1), 0xcd628161));
  it('reciprocal_scale keeps the high half of the product', () => {
    assert.strictEqual(reciprocalScale(0xffffffff, 10), 9);
    assert.strictEqual(reciprocalScale(0x7fffffff, 2), 0);
    assert.strictEqual(reciprocalScale(0x80000000, 2), 1);
  });
});

const router = (rules: string[], nat: string[] = []): string[] => [
  'nft add table ip f',
  "nft add chain ip f forward '{ type filter hook forward priority 0; }'",
  ...rules.map((r) => `nft add rule ip f forward ${r}`),
  ...(nat.length ? ["nft add chain ip f pre '{ type nat hook prerouting priority -100; }'", ...nat.map((r) => `nft add rule ip f pre ${r}`)] : []),
];
const udp = (ports: number[], to = '10.0.2.2'): string => `listen:
${ports.map((p) => `  - server: udp ${p}`).join('\n')}
traffic:
${ports.map((p, i) => `  - from: client\n    send: udp to ${to}:${p} from :${40000 + i}`).join('\n')}
`;
const fates = (t: ReturnType<typeof run>): string[] => t.packets.filter((p) => /: UDP,/.test(p.summary) && p.fate.host !== undefined).map((p) => `${p.fate.kind}@${p.fate.host}`);

describe('maps as values and jhash (issue 15): packets', () => {
  it('meta mark set KEY map: the element\'s data is the mark; no element ends the rule and the mark stays 0', () => {
    const t = run(threeHosts({ router: router(['meta mark set udp dport map { 5000 : 1, 5001 : 2 } counter', 'meta mark 2 drop', 'meta mark 0 drop']) }, udp([5000, 5001, 5002])));
    const f = fates(t);
    assert.match(f[0], /delivered@server|@server/);
    assert.match(f[1], /dropped@router/);
    assert.match(f[2], /dropped@router/);
  });

  it('dnat to KEY map: the address and port of the element; a key with no element is not translated', () => {
    const u = run(
      threeHosts(
        { router: router([], ['udp dport 7000-7001 dnat to udp dport map { 7000 : 10.0.2.2 . 5000 }']) },
        `listen:
  - server: udp 5000
traffic:
  - from: client
    send: udp to 10.0.1.1:7000 from :40000
  - from: client
    send: udp to 10.0.1.1:7001 from :40001
`,
      ),
    );
    const pk = u.packets.filter((p) => /: UDP,/.test(p.summary) && !/ICMP/.test(p.summary));
    assert.ok(pk.some((p) => p.fate.host === 'server'), 'port 7000 is translated to the server');
    assert.ok(pk.some((p) => p.fate.host === 'router'), 'port 7001 has no element: it stays for the router');
  });

  it('meta mark set jhash: the kernel\'s hash of the source and destination address bytes', () => {
    const h = reciprocalScale(jhash([10, 0, 1, 2, 10, 0, 2, 2], 0xdeadbeef), 65536);
    const keep = run(threeHosts({ router: router(['meta mark set jhash ip saddr . ip daddr mod 65536 seed 0xdeadbeef', `meta mark != ${h} drop`]) }, udp([5000])));
    assert.match(fates(keep)[0], /@server/);
    const other = run(threeHosts({ router: router(['meta mark set jhash ip saddr . ip daddr mod 65536 seed 0xdeadbeef', `meta mark ${h} drop`]) }, udp([5000])));
    assert.match(fates(other)[0], /dropped@router/);
  });
});
