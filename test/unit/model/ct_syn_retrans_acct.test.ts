// nf_conntrack_tcp_packet (Linux v6.12) does not account a SYN retransmission: a SYN met in
// SYN_SENT before any reply leaves before nf_ct_refresh_acct.
import * as assert from 'assert';
import * as path from 'path';
import { runScenarioFile } from './helpers';
import { runScenarioText } from '../traffic_phase';

const FOUND = path.resolve(__dirname, '../../../../test/fidelity/found/fix-ct-syn-retrans-acct.yaml');

describe('conntrack accounting: a SYN retransmission', () => {
  it('keeps the entry at one packet and 60 bytes: every SYN passes `ct packets 2-3` and `ct bytes 61-1000` and is forwarded', () => {
    const t = runScenarioFile(FOUND);
    const r = t.events.filter((e) => e.host === 'r');
    const syns = new Set(r.filter((e) => e.fn === 'nf_conntrack_in' && /10\.0\.4\.2:40000 → 10\.0\.2\.13:8080/.test(e.what)).map((e) => e.packet));
    assert.strictEqual(syns.size, 4, 'the SYN and its three retransmissions (tcp_syn_retries 2, one more after the ICMP errors)');
    assert.ok(!r.some((e) => e.fn === 'nft_do_chain' && /verdict drop/.test(e.what)), 'no rule matched');
    assert.strictEqual(r.filter((e) => e.fn === 'nft_do_chain' && /has ct packets 1\b/.test(e.what)).length, 4);
    assert.strictEqual(t.counters.r.IpForwDatagrams, 4);
    assert.strictEqual(t.counters.r.IcmpOutDestUnreachs, 4, 'each SYN waited for ARP, which failed: a host unreachable for each');
  });

  it('counts every segment of an answered connection: SYN, then the ACK after the SYN-ACK sees three packets', () => {
    const text = `
name: an answered connection is counted
hosts:
  c: |
    ip addr add 10.0.4.2/24 dev eth0
    ip link set eth0 up
  s: |
    ip addr add 10.0.4.1/24 dev eth0
    ip link set eth0 up
    nft add table ip keys
    nft add chain ip keys c '{ type filter hook input priority 10; policy accept; }'
    nft add rule ip keys c ct packets 100 counter drop
links:
  - c:eth0 s:eth0
listen:
  - s: tcp 8080
traffic:
  - from: c
    send: tcp connect to 10.0.4.1:8080 from :40000 data 100
`;
    const t = runScenarioText(text, 'inline.yaml', { readFile: () => '' });
    const seen = t.events.filter((e) => e.host === 's' && e.fn === 'nft_do_chain' && /has ct packets/.test(e.what)).map((e) => Number(/has ct packets (\d+)/.exec(e.what)?.[1]));
    assert.deepStrictEqual(seen.slice(0, 3), [1, 3, 4]);
  });
});
