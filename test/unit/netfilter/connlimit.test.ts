// Issue 15: nf_conncount through iptables' -m connlimit and nft's `ct count`, and IPS_ASSURED
// (which nf_conncount reads): lines of our own accepted and refused as iptables 1.8.9 and nft
// 1.0.6 do (checked in a network namespace), their save/list forms, and connections counted as
// nf_conncount.c (v6.12) counts them.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { ScenarioError } from '../../../src/scenario/types';
import type { Trace } from '../../../src/trace/contract';
import { loadAll, nfEvents, refused, run, runExample, threeHosts } from './helpers';

/** the rule's iptables-save form, after `-A CHAIN` */
const saved = (line: string): string => saveRuleSpec(loadAll([line]).rules[0]) ?? '';

function nftListed(fam: string, rule: string): string {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(`table ${fam} t {\n chain c {\n  type filter hook input priority 0;\n  ${rule}\n }\n}\n`, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `refused: ${e.detail}`;
    throw e;
  }
  return listRule(NfEngine.of(net).tables[0].chains.get('c')!.rules[0], { numericProto: true, stateless: true });
}

describe('iptables -m connlimit: accepted lines and their iptables-save form', () => {
  const ok: [string, string][] = [
    ['-A INPUT -p tcp --syn -m connlimit --connlimit-upto 3', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m connlimit --connlimit-upto 3 --connlimit-mask 32 --connlimit-saddr'],
    ['-A FORWARD -m connlimit ! --connlimit-upto 5 --connlimit-mask 24 --connlimit-daddr', '-m connlimit --connlimit-above 5 --connlimit-mask 24 --connlimit-daddr'],
    ['-A INPUT -m connlimit ! --connlimit-above 7', '-m connlimit --connlimit-upto 7 --connlimit-mask 32 --connlimit-saddr'],
    ['-A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 255.255.0.0', '-m connlimit --connlimit-above 2 --connlimit-mask 16 --connlimit-saddr'],
    // a non-contiguous mask: xtopt_parse_plenmask leaves all ones (iptables 1.8.9 saves /32)
    ['-A INPUT -m connlimit --connlimit-above 3 --connlimit-mask 255.0.255.0', '-m connlimit --connlimit-above 3 --connlimit-mask 32 --connlimit-saddr'],
    ['-A OUTPUT -m connlimit --connlimit-upto 0x10 --connlimit-mask 0', '-m connlimit --connlimit-upto 16 --connlimit-mask 0 --connlimit-saddr'],
  ];
  for (const [l, s] of ok) it(`accepts ${l}`, () => assert.strictEqual(saved(l), s));

  const bad: [string, RegExp][] = [
    ['-A INPUT -m connlimit --connlimit-mask 24', /You must specify "--connlimit-above" or "--connlimit-upto"/],
    ['-A INPUT -m connlimit --connlimit-upto 1 --connlimit-above 2', /option "--connlimit-upto" cannot be used together with "--connlimit-above"/],
    ['-A INPUT -m connlimit --connlimit-above 1 --connlimit-daddr --connlimit-saddr', /option "--connlimit-saddr" cannot be used together with "--connlimit-daddr"/],
    ['-A INPUT -m connlimit --connlimit-above 1 --connlimit-above 2', /option "--connlimit-above" can only be used once/],
    ['-A INPUT -m connlimit --connlimit-above 4294967296', /bad value for option "--connlimit-above", or out of range \(0-4294967295\)/],
    ['-A INPUT -m connlimit --connlimit-upto -2', /bad value for option "--connlimit-upto"/],
    ['-A INPUT -m connlimit --connlimit-above 1 --connlimit-mask 33', /neither a valid network mask nor valid CIDR \(0-32\)/],
    ['-A INPUT -m connlimit --connlimit-above 1 ! --connlimit-mask 24', /option "--connlimit-mask" cannot be inverted/],
    ['-A INPUT -m connlimit --connlimit-above 1 ! --connlimit-daddr', /option "--connlimit-daddr" cannot be inverted/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(refused(l), re));
});

describe('nft ct count: accepted and refused lines, listed as nft 1.0.6 lists them', () => {
  const ok: [string, string, string][] = [
    ['ip', 'ct count over 2 drop', 'ct count over 2 drop'],
    ['inet', 'tcp dport 22 ct count 0x10 accept', 'tcp dport 22 ct count 16 accept'],
    // nft reads a u64 and keeps the low 32 bits
    ['ip', 'ct count 4294967296', 'ct count 0'],
  ];
  for (const [f, l, want] of ok) it(`accepts (${f}) ${l}`, () => assert.strictEqual(nftListed(f, l), want));
  const bad: [string, RegExp][] = [
    ['ct count', /unexpected newline, expecting number or over/],
    ['ct count over', /unexpected newline, expecting number$/],
    ['ct count < 3', /unexpected "<", expecting number or over/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(nftListed('ip', l), re));
});

/** the fate of each TCP connect's SYN, in order: 'consumed' (a socket took it), 'dropped', or 'nf drop' (by the rule) */
const synFates = (t: Trace): string[] => t.packets.filter((p) => /TCP \[S\] /.test(p.summary)).map((p) => (p.fate.reason === 'SKB_DROP_REASON_NETFILTER_DROP' ? 'nf drop' : p.fate.kind));

describe('nf_conncount: connections counted as the kernel counts them', () => {
  it('example nf-connlimit-tcp: one connection per source; the refused SYN\'s entry is dropped at the next scan', () => {
    const t = runExample('nf-connlimit-tcp.yaml');
    assert.deepStrictEqual(synFates(t), ['consumed', 'nf drop', 'nf drop', 'consumed']);
    const syns = t.packets.filter((p) => /TCP \[S\] /.test(p.summary));
    const said = syns.map((s) => nfEvents(t, 'server', s.id).find((e) => e.hook?.ruleIndex === 1)!.what);
    assert.match(said[0], /1 connection from 10\.0\.1\.2\/32 \(#1\)/);
    assert.match(said[1], /2 connections from 10\.0\.1\.2\/32 \(#1, #2\)/);
    // #2 was never confirmed (its SYN was rejected): gone from the table, so the scan drops it
    assert.match(said[2], /2 connections from 10\.0\.1\.2\/32 \(#1, #3\); 1 closed or gone dropped/);
    assert.match(said[3], /1 connection from 10\.0\.2\.1\/32 \(#4\)/);
  });

  const server = (rule: string): string[] => ['nft add table ip f', `nft add chain ip f input '{ type filter hook input priority 0; }'`, `nft add rule ip f input ${rule}`];
  const connects = (items: string[]): string => `listen:\n  - server: tcp 0.0.0.0:80\ntraffic:\n${items.map((i) => (i.startsWith('wait') ? `  - ${i}\n` : `  - from: client\n    send: tcp connect to 10.0.2.2:${i}\n`)).join('')}`;

  it('a connection to a closed port is gone from the table once its RST passes; it stops counting at a later scan', () => {
    const t = run(threeHosts({ server: server('tcp flags syn ct count over 1 reject with tcp reset') }, connects(['81 from :40001', 'wait: 100ms', '80 from :40002'])));
    assert.deepStrictEqual(synFates(t), ['dropped', 'consumed'], 'the first SYN passes the rule and finds no socket (RST); the second finds one connection');
  });

  it('within one jiffy of the last scan, a new connection is added without a scan (the fast path), so a gone entry still counts', () => {
    const t = run(threeHosts({ server: server('tcp flags syn ct count over 1 reject with tcp reset') }, connects(['81 from :40001', '80 from :40002'])));
    assert.deepStrictEqual(synFates(t), ['dropped', 'nf drop']);
  });

  it('the same connection is counted once: a rule without a SYN test sees the handshake\'s ACK; once assured it is not added', () => {
    const t = run(threeHosts({ server: server('tcp dport 80 ct count over 1 counter reject with tcp reset') }, connects(['80 from :40001'])));
    const ack = t.packets.find((p) => /10\.0\.1\.2\.40001 > 10\.0\.2\.2\.80: TCP \[\.\]/.test(p.summary))!;
    assert.strictEqual(ack.fate.kind, 'consumed');
    assert.match(nfEvents(t, 'server', ack.id).find((e) => e.hook?.ruleIndex === 1)!.what, /1 connection counted \(#1\)/);
  });

  it('IPS_ASSURED: set by the ACK that completes the TCP handshake (the tracker runs at PREROUTING, before the rule)', () => {
    const t = run(threeHosts({ server: server('ct status assured counter') }, connects(['80 from :40001'])));
    const verdicts = t.packets.filter((p) => /10\.0\.1\.2\.40001 > 10\.0\.2\.2\.80/.test(p.summary)).map((p) => nfEvents(t, 'server', p.id).find((e) => e.hook?.ruleIndex === 1)!.hook!.verdict);
    assert.deepStrictEqual(verdicts, ['NFT_BREAK', 'NFT_CONTINUE'], 'the SYN is not assured; the ACK is');
  });
});

describe('conntrack status bits the rules read', () => {
  it('IPS_DYING: the RST that answers a SYN kills the entry (nf_ct_delete), and the later hooks it passes see dying', () => {
    const rules = ['nft add table ip f', "nft add chain ip f out '{ type filter hook output priority 0; }'", 'nft add rule ip f out tcp flags rst ct status dying counter'];
    const t = run(threeHosts({ server: rules }, 'traffic:\n  - from: client\n    send: tcp connect to 10.0.2.2:81 from :40001\n'));
    const rst = t.packets.find((p) => /TCP \[R\.\]/.test(p.summary))!;
    assert.strictEqual(nfEvents(t, 'server', rst.id).find((e) => e.hook?.chain === 'out' && e.hook.ruleIndex === 1)!.hook!.verdict, 'NFT_CONTINUE');
  });
});
