// nft's IPv6 extension-header expressions (nft_exthdr6_match.ts): `exthdr NAME exists|missing` and
// the hbh/rt/frag/dst fields, evaluated as nft_exthdr_ipv6_eval does (ipv6_find_hdr for the
// header, NFT_BREAK when it is not there), their refusals, and their listing (nft 1.0.6's).
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import type { EvalCtx, Rule } from '../../../src/model/net/netfilter/nf_tables';
import { pktinfo6 } from '../../../src/model/net/netfilter/nf_pktinfo_ipv6';
import type { SkBuff } from '../../../src/model/net/core/skbuff';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { fragHdr, optsHdr, pkt, pkt6, refusal, rtHdr } from './helpers';
import { pktinfo, pktinfoDone } from '../../../src/model/net/netfilter/nf_pktinfo';

function load(rule: string, fam = 'ip6'): { net: ReturnType<World['addHost']>; rule: Rule } {
  const net = new World().addHost('h');
  runNft(net, fromFile(`table ${fam} t {\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  return { net, rule: NfEngine.of(net).tables[0].chains.get('c')!.rules[0] };
}

/** true when every match of the rule passes on the packet (the rule's statements are not run) */
function matches(rule: string, skb: SkBuff, fam = 'ip6', v4 = false): boolean {
  const { net, rule: r } = load(rule, fam);
  const p = v4 ? pktinfo(skb, 'NF_INET_LOCAL_IN', null, null) : pktinfo6(skb, 'NF_INET_LOCAL_IN', null, null);
  try {
    const x = { p, net, nf: NfEngine.of(net), rule: r, chain: NfEngine.of(net).tables[0].chains.get('c')! } as unknown as EvalCtx;
    return r.exprs.every((e) => e.eval(x) !== false);
  } finally {
    if (v4) pktinfoDone();
  }
}

const refused = (rule: string, fam = 'ip6'): string => refusal(() => load(rule, fam));
const listed = (rule: string, fam = 'ip6'): string => listRule(load(rule, fam).rule, { numericProto: false, stateless: true });

describe('nft IPv6 extension headers (exthdr, hbh, rt, frag, dst)', () => {
  const first = pkt6([optsHdr(0, 1), fragHdr(0, true, 7)]);
  const later = pkt6([fragHdr(1448, false, 7)], false);
  const routed = pkt6([rtHdr(2, 1), optsHdr(60, 2)]);
  const plain = pkt6([]);

  it('exthdr NAME exists|missing: whether ipv6_find_hdr finds the header', () => {
    assert.deepStrictEqual(['hbh', 'frag', 'rt', 'dst', 'mh'].map((h) => matches(`exthdr ${h} exists`, first)), [true, true, false, false, false]);
    assert.deepStrictEqual(['hbh', 'frag', 'rt', 'dst'].map((h) => matches(`exthdr ${h} missing`, routed)), [true, true, false, false]);
    assert.strictEqual(matches('exthdr frag exists', later), true);
    assert.strictEqual(matches('exthdr frag missing', plain), true);
  });

  it('fields: whole bytes, the bits of frag-off, more-fragments and reserved2, sets, ranges and inequalities', () => {
    assert.strictEqual(matches('frag id 7', first), true);
    assert.strictEqual(matches('frag id != 7', first), false);
    assert.strictEqual(matches('frag id { 1, 7 }', first), true);
    assert.strictEqual(matches('frag frag-off 0', first), true);
    assert.strictEqual(matches('frag more-fragments 1', first), true);
    assert.strictEqual(matches('frag more-fragments 0', later), true);
    // 1448 bytes are 181 eight-byte units
    assert.strictEqual(matches('frag frag-off 181', later), true);
    assert.strictEqual(matches('frag frag-off > 180', later), true);
    assert.strictEqual(matches('frag frag-off 1-180', later), false);
    assert.strictEqual(matches('frag reserved2 0', later), true);
    assert.strictEqual(matches('frag nexthdr udp', first), true);
    assert.strictEqual(matches('frag nexthdr ipv6-nonxt', later), true);
    assert.strictEqual(matches('hbh nexthdr ipv6-frag', first), true);
    assert.strictEqual(matches('hbh hdrlength 0', first), true);
    assert.strictEqual(matches('rt type 2 rt seg-left 1', routed), true);
    assert.strictEqual(matches('rt type 0', routed), false);
    assert.strictEqual(matches('dst hdrlength 1 dst nexthdr udp', routed), true);
  });

  it('a header the packet does not have ends the rule, even for != (NFT_BREAK)', () => {
    assert.strictEqual(matches('frag id != 7', plain), false);
    assert.strictEqual(matches('rt type != 0', first), false);
    // behind a later fragment the destination options header is not in this packet
    assert.strictEqual(matches('exthdr dst exists', pkt6([fragHdr(8, false, 1), optsHdr(60, 1)], false)), false);
  });

  it('in an inet table an IPv4 packet breaks the rule (meta nfproto ipv6); an ip table refuses them', () => {
    const v4 = pkt(17, [0, 1, 0, 53, 0, 8, 0, 0]);
    assert.strictEqual(matches('exthdr frag missing', v4, 'inet', true), false);
    assert.strictEqual(matches('exthdr frag missing', plain, 'inet'), true);
    assert.match(refused('frag frag-off 0', 'ip'), /cannot use exthdr with ip/);
    assert.match(refused('exthdr hbh exists', 'ip'), /cannot use exthdr with ip/);
  });

  it('refuses what nft 1.0.6 refuses and what is not modelled, naming it', () => {
    assert.match(refused('frag frag-off 8192'), /Value 8192 exceeds valid range 0-8191/);
    assert.match(refused('frag more-fragments 2'), /Value 2 exceeds valid range 0-1/);
    assert.match(refused('rt hdrlength 256'), /Value 256 exceeds valid range 0-255/);
    assert.match(refused('frag nexthdr 300'), /Protocol out of range/);
    assert.match(refused('frag foo 1'), /syntax error, unexpected "foo"/);
    assert.match(refused('hbh exists'), /syntax error, unexpected "exists", expecting nexthdr or hdrlength/);
    assert.match(refused('exthdr foo exists'), /syntax error, unexpected "foo"/);
    assert.match(refused('exthdr rt0 exists'), /syntax error, unexpected "rt0"/);
    assert.match(refused('exthdr frag'), /syntax error, unexpected newline/);
    assert.match(refused('frag frag-off set 0'), /syntax error, unexpected set/);
    assert.match(refused('frag frag-off & 3 == 1'), /frag frag-off with a bitwise operation is not modelled/);
    assert.match(refused('frag id vmap { 1 : drop }'), /a verdict map is not modelled/);
    assert.match(refused('mh type 1'), /mobility header are not modelled/);
    assert.match(refused('srh tag 1'), /segment routing header\) is not modelled/);
    assert.match(refused('rt0 addr[1] ::1'), /"rt0" .* is not modelled/);
    assert.match(refused('rt classid 1'), /"rt" is not modelled/);
  });

  it('lists them as nft 1.0.6 does', () => {
    assert.strictEqual(listed('exthdr frag exists counter'), 'exthdr frag exists counter');
    assert.strictEqual(listed('frag frag-off gt 5'), 'frag frag-off > 5');
    assert.strictEqual(listed('frag id 0x10'), 'frag id 16');
    assert.strictEqual(listed('frag nexthdr { 43, 59, 60, 44 }'), 'frag nexthdr { ipv6-route, ipv6-frag, ipv6-nonxt, ipv6-opts }');
    assert.strictEqual(listed('hbh nexthdr 0'), 'hbh nexthdr ip');
    assert.strictEqual(listed('ip6 nexthdr 44'), 'ip6 nexthdr ipv6-frag');
    assert.strictEqual(listed('frag more-fragments 1 frag frag-off 0 drop'), 'frag more-fragments 1 frag frag-off 0 drop');
    assert.strictEqual(listed('rt type { 2, 0 } accept', 'inet'), 'rt type { 0, 2 } accept');
  });
});
