// nf_conntrack_in's get_l4proto fails on an IPv6 packet whose header chain ends in "no next
// header" (ipv6_skip_exthdr gives -1, v6.12): no ct, counted invalid, and NAT's chains do not run
// for it (found/fix-ct-ipv6-no-next-header.yaml agrees with the kernel; gen-993100-20).
import * as assert from 'assert';
import { runFound } from './helpers';

describe('conntrack: an IPv6 packet with no next header', () => {
  it('gets no entry: the nat chain does not run for it and `ct state invalid` drops it; a UDP datagram is new', () => {
    const t = runFound('fix-ct-ipv6-no-next-header.yaml');
    const none = t.packets.find((p) => /next header 59/.test(p.summary))!;
    const udp = t.packets.find((p) => /UDP/.test(p.summary) && /7001/.test(p.summary))!;
    const chains = (id: number): string[] => t.events.filter((e) => e.packet === id && e.host === 'b' && e.fn === 'nft_do_chain' && e.hook?.table).map((e) => `${e.hook?.table} ${e.hook?.ruleIndex ?? 'policy'} ${e.hook?.verdict}`);
    assert.deepStrictEqual(chains(none.id), ['f6 1 NF_DROP']);
    assert.deepStrictEqual(none.fate.kind === 'dropped' && none.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.deepStrictEqual(chains(udp.id).slice(0, 3), ['nat6 1 NFT_BREAK', 'nat6 policy NF_ACCEPT', 'f6 1 NFT_BREAK']);
    assert.ok(chains(udp.id).includes('f6 2 NF_ACCEPT'), chains(udp.id).join('; '));
  });
});
