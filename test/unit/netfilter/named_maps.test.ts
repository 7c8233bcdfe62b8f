// Issue 15: named data maps (`map m { type K : mark|ipv4_addr|ipv4_addr . inet_service }` used as
// `… map @m`), element timeouts (`elements = { A timeout T [expires E] }`) and `delete @set { KEY }`
// (nft_lookup with a destination register, nft_add_set_elem, nft_dynset's delete operation in
// v6.12). Lines of our own, checked with nft 1.0.6 in a namespace of its own.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule, listTable, nftListRuleset } from '../../../src/scenario/netfilter/nft_list';
import { ScenarioError } from '../../../src/scenario/types';
import { run, runExample, threeHosts, udpFates as fates, udpItems as udp } from './helpers';

const DECLS = `map mk { type ipv4_addr : mark; elements = { 10.0.1.2 : 0x1 } }
 map na { type ipv4_addr : ipv4_addr; elements = { 10.0.1.2 : 10.0.2.2 } }
 map np { typeof udp dport : ip daddr . udp dport; elements = { 7000 : 10.0.2.2 . 5000 } }
 map nx { type ipv4_addr : ipv4_addr . inet_service; elements = { 10.0.1.2 : 10.0.2.2 . 5000 } }
 map vm { type ipv4_addr : verdict; elements = { 10.0.1.2 : drop } }
 set dy { type ipv4_addr; flags dynamic; }
 set st { type ipv4_addr; }`;

function load(rule: string, decls = DECLS, hook = 'type filter hook input priority 0'): { listed: string; net: ReturnType<World['addHost']> } | string {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ip t {\n ${decls}\n chain c {\n  ${hook};\n  ${rule}\n }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `refused: ${e.detail}`;
    throw e;
  }
  return { listed: listRule(NfEngine.of(net).tables[0].chains.get('c')!.rules[0], { numericProto: false, stateless: true }), net };
}
const listed = (rule: string, decls?: string, hook?: string): string => {
  const r = load(rule, decls, hook);
  return typeof r === 'string' ? r : r.listed;
};
const NAT = 'type nat hook prerouting priority dstnat';

describe('named data maps (issue 15): accepted and refused lines', () => {
  for (const l of ['meta mark set ip saddr map @mk', 'ct mark set ip saddr map @mk counter']) it(`accepts ${l}`, () => assert.strictEqual(listed(l), l));
  for (const l of ['dnat to ip saddr map @na', 'dnat to udp dport map @np', 'meta l4proto udp dnat to ip saddr map @nx']) it(`accepts ${l} in a nat chain`, () => assert.doesNotMatch(listed(l, DECLS, NAT), /^refused/));
  const bad: [string, RegExp, string?][] = [
    ['meta mark set ip saddr map @nope', /no map nope/],
    ['meta mark set ip saddr map @na', /datatype mismatch, map na has data ipv4_addr/],
    ['meta mark set ip saddr map @vm', /a verdict map, not a map with data/],
    ['meta mark set ip saddr map @st', /a set, not a map with data/],
    ['meta mark set udp dport map @mk', /datatype mismatch, expected IPv4 address/],
    ['dnat to ip saddr map @nx', /transport protocol mapping is only valid after transport protocol match/, NAT],
    ['dnat to ip saddr map @mk', /map mk has data mark/, NAT],
    ['ip saddr vmap @mk', /not a verdict map/],
  ];
  for (const [l, re, hook] of bad) it(`refuses ${l}`, () => assert.match(listed(l, DECLS, hook), re));
  const badDecls: [string, RegExp][] = [
    ['map m { type ipv4_addr : ether_addr; }', /maps to ether_addr are not modelled/],
    ['map m { type ipv4_addr : mark; elements = { 10.0.1.1 : drop } }', /maps to mark: KEY : MARK elements/],
    ['map m { type ipv4_addr : verdict; elements = { 10.0.1.1 : 0x1 } }', /"0x1" is not a verdict/],
    ['map m { type ipv4_addr : ipv4_addr; elements = { 10.0.1.1 : 10.0.2.0/24 } }', /Value must be a singleton/],
    ['map m { type ipv4_addr : mark; elements = { 10.0.1.1 : 0x1, 10.0.1.1 : 0x2 } }', /File exists/],
    ['map m { typeof ip saddr : meta priority; }', /typeof meta priority are not modelled/],
  ];
  for (const [d, re] of badDecls) it(`refuses ${d}`, () => assert.match(listed('accept', d), re));

  it('lists the maps with their data as nft does (a mark as eight hex digits)', () => {
    const r = load('accept');
    assert.ok(typeof r !== 'string');
    const text = nftListRuleset(r.net);
    assert.match(text, /map mk \{\n\t\ttype ipv4_addr : mark\n\t\telements = \{ 10\.0\.1\.2 : 0x00000001 \}/);
    assert.match(text, /map np \{\n\t\ttypeof udp dport : ip daddr \. udp dport\n\t\telements = \{ 7000 : 10\.0\.2\.2 \. 5000 \}/);
  });
});

describe('element timeouts and delete @set (issue 15): accepted and refused lines', () => {
  it('accepts an element timeout in a set with timeouts, and lists it', () => {
    const r = load('accept', 'set s { type ipv4_addr; flags timeout; elements = { 10.0.1.1 timeout 10s, 10.0.1.2 } }');
    assert.ok(typeof r !== 'string');
    // nft 1.0.6 lists the time an element has left after its timeout (not with -s)
    assert.match(nftListRuleset(r.net), /flags timeout\n\t\telements = \{ 10\.0\.1\.1 timeout 10s expires 10s, 10\.0\.1\.2 \}/);
    assert.match(nftListRuleset(r.net, { stateless: true }), /elements = \{ 10\.0\.1\.1 timeout 10s, 10\.0\.1\.2 \}/);
  });

  it('lists what an element has left at the time of the listing, and no longer lists it once expired', () => {
    const r = load('accept', 'set s { type ipv4_addr; timeout 1m; elements = { 10.0.1.1 expires 20s500ms, 10.0.1.2 } }');
    assert.ok(typeof r !== 'string');
    const t = NfEngine.of(r.net).tables[0];
    // jiffies of 4 ms: 5 s in, 15.5 s left of the first, 55 s of the second
    assert.match(listTable(t, { now: 1250 }), /elements = \{ 10\.0\.1\.1 expires 15s500ms, 10\.0\.1\.2 expires 55s \}/);
    assert.match(listTable(t, { now: 5125 }), /elements = \{ 10\.0\.1\.2 expires 39s500ms \}/);
  });
  const bad: [string, RegExp][] = [
    ['set s { type ipv4_addr; elements = { 10.0.1.1 timeout 10s } }', /Invalid argument: set s has no timeouts/],
    ['set s { type ipv4_addr; flags timeout; elements = { 10.0.1.1 expires 2s } }', /Operation not supported: expires needs a timeout/],
    ['set s { type ipv4_addr; flags timeout; elements = { 10.0.1.1 timeout 1s expires 2s } }', /Numerical result out of range/],
    ['set s { type ipv4_addr; flags timeout; elements = { 10.0.1.1 timeout 10x } }', /Wrong time format/],
  ];
  for (const [d, re] of bad) it(`refuses ${d}`, () => assert.match(listed('accept', d), re));

  it('accepts delete @set { KEY } on a dynamic set and lists it', () => assert.strictEqual(listed('delete @dy { ip saddr }'), 'delete @dy { ip saddr }'));
  it('refuses delete with a timeout, and on a constant or interval set', () => {
    assert.match(listed('delete @dy { ip saddr timeout 1s }'), /delete @SET \{ KEY \} takes no timeout/);
    assert.match(listed('delete @c { ip saddr }', 'set c { type ipv4_addr; flags constant; elements = { 10.0.1.1 } }'), /constant/);
    assert.match(listed('delete @i { ip saddr }', 'set i { type ipv4_addr; flags interval; }'), /interval set/);
  });
});

const router = (lines: string[]): string[] => ['nft add table ip f', ...lines];
const FWD = "nft add chain ip f forward '{ type filter hook forward priority 0; }'";

describe('named maps, element timeouts, delete @set (issue 15): packets', () => {
  it('a rule adds to a set an earlier command made without flags dynamic: refused, as the kernel refuses it (EOPNOTSUPP)', () => {
    assert.throws(() => run(threeHosts({ router: router(["nft add set ip f s '{ type ipv4_addr; }'", FWD, 'nft add rule ip f forward add @s { ip saddr }']) }, udp([[5000]]))), /Operation not supported: set s was made without flags dynamic/);
    assert.throws(() => run(threeHosts({ router: router(["nft add set ip f s '{ type ipv4_addr; flags dynamic; }'", FWD, 'nft add rule ip f forward update @s { ip saddr timeout 1s }']) }, udp([[5000]]))), /set s has no timeouts/);
  });

  it('an element with a timeout of its own matches until it expires on the model clock', () => {
    const t = run(threeHosts({ router: router(["nft add set ip f s '{ type ipv4_addr; flags timeout; elements = { 10.0.1.2 timeout 500ms } }'", FWD, 'nft add rule ip f forward ip saddr @s drop']) }, udp([[5000], [5000, '+2000ms']])));
    assert.deepStrictEqual(fates(t), ['dropped@router', 'delivered@server']);
  });

  it('a mark from a named map: the element\'s data, and no element breaks the rule', () => {
    const t = run(threeHosts({ router: router(["nft add map ip f m '{ type inet_service : mark; elements = { 5000 : 0x2 } }'", FWD, 'nft add rule ip f forward meta mark set udp dport map @m drop', 'nft add rule ip f forward meta mark 0 counter']) }, udp([[5000], [5001]])));
    assert.deepStrictEqual(fates(t), ['dropped@router', 'delivered@server']);
  });

  it('an element added after the rule is found by it: the rule reads the map when it runs', () => {
    const t = run(threeHosts({ router: router(["nft add map ip f m '{ type inet_service : mark; }'", FWD, 'nft add rule ip f forward meta mark set udp dport map @m', 'nft add rule ip f forward meta mark 0x7 drop', 'nft add element ip f m { 5001 : 0x7 }']) }, udp([[5000], [5001]])));
    assert.deepStrictEqual(fates(t), ['delivered@server', 'dropped@router']);
  });

  it('example nf-named-maps-delete.yaml: marks and DNAT from named maps, delete @set lets the client through', () => {
    const t = runExample('nf-named-maps-delete.yaml');
    assert.deepStrictEqual(fates(t), ['delivered@server', 'dropped@router', 'delivered@server', 'delivered@server', 'dropped@router', 'dropped@router', 'delivered@server', 'delivered@server']);
  });
});
