// Sets and verdict maps of IPv6 addresses (type ipv6_addr, typeof ip6 saddr|daddr): lookups of
// the 16-byte address, with prefixes and ranges in interval sets.
import * as assert from 'assert';
import { fateOf, runFound } from './helpers';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { ScenarioError } from '../../../src/scenario/types';

function refusal(text: string): string {
  try {
    runNft(new World().addHost('h'), fromFile(text, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `${e.pos.line}:${e.pos.col}: ${e.detail}`;
    throw e;
  }
  return 'accepted';
}

describe('nft: sets of IPv6 addresses', () => {
  it('sends each packet where its address is (found/fix-nft-ipv6-addr-sets.yaml)', () => {
    const t = runFound('fix-nft-ipv6-addr-sets.yaml');
    const fate = (re: RegExp): string => fateOf(t, re);
    assert.strictEqual(fate(/^2001:db8:1::2 > 2001:db8:1::1: ICMP6, echo request/), 'consumed icmpv6_rcv', 'in @trusted and @lan6');
    assert.strictEqual(fate(/ > 2001:db8:1::99\.9000: UDP/), 'dropped nft_do_chain', 'the verdict map');
    assert.strictEqual(fate(/^2001:db8:1::3\.40003 > /), 'dropped nft_do_chain', 'not in @trusted');
    assert.strictEqual(fate(/^2001:db8:1::2\.\d+ > 2001:db8:1::1\.9000: UDP/), 'delivered udpv6_recvmsg');
  });

  it('refuses a prefix without flags interval, a bad address, and an IPv6 address in a concatenation, at their positions', () => {
    assert.strictEqual(refusal('table inet t {\n set s { type ipv6_addr; elements = { fd00::/8 } }\n}\n'), "2:39: You must add 'flags interval' to your set declaration if you want to add prefix elements");
    assert.strictEqual(refusal('table inet t {\n set s { type ipv6_addr; elements = { fd00::zz } }\n}\n'), '2:39: "fd00::zz" is not an IPv6 address');
    assert.match(refusal('table inet t {\n set s { type ipv6_addr . inet_service; elements = { fd00::1 . 22 } }\n}\n'), /^2:54: IPv6 addresses in concatenations are not modelled/);
    assert.strictEqual(refusal('table inet t {\n set s { type ipv6_addr; }\n chain c {\n  ip saddr @s accept\n }\n}\n'), '4:12: datatype mismatch, expected IPv6 address, expression has type IPv4 address');
  });
});
