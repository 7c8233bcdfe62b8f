// Conntrack's checksum check at PRE_ROUTING leaves its software sum in the sk_buff
// (__skb_checksum_complete: CHECKSUM_COMPLETE, csum_complete_sw, csum_valid), and
// udp4_csum_init / udp6_csum_init refuse a bad one at once (v6.12). Checked on the kernel by
// test/fidelity/found/fix-udp-ct-sw-csum.yaml; the variations here must change the outcome.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-udp-ct-sw-csum.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-udp-ct-sw-csum.yaml');
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;
const udpFates = (t: Trace): string[] =>
  t.packets.filter((p) => / UDP, length /.test(p.summary)).map((p) => `${p.fate.kind} ${p.fate.fn} ${p.fate.reason ?? ''}`.trim());
/** the scenario without b's nat table: nothing loads conntrack */
const withoutConntrack = (s: string): string => s.split('\n').filter((l) => !/^\s+nft /.test(l)).join('\n');

describe('UDP after conntrack summed the datagram in software (v6.12)', () => {
  it('drops long datagrams with a bad checksum in __udp*_lib_rcv, before the socket or multicast lookup', () => {
    const t = run();
    assert.deepStrictEqual(udpFates(t), [
      'dropped __udp4_lib_rcv SKB_DROP_REASON_UDP_CSUM',
      'dropped __udp4_lib_rcv SKB_DROP_REASON_UDP_CSUM',
      'dropped __udp6_lib_rcv SKB_DROP_REASON_UDP_CSUM',
      'delivered udp_recvmsg',
    ]);
    assert.strictEqual(counter(t, 'b', 'UdpInCsumErrors'), 2);
    assert.strictEqual(counter(t, 'b', 'Udp6InCsumErrors'), 1);
    assert.strictEqual(counter(t, 'b', 'UdpIgnoredMulti'), 0);
    assert.strictEqual(counter(t, 'b', 'UdpInDatagrams'), 1);
  });

  it('without conntrack, queues them (dropped when read) and lets the multicast go to __udp4_lib_mcast_deliver', () => {
    const t = run(withoutConntrack);
    assert.deepStrictEqual(udpFates(t), [
      'dropped udp_recvmsg SKB_DROP_REASON_NOT_SPECIFIED',
      'dropped __udp4_lib_mcast_deliver SKB_DROP_REASON_NOT_SPECIFIED',
      'dropped udpv6_recvmsg SKB_DROP_REASON_NOT_SPECIFIED',
      'delivered udp_recvmsg',
    ]);
    assert.strictEqual(counter(t, 'b', 'UdpIgnoredMulti'), 1);
  });

  it('leaves the verdict in the sk_buff: CHECKSUM_COMPLETE after nf_conntrack_in, for a good datagram too', () => {
    const t = run();
    const good = t.packets[t.packets.length - 1];
    const seen = t.events.filter((e) => e.packet === good.id && e.skb).map((e) => e.skb!.ip_summed);
    assert.strictEqual(seen[0], 'CHECKSUM_NONE');
    assert.strictEqual(seen[seen.length - 1], 'CHECKSUM_COMPLETE');
  });
});
