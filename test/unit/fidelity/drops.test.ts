import * as assert from 'assert';
import { parseDrops, parseKfreeSkb } from '../../../src/fidelity/drops';
import { compareDrops } from '../../../src/fidelity/compare';
import type { Observation } from '../../../src/fidelity/observe';

// Lines of the skb:kfree_skb tracepoint as 6.18 printed them in a tracefs instance.
const TRACE = `# tracer: nop
            ping-18980   [000] .Ns1.  3331.926843: kfree_skb: skbaddr=00000000cc82a3af rx_sk=0000000000000000 protocol=2048 location=ip_forward+0x2c0/0x730 reason: IP_INHDR
          <idle>-0       [000] ..s1.  3331.940559: kfree_skb: skbaddr=00000000cc82a3af rx_sk=0000000000000000 protocol=2048 location=inet_sock_destruct+0x57/0x1a0 reason: QUEUE_PURGE
         python3-19071   [000] .Ns1.  3339.373398: kfree_skb: skbaddr=00000000ca4fa1d9 rx_sk=0000000000000000 protocol=2048 location=__udp4_lib_rcv+0x1eb/0xd00 reason: UDP_CSUM
         python3-19071   [000] .Ns1.  3339.373398: kfree_skb: skbaddr=00000000ca4fa1d9 rx_sk=0000000000000000 protocol=2048 location=ip_rcv_core.isra.0+0x1eb/0xd00 reason: NOT_SPECIFIED
         python3-19071   [000] .Ns1.  3339.373398: kfree_skb: skbaddr=00000000ca4fa1d9 rx_sk=0000000000000000 protocol=34525 location=ip6_rcv_core+0x1eb/0xd00 reason: IPV6DISABLED
`;

describe('fidelity: drops from the kfree_skb tracepoint', () => {
  it('parses location and reason, strips compiler suffixes', () => {
    assert.deepStrictEqual(parseKfreeSkb(TRACE.split('\n')[1]), { protocol: 2048, fn: 'ip_forward', reason: 'IP_INHDR' });
    assert.strictEqual(parseKfreeSkb(TRACE.split('\n')[4])!.fn, 'ip_rcv_core');
    assert.strictEqual(parseKfreeSkb('# tracer: nop'), undefined);
  });

  it('keeps IPv4 and ARP drops with a reason; leaves out NOT_SPECIFIED, QUEUE_PURGE and other protocols', () => {
    assert.deepStrictEqual(parseDrops(TRACE), [
      { protocol: 2048, fn: 'ip_forward', reason: 'IP_INHDR' },
      { protocol: 2048, fn: '__udp4_lib_rcv', reason: 'UDP_CSUM' },
    ]);
  });

  it('compares drops as multisets of reason and function', () => {
    const o = (drops?: { fn: string; reason: string }[]): Observation => ({ frames: new Map(), hooks: new Map(), counters: {}, sockets: new Map(), pings: [], sends: [], drops });
    assert.deepStrictEqual(compareDrops(o([{ fn: 'ip_forward', reason: 'IP_INHDR' }]), o([{ fn: 'ip_forward', reason: 'IP_INHDR' }])), []);
    const d = compareDrops(o([{ fn: 'ip_forward', reason: 'IP_INHDR' }]), o([]));
    assert.deepStrictEqual(d.map((x) => [x.field, x.model, x.kernel]), [['SKB_DROP_REASON_IP_INHDR in ip_forward', '1', '0']]);
    assert.deepStrictEqual(compareDrops(o([{ fn: 'x', reason: 'Y' }]), o(undefined)), [], 'nothing compared without --drops');
  });
});
