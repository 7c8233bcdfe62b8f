// nf_ct_attach of an untracked packet's answer (v6.12 nf_conntrack_attach): the ICMPv6 error gets
// IP_CT_RELATED with no entry, so a raw notrack rule leaves it alone and state matches read it
// as invalid (found/fix-ct-attach-untracked.yaml agrees with the kernel).
import * as assert from 'assert';
import { runFound } from './helpers';

describe('nf_ct_attach', () => {
  it("an error about an untracked packet is invalid, not untracked, in the filter table's OUTPUT", () => {
    const t = runFound('fix-ct-attach-untracked.yaml');
    const errors = t.packets.filter((p) => /destination unreachable/.test(p.summary)).map((p) => p.id);
    assert.ok(errors.length >= 1, 'h2 tells itself the address is unreachable');
    for (const id of errors) {
      const decided = t.events.find((e) => e.packet === id && e.fn === 'nft_do_chain' && e.hook?.table === 'filter' && e.hook.verdict === 'NF_ACCEPT');
      assert.strictEqual(decided?.hook?.ruleIndex, 2, 'the INVALID rule, not the UNTRACKED one');
    }
    // h2's own SYNs stay untracked
    const syn = t.packets.find((p) => / TCP \[S\]/.test(p.summary))!;
    assert.strictEqual(t.events.find((e) => e.packet === syn.id && e.fn === 'nft_do_chain' && e.hook?.table === 'filter' && e.hook.verdict === 'NF_ACCEPT')?.hook?.ruleIndex, 1);
  });
});
