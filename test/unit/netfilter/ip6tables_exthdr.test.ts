// ip6tables' extension-header matches (xt/ip6_exthdr.ts): -m frag, -m hbh, -m dst, -m rt, each
// finding its header with ipv6_find_hdr (exthdrs_core.ts) on the packet's real headers.
import * as assert from 'assert';
import { fragHdr, optsHdr, pkt6, refusal, rtHdr, runExample } from './helpers';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { iptablesSave } from '../../../src/scenario/netfilter/iptables_save';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import { pktinfo6 } from '../../../src/model/net/netfilter/nf_pktinfo_ipv6';
import type { EvalCtx, Rule } from '../../../src/model/net/netfilter/nf_tables';
import { EBADMSG, ENOENT, ipv6_find_hdr } from '../../../src/model/net/ipv6/exthdrs_core';

function load(line: string): { net: ReturnType<World['addHost']>; rule: Rule } {
  const net = new World().addHost('h');
  runIptables(net, splitFileLine(`ip6tables ${line}`, 'x', 1), 'ip6');
  return { net, rule: NfEngine.of(net).table('ip6', 'filter')!.chains.get('INPUT')!.rules[0] };
}

const refused = (line: string): string => refusal(() => load(line));

function matches(line: string, skb: SkBuff): boolean | string {
  const { net, rule } = load(`-A INPUT ${line} -j DROP`);
  const x = { p: pktinfo6(skb, 'NF_INET_LOCAL_IN', null, null), net, nf: NfEngine.of(net), rule, chain: NfEngine.of(net).table('ip6', 'filter')!.chains.get('INPUT')! } as unknown as EvalCtx;
  for (const e of rule.exprs) {
    const r = e.eval(x);
    if (r === false) return false;
    if (typeof r === 'object' && r && 'code' in r) return r.code === 'NF_DROP' && e.text.includes('-j DROP') ? true : r.code;
  }
  return true;
}

describe('ip6tables extension-header matches', () => {
  it('ipv6_find_hdr: finds a header behind others, ENOENT past an upper-layer header or behind a later fragment, EBADMSG when cut short', () => {
    const s = pkt6([optsHdr(0, 1), rtHdr(2, 1), fragHdr(0, true, 9)]);
    const nh = s.network_header;
    assert.deepStrictEqual(ipv6_find_hdr(s.buf, nh, s.tail, 44), { off: nh + 40 + 8 + 8 });
    assert.deepStrictEqual(ipv6_find_hdr(s.buf, nh, s.tail, 60), { err: ENOENT });
    const later = pkt6([fragHdr(1448, false, 9), optsHdr(60, 1)]);
    assert.deepStrictEqual(ipv6_find_hdr(later.buf, later.network_header, later.tail, 60), { err: ENOENT }, 'what follows a later fragment is not in this packet');
    assert.deepStrictEqual(ipv6_find_hdr(later.buf, later.network_header, later.tail, 44), { off: later.network_header + 40 });
    const short = pkt6([optsHdr(0, 2)], false);
    assert.deepStrictEqual(ipv6_find_hdr(short.buf, short.network_header, short.tail - 4, 60), { err: EBADMSG });
  });

  it('-m frag: id ranges and their inversion, first, more, last, reserved bits; no fragment header, no match', () => {
    const first = pkt6([fragHdr(0, true, 7)]);
    const mid = pkt6([fragHdr(1448, true, 7)]);
    const last = pkt6([fragHdr(2896, false, 7)]);
    const none = pkt6([]);
    assert.strictEqual(matches('-m frag', first), true);
    assert.strictEqual(matches('-m frag', none), false);
    assert.strictEqual(matches('-m frag --fragid 5:10', first), true);
    assert.strictEqual(matches('-m frag --fragid 8', first), false);
    assert.strictEqual(matches('-m frag ! --fragid 8', first), true);
    assert.strictEqual(matches('-m frag --fragid 10:5', first), false, 'a reversed range matches nothing');
    assert.deepStrictEqual([first, mid, last].map((p) => matches('-m frag --fragfirst', p)), [true, false, false]);
    assert.deepStrictEqual([first, mid, last].map((p) => matches('-m frag --fragmore', p)), [true, true, false]);
    assert.deepStrictEqual([first, mid, last].map((p) => matches('-m frag --fraglast', p)), [false, false, true]);
    const res = pkt6([fragHdr(0, true, 7)]);
    res.buf[res.network_header + 40 + 1] = 1;
    assert.strictEqual(matches('-m frag --fragres', res), false, '--fragres wants the reserved fields zero');
    assert.strictEqual(matches('-m frag --fragres', first), true);
    // frag_mt6 (v6.12) never reads the length it is given
    assert.strictEqual(matches('-m frag --fraglen 99', first), true);
    const cut = pkt6([fragHdr(0, true, 7)], false);
    cut.tail = cut.network_header + 44;
    assert.strictEqual(matches('-m frag', cut), 'NF_DROP', 'a header cut short is hotdrop');
  });

  it('-m hbh / -m dst: the header\'s length in bytes, inverted with !; -m dst finds a destination options header behind routing', () => {
    const p = pkt6([optsHdr(0, 2), rtHdr(2, 1), optsHdr(60, 1)]);
    assert.strictEqual(matches('-m hbh', p), true);
    assert.strictEqual(matches('-m hbh --hbh-len 16', p), true);
    assert.strictEqual(matches('-m hbh --hbh-len 8', p), false);
    assert.strictEqual(matches('-m hbh ! --hbh-len 8', p), true);
    assert.strictEqual(matches('-m dst --dst-len 8', p), true);
    assert.strictEqual(matches('-m dst', pkt6([optsHdr(0, 1)])), false);
  });

  it('-m rt: type, segments left (ranges), length', () => {
    const p = pkt6([rtHdr(2, 1)]);
    assert.strictEqual(matches('-m rt --rt-type 2', p), true);
    assert.strictEqual(matches('-m rt --rt-type 0', p), false);
    assert.strictEqual(matches('-m rt ! --rt-type 0', p), true);
    assert.strictEqual(matches('-m rt --rt-segsleft 1:3', p), true);
    assert.strictEqual(matches('-m rt ! --rt-segsleft 1', p), false);
    assert.strictEqual(matches('-m rt --rt-len 8', p), true);
    assert.strictEqual(matches('-m rt', pkt6([])), false);
  });

  it('ip6tables-save prints libip6t_frag/hbh/dst/rt\'s forms', () => {
    const net = new World().addHost('h');
    for (const l of ['-m frag --fragid 5:10 --fraglen 8 --fragres --fragfirst', '-m frag ! --fragid 7 --fragmore', '-m frag --fragid :5', '-m frag', '-m rt --rt-type 0 --rt-segsleft 2:5 ! --rt-len 24', '-m rt ! --rt-type 2 ! --rt-segsleft 3', '-m hbh ! --hbh-len 8', '-m dst --dst-len 16']) runIptables(net, splitFileLine(`ip6tables -A INPUT ${l} -j DROP`, 'x', 1), 'ip6');
    assert.strictEqual(
      iptablesSave(NfEngine.of(net), 'ip6'),
      [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        '-A INPUT -m frag --fragid 5:10 --fraglen 8 --fragres --fragfirst -j DROP',
        '-A INPUT -m frag ! --fragid 7 --fragmore -j DROP',
        '-A INPUT -m frag --fragid 0:5 -j DROP',
        '-A INPUT -m frag -j DROP',
        '-A INPUT -m rt --rt-type 0 --rt-segsleft 2:5 ! --rt-len 24 -j DROP',
        '-A INPUT -m rt ! --rt-type 2 ! --rt-segsleft 3 -j DROP',
        '-A INPUT -m hbh ! --hbh-len 8 -j DROP',
        '-A INPUT -m dst --dst-len 16 -j DROP',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('refuses what ip6tables 1.8.9 refuses in its words, and the options not modelled', () => {
    assert.strictEqual(refused('-A INPUT -m frag --fragmore --fraglast -j DROP'), 'frag: option "--fraglast" cannot be used together with "--fragmore".');
    assert.strictEqual(refused('-A INPUT -m frag --fragid x -j DROP'), 'frag: bad value for option "--fragid" near "x", or out of range (0-4294967295).');
    assert.strictEqual(refused('-A INPUT -m frag --fragid 4294967296 -j DROP'), 'frag: bad value for option "--fragid" near "4294967296", or out of range (0-4294967295).');
    assert.strictEqual(refused('-A INPUT -m frag --fragid 5 --fragid 6 -j DROP'), 'frag: option "--fragid" can only be used once.');
    assert.strictEqual(refused('-A INPUT -m frag ! --fragmore -j DROP'), 'frag: option "--fragmore" cannot be inverted.');
    assert.match(refused('-A INPUT -m hbh --hbh-opts 1:2 -j DROP'), /--hbh-opts is not modelled/);
    assert.match(refused('-A INPUT -m rt --rt-0-addrs ::1 -j DROP'), /--rt-0-addrs is not modelled/);
    assert.strictEqual(refused('-A INPUT -m ah --ahspi 5 --ahspi 6 -j DROP'), 'ah: option "--ahspi" can only be used once.');
    assert.strictEqual(refused('-A INPUT -m ah --ahspi foo -j DROP'), 'ah: bad value for option "--ahspi" near "foo", or out of range (0-4294967295).');
    assert.strictEqual(refused('-A INPUT -m ah --ahlen 4294967296 -j DROP'), 'ah: bad value for option "--ahlen", or out of range (0-4294967295).');
    assert.strictEqual(refused('-A INPUT -m ah ! --ahres -j DROP'), 'ah: option "--ahres" cannot be inverted.');
    assert.strictEqual(refused('-A INPUT -m ipv6header --soft -j DROP'), 'ipv6header: option "--header" must be specified');
    assert.strictEqual(refused('-A INPUT -m ipv6header --header 6 -j DROP'), "unknown header `6' specified");
    assert.strictEqual(refused('-A INPUT -m ipv6header --header hop --header frag -j DROP'), 'ipv6header: option "--header" can only be used once.');
  });

  it('-m ah: ah_mt6 over the first authentication header: SPI range, length in bytes (0 is none), reserved; cut short is hotdrop', () => {
    // next header, length 4 (24 bytes), reserved, SPI 0x100, sequence, 12 bytes of ICV
    const ahHdr = (res: number): [number, number[]] => [51, [0, 4, 0, res, 0, 0, 1, 0, 0, 0, 0, 1, ...new Array(12).fill(0)]];
    const p = pkt6([optsHdr(0, 1), ahHdr(0)]);
    assert.strictEqual(matches('-m ah', p), true);
    assert.strictEqual(matches('-m ah', pkt6([])), false);
    assert.strictEqual(matches('-m ah --ahspi 256', p), true);
    assert.strictEqual(matches('-m ah --ahspi 0x100:0x200', p), true);
    assert.strictEqual(matches('-m ah ! --ahspi 256', p), false);
    assert.strictEqual(matches('-m ah --ahlen 24', p), true);
    assert.strictEqual(matches('-m ah --ahlen 16', p), false);
    assert.strictEqual(matches('-m ah ! --ahlen 16', p), true);
    assert.strictEqual(matches('-m ah ! --ahlen 0', p), true, 'a length of 0 is not compared, even inverted');
    assert.strictEqual(matches('-m ah --ahres', p), true);
    assert.strictEqual(matches('-m ah --ahres', pkt6([ahHdr(1)])), false);
    const cut = pkt6([ahHdr(0)]);
    cut.tail = cut.network_header + 40 + 16;
    assert.strictEqual(matches('-m ah', cut), 'NF_DROP');
  });

  it('-m ipv6header: the exact set of headers, or with --soft each of the list; ! inverts; a later fragment is walked past', () => {
    const p = pkt6([optsHdr(0, 1), fragHdr(0, true, 7)]);
    assert.strictEqual(matches('-m ipv6header --header hop,frag,prot', p), true);
    assert.strictEqual(matches('-m ipv6header --header hop,frag', p), false, 'without --soft the set must be exact (the UDP header is "protocol")');
    assert.strictEqual(matches('-m ipv6header --header frag --soft', p), true);
    assert.strictEqual(matches('-m ipv6header --header route --soft', p), false);
    assert.strictEqual(matches('-m ipv6header ! --header route --soft', p), true);
    assert.strictEqual(matches('-m ipv6header ! --header 0,44,255', p), false);
    assert.strictEqual(matches('-m ipv6header --header ipv6-frag,ipv6-nonxt', pkt6([fragHdr(8, false, 7)], false)), true);
    assert.strictEqual(matches('-m ipv6header --header prot', pkt6([])), true);
  });

  it('ip6tables-save prints libip6t_ah and libip6t_ipv6header\'s forms', () => {
    const net = new World().addHost('h');
    for (const l of ['-m ah --ahspi 5:10 --ahlen 24 --ahres', '-m ah ! --ahspi 0x10 ! --ahlen 16', '-m ah --ahlen 0 --ahspi 0:4294967295', '-m ah --ahspi :7', '-m ipv6header --header frag,hop --soft', '-m ipv6header ! --header 0,60,43,44,51,50,59,255']) runIptables(net, splitFileLine(`ip6tables -A INPUT ${l} -j DROP`, 'x', 1), 'ip6');
    assert.deepStrictEqual(iptablesSave(NfEngine.of(net), 'ip6').split('\n').filter((l) => l.startsWith('-A')), [
      '-A INPUT -m ah --ahspi 5:10 --ahlen 24 --ahres -j DROP',
      '-A INPUT -m ah ! --ahspi 16 ! --ahlen 16 -j DROP',
      '-A INPUT -m ah -j DROP',
      '-A INPUT -m ah --ahspi 0:7 -j DROP',
      '-A INPUT -m ipv6header --header hop-by-hop,ipv6-frag --soft -j DROP',
      '-A INPUT -m ipv6header ! --header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol -j DROP',
    ]);
  });

  it('ipv6-ip6tables-frag-match: the two fragments with M hit rule 1, the last rule 2, the small datagram is delivered', () => {
    const t = runExample('ipv6-ip6tables-frag-match.yaml');
    const hits = t.events.filter((e) => e.host === 'router' && e.hook?.verdict === 'NF_DROP' && e.hook.ruleIndex).map((e) => e.hook!.ruleIndex);
    assert.deepStrictEqual(hits, [1, 1, 2]);
    assert.ok(t.packets.some((p) => p.fate.kind === 'delivered' && p.fate.host === 'server'));
    assert.ok(!t.events.some((e) => e.host === 'server' && e.fn === 'ipv6_frag_rcv'), 'no fragment reaches the server');
  });
});
