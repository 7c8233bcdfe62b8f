// nf_conntrack_tcp_packet (net/netfilter/nf_conntrack_proto_tcp.c, v6.12): a RST while no reply
// has been seen kills the entry at once (nf_ct_kill_acct), so an ICMP error quoting that
// connection afterwards finds nothing to be RELATED to.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';

const FOUND = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', 'fix-ct-rst-kills-unreplied.yaml');

describe('conntrack: a RST before any reply kills the entry', () => {
  it('the RST that answers a SYN removes the entry; an ICMP error about it is ct state invalid', () => {
    const text = fs.readFileSync(FOUND, 'utf8');
    const t = runScenarioText(text, 'fix-ct-rst-kills-unreplied.yaml');
    assert.ok(t.events.some((e) => e.host === 'b' && e.fn === 'nf_conntrack_in' && /kills connection #\d+ at once/.test(e.what)));
    const icmp = t.events.filter((e) => e.host === 'b' && e.fn === 'nf_conntrack_in' && /an ICMP error/.test(e.what));
    assert.ok(icmp.length > 0);
    for (const e of icmp) assert.match(e.what, /belongs to no known connection/);
    // and the rule for invalid packets counted them, not the one for related ones
    assert.ok(t.events.some((e) => e.host === 'b' && /`ip protocol icmp ct state invalid counter`: it matches/.test(e.what)));
    assert.ok(!t.events.some((e) => e.host === 'b' && /`ip protocol icmp ct state related counter`: it matches/.test(e.what)));
  });

  it('without the RST (a listener answers with a SYN-ACK) the entry stays and is established', () => {
    const text = fs.readFileSync(FOUND, 'utf8').replace('links:', 'listen:\n  - b: tcp 8080\nlinks:');
    const t = runScenarioText(text, 'listening.yaml');
    assert.ok(!t.events.some((e) => /kills connection/.test(e.what)));
    assert.ok(t.events.some((e) => e.host === 'b' && e.fn === 'nf_conntrack_in' && /IP_CT_ESTABLISHED/.test(e.what)));
  });
});
