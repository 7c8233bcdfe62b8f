// Issue 15: how nft 1.0.6 lists named sets (checked with `nft -f` then `nft list ruleset` in
// `unshare -rn`): `typeof` declarations as typeof, the size nft_dynset_init gives a set a rule
// adds to (65535 when none was given), a declared size, the set timeout in nft's time form.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { nftListRuleset } from '../../../src/scenario/netfilter/nft_list';

const list = (text: string): string => {
  const net = new World().addHost('h');
  runNft(net, fromFile(text, 'r.nft'));
  return nftListRuleset(net);
};

describe('netfilter: named sets as nft 1.0.6 lists them', () => {
  it('a set a rule adds to gets size 65535 and flags dynamic; a set timeout is listed, its implied flag not', () => {
    const got = list('table ip t {\n set s { type ipv4_addr; flags dynamic; }\n set s2 { type ipv4_addr; flags timeout; timeout 10s; }\n set s3 { type ipv4_addr; }\n set s4 { type ipv4_addr; flags timeout; timeout 1d2h; }\n set s5 { type ipv4_addr; size 100; timeout 1m30s; }\n chain c {\n  type filter hook input priority 0;\n  add @s { ip saddr }\n  update @s2 { ip saddr }\n }\n}\n');
    const sets = got.split('\n\n').slice(0, 5);
    assert.deepStrictEqual(sets, [
      'table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic\n\t}',
      '\tset s2 {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout 10s\n\t}',
      '\tset s3 {\n\t\ttype ipv4_addr\n\t}',
      '\tset s4 {\n\t\ttype ipv4_addr\n\t\ttimeout 1d2h\n\t}',
      '\tset s5 {\n\t\ttype ipv4_addr\n\t\tsize 100\n\t\ttimeout 1m30s\n\t}',
    ]);
  });

  it('typeof declarations list as typeof, unqualified meta keys without meta', () => {
    const got = list('table ip t {\n map m { typeof ip saddr : meta mark; }\n set s { typeof meta iifname; }\n set s2 { typeof meta l4proto; }\n set s3 { typeof ip saddr . tcp dport; }\n map m3 { typeof ip saddr : ip daddr . tcp dport; }\n map m4 { type ipv4_addr : mark; }\n}\n');
    assert.deepStrictEqual(
      got.split('\n').filter((l) => /^\t\ttype(of)? /.test(l)),
      ['\t\ttypeof ip saddr : meta mark', '\t\ttypeof iifname', '\t\ttypeof meta l4proto', '\t\ttypeof ip saddr . tcp dport', '\t\ttypeof ip saddr : ip daddr . tcp dport', '\t\ttype ipv4_addr : mark'],
    );
  });
});
