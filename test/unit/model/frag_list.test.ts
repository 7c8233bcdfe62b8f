// The frag_list of a reassembled datagram (Linux v6.12): inet_frag_reasm_finish chains the
// fragments skb_try_coalesce cannot merge behind the head, and freeing the datagram frees them
// one by one in skb_release_data — with NOT_SPECIFIED when the datagram goes through consume_skb
// or kfree_skb_reason (__kfree_skb), as consumed when UDP's recvmsg frees it statelessly.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { modelDrops } from '../../../src/fidelity/observe';
import { REASM_CLONE } from '../../../src/model/net/ipv4/ip_fragment';
import { twoHostsText } from '../../fixtures/two-hosts';

function two(traffic: string, listen = ''): Trace {
  // traffic: the YAML of the whole list, written after `traffic:`
  return runScenarioText(twoHostsText({ names: ['h1', 'h2'], listen: listen ? [listen] : [], traffic: [] }) + traffic, 't.yaml');
}

const releases = (t: Trace, host: string): { summary: string; drop?: string; fate: string }[] =>
  t.events
    .filter((e) => e.fn === 'skb_release_data' && e.host === host)
    .map((e) => {
      const p = t.packets.find((x) => x.id === e.packet)!;
      return { summary: p.summary, drop: e.drop, fate: p.fate.detail?.endsWith(REASM_CLONE) ? 'clone' : p.fate.fn };
    });

describe('frag_list of a reassembled datagram (inet_frag_reasm_finish, skb_release_data)', () => {
  it('frees the chained fragments of an answered echo request as NOT_SPECIFIED drops, the completing one as a clone', () => {
    const t = two('  - from: h1\n    send: icmp echo-request to 10.0.1.2 size 9000\n');
    const r = releases(t, 'h2');
    // 9008 bytes of ICMP in 1480-byte pieces: 0, 1480, …, 7400 and the last 128 at 8880; the
    // head keeps offset 0, the next one is too big for its tailroom, so 6 are chained
    assert.strictEqual(r.length, 6);
    assert.ok(r.every((x) => x.drop === 'SKB_DROP_REASON_NOT_SPECIFIED'));
    assert.deepStrictEqual(
      r.map((x) => x.fate),
      ['ip_frag_reasm', 'ip_frag_reasm', 'ip_frag_reasm', 'ip_frag_reasm', 'ip_frag_reasm', 'clone'],
    );
    // the harness compares the five the tracer can place, not the clone
    const seen = modelDrops(t).filter((d) => d.host === 'h2' && d.fn === 'skb_release_data');
    assert.deepStrictEqual(
      seen.map((d) => d.id.summary.match(/frag offset (\d+)/)?.[1]),
      ['1480', '2960', '4440', '5920', '7400'],
    );
  });

  it('chains nothing when the second piece fits the head\'s tailroom (copied in by skb_try_coalesce)', () => {
    const t = two('  - from: h1\n    send: icmp echo-request to 10.0.1.2 size 1510\n');
    assert.strictEqual(t.events.filter((e) => e.fn === 'ip_frag_reasm').length, 2);
    assert.deepStrictEqual(releases(t, 'h2'), []);
    assert.deepStrictEqual(releases(t, 'h1'), []);
  });

  it('frees them as consumed when a UDP socket reads the datagram (skb_consume_udp)', () => {
    const t = two('  - from: h1\n    send: udp to 10.0.1.2:7000 size 4000\n', 'h2: udp 7000');
    const r = releases(t, 'h2');
    assert.strictEqual(r.length, 2);
    assert.ok(r.every((x) => x.drop === undefined));
    assert.deepStrictEqual(modelDrops(t).filter((d) => d.fn === 'skb_release_data'), []);
  });

  it('frees them as NOT_SPECIFIED drops after a datagram nobody listens for (NO_SOCKET)', () => {
    const t = two('  - from: h1\n    send: udp to 10.0.1.2:7000 size 4000\n');
    const ev = t.events.filter((e) => e.host === 'h2' && e.drop).map((e) => `${e.fn} ${e.drop!.replace('SKB_DROP_REASON_', '')}`);
    assert.deepStrictEqual(ev, ['__udp4_lib_rcv NO_SOCKET', 'skb_release_data NOT_SPECIFIED', 'skb_release_data NOT_SPECIFIED']);
  });
});
