// The recorder's fast paths (issue 12): at the fates level it keeps no call path and no counter
// objects, yet what a re-executed window records from setLevel('full') on is what a whole full run
// records; in a full trace, equal hook contexts and counter sets are shared, unequal ones are not.
import * as assert from 'assert';
import { Recorder } from '../../../src/model/sim/recorder';
import { allocSkb } from '../../../src/model/net/core/skbuff';
import type { NetDevice } from '../../../src/model/net/core/netdevice';
import { Rtable, type DstInput, type DstOutput } from '../../../src/model/net/ipv4/route_types';
import type { SkbSnapshot } from '../../../src/trace/contract';

const noSkb = null;

describe('Recorder', () => {
  it('gives the counters counted at the fates level, not yet taken by a step, to the first full event', () => {
    const rec = new Recorder('fates', () => 0);
    rec.count('a', 'IpInReceives');
    rec.step('a', noSkb, 'L3', 'ip_rcv', 'net/ipv4/ip_input.c', 'taken by this step');
    rec.count('a', 'IpInReceives');
    rec.count('b', 'UdpInDatagrams', 2);
    rec.count('a', 'IpInDelivers');
    rec.count('a', 'IpInReceives');
    rec.setLevel('full');
    rec.step('a', noSkb, 'L3', 'ip_local_deliver', 'net/ipv4/ip_input.c', 'first full event of a');
    rec.step('b', noSkb, 'L4', 'udp_rcv', 'net/ipv4/udp.c', 'first full event of b');
    rec.step('a', noSkb, 'L3', 'ip_local_deliver', 'net/ipv4/ip_input.c', 'nothing pending');
    assert.deepStrictEqual(
      rec.events.map((e) => e.counters),
      [{ IpInReceives: 2, IpInDelivers: 1 }, { UdpInDatagrams: 2 }, undefined],
    );
    // the key order is the order of first counting, as a whole full run makes it
    assert.deepStrictEqual(Object.keys(rec.events[0].counters!), ['IpInReceives', 'IpInDelivers']);
  });

  it('keeps a fates-level host that counts without steps bounded, and its sums right', () => {
    const rec = new Recorder('fates', () => 0);
    for (let i = 0; i < 10_000; i++) rec.count('a', i % 2 ? 'ArpFilter' : 'IpInReceives');
    rec.setLevel('full');
    rec.step('a', noSkb, 'L3', 'f', 'x.c', 'w');
    assert.deepStrictEqual(rec.events[0].counters, { IpInReceives: 5000, ArpFilter: 5000 });
  });

  it('keeps no pending counters in a run told it stays at the fates level, and refuses to turn full then', () => {
    const rec = new Recorder('fates', () => 0);
    rec.count('a', 'IpInReceives');
    rec.fatesToTheEnd();
    rec.count('a', 'IpInDelivers');
    assert.strictEqual((rec as unknown as { fatesPending: Map<string, unknown> }).fatesPending.size, 0, 'nothing kept for a turn to full');
    assert.throws(() => rec.setLevel('full'), /stays at the fates level/);
    const full = new Recorder('full', () => 0);
    full.fatesToTheEnd();
    full.step('a', noSkb, 'L3', 'f', 'x.c', 'a full recorder is not changed');
    assert.strictEqual(full.events.length, 1);
  });

  it('records no call path at the fates level, and the whole path at the full level', () => {
    const rec = new Recorder('fates', () => 0);
    rec.call('outer', () => rec.call('inner', () => assert.deepStrictEqual(rec.stack, [])));
    rec.setLevel('full');
    rec.fresh(() => rec.call('outer', () => rec.call('inner', () => rec.step('a', noSkb, 'L3', 'inner', 'x.c', 'w'))));
    assert.deepStrictEqual(rec.events[0].stack, ['outer', 'inner']);
    assert.deepStrictEqual(rec.stack, []);
  });

  it('puts the call path aside for a fresh path and gives it back, and a leave goes back to where its enter was', () => {
    const rec = new Recorder('full', () => 0);
    const outer = rec.enter('outer');
    rec.call('mid', () => {
      rec.fresh(() => rec.call('softirq', () => rec.step('a', noSkb, 'L2', 'softirq', 'x.c', 'in the softirq')));
      rec.step('a', noSkb, 'L3', 'mid', 'x.c', 'back in mid');
      // an inner call whose leave an exception skipped: the outer leave still goes back to its depth
      rec.enter('leaked');
    });
    rec.step('a', noSkb, 'L3', 'outer', 'x.c', 'back in outer');
    rec.leave(outer);
    rec.step('a', noSkb, 'L3', 'top', 'x.c', 'outside');
    assert.deepStrictEqual(
      rec.events.map((e) => e.stack),
      [['softirq'], ['outer', 'mid'], ['outer'], ['top']],
    );
    assert.deepStrictEqual(rec.stack, []);
  });

  it('shares equal hook contexts and counter sets between events, and only equal ones', () => {
    const rec = new Recorder('full', () => 0);
    const at = { file: 'a.yaml', line: 3, col: 5 };
    const hooks = [
      { hook: 'NF_INET_FORWARD' as const, verdict: 'NF_ACCEPT' },
      { hook: 'NF_INET_FORWARD' as const, verdict: 'NF_ACCEPT' },
      { hook: 'NF_INET_FORWARD' as const, verdict: 'NF_DROP' },
      // the same JSON, but one more own key: not the same object
      { hook: 'NF_INET_FORWARD' as const, verdict: 'NF_ACCEPT', priority: undefined },
      { hook: 'NF_INET_FORWARD' as const, rule: 'counter drop', ruleIndex: 1, ruleAt: at },
      { hook: 'NF_INET_FORWARD' as const, rule: 'counter drop', ruleIndex: 1, ruleAt: { ...at } },
    ];
    for (const hook of hooks) {
      rec.count('a', 'IpExtInOctets', 200);
      rec.step('a', noSkb, 'L3', 'nft_do_chain', 'net/netfilter/nf_tables_core.c', 'w', { hook });
    }
    const got = rec.events.map((e) => e.hook!);
    assert.deepStrictEqual(got, hooks);
    assert.strictEqual(got[1], got[0]);
    assert.notStrictEqual(got[2], got[0]);
    assert.notStrictEqual(got[3], got[0]);
    assert.ok('priority' in got[3]);
    assert.strictEqual(got[5], got[4]);
    const cs = rec.events.map((e) => e.counters!);
    assert.deepStrictEqual(cs[0], { IpExtInOctets: 200 });
    assert.ok(cs.every((c) => c === cs[0]));
    rec.count('a', 'IpExtInOctets', 100);
    rec.step('a', noSkb, 'L3', 'f', 'x.c', 'w', { drop: 'SKB_DROP_REASON_NETFILTER_DROP', ret: 'NF_DROP' });
    const last = rec.events[rec.events.length - 1];
    assert.deepStrictEqual(last.counters, { IpExtInOctets: 100 });
    assert.deepStrictEqual(Object.keys(last), ['seq', 'time', 'host', 'packet', 'layer', 'fn', 'file', 'stack', 'what', 'counters', 'drop', 'ret']);
  });

  it('sums a counter counted more than once before a step at its first place, per host, in a full trace', () => {
    const rec = new Recorder('full', () => 0);
    for (let k = 0; k < 2; k++) {
      rec.count('a', 'IpInReceives');
      rec.count('b', 'IpInReceives', 7);
      rec.count('a', 'IpForwDatagrams');
      rec.count('a', 'IpInReceives', 2);
      rec.count('a', 'IpOutRequests');
      rec.count('a', 'IpForwDatagrams');
      rec.step('a', noSkb, 'L3', 'ip_forward', 'net/ipv4/ip_forward.c', 'w');
    }
    rec.step('b', noSkb, 'L3', 'ip_rcv', 'net/ipv4/ip_input.c', 'w');
    const [first, second, b] = rec.events.map((e) => e.counters!);
    assert.deepStrictEqual(first, { IpInReceives: 3, IpForwDatagrams: 2, IpOutRequests: 1 });
    assert.deepStrictEqual(Object.keys(first), ['IpInReceives', 'IpForwDatagrams', 'IpOutRequests']);
    assert.strictEqual(second, first, 'the same deltas again: the set interned');
    assert.deepStrictEqual(b, { IpInReceives: 14 });
  });

  it('keeps each version of the bytes once, and gives the hex of the version at the step, as a plain last property', () => {
    const rec = new Recorder('full', () => 0);
    const skb = allocSkb(2, 3, 1);
    skb.w().set([0xde, 0xad, 0xbe], skb.put(3));
    rec.step('a', skb, 'L3', 'f', 'x.c', 'first');
    skb.mark = 7; // the same bytes, another snapshot
    rec.step('a', skb, 'L3', 'g', 'x.c', 'second');
    skb.w()[2] = 0x01; // new bytes after the step: the snapshots keep the old ones
    rec.step('a', skb, 'L3', 'h', 'x.c', 'third');
    // many buffers: the store moves on to new chunks, and each version keeps its own bytes
    const many = Array.from({ length: 3000 }, (_, i) => {
      const b = allocSkb(0, 500, 2 + i);
      b.w().fill(i & 0xff, b.put(500));
      rec.step('a', b, 'L3', 'f', 'x.c', 'many');
      return rec.events[rec.events.length - 1].skb!;
    });
    const [a, b, c] = rec.events.map((e) => e.skb!);
    assert.strictEqual(a.bytes, '0000deadbe');
    assert.strictEqual(b.bytes, '0000deadbe');
    assert.strictEqual(c.bytes, '000001adbe');
    assert.strictEqual(b.mark, 7);
    many.forEach((s, i) => assert.strictEqual(s.bytes, (i & 0xff).toString(16).padStart(2, '0').repeat(500), `buffer ${i}`));
    // every reader sees a string property, last, as in a snapshot that holds the hex
    assert.strictEqual(Object.keys(a).pop(), 'bytes');
    assert.ok(JSON.stringify(a).endsWith(',"bytes":"0000deadbe"}'));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(a)), { ...a });
    assert.deepStrictEqual(structuredClone(c), JSON.parse(JSON.stringify(c)));
    assert.notDeepStrictEqual({ ...a }, { ...c });
    assert.ok(Object.isFrozen(a));
  });

  it('makes a template sentence once per distinct arguments, and the same sentence as the template', () => {
    const rec = new Recorder('full', () => 0);
    let made = 0;
    const tmpl = (dev: string, n: number): string => {
      made++;
      return `${dev} holds ${n}`;
    };
    const a = rec.say(tmpl, 'eth0', 1);
    const b = rec.say(tmpl, 'eth0', 1);
    const c = rec.say(tmpl, 'eth0', 2);
    const d = rec.say(tmpl, 'eth1', 1);
    assert.deepStrictEqual([a, b, c, d], ['eth0 holds 1', 'eth0 holds 1', 'eth0 holds 2', 'eth1 holds 1']);
    assert.strictEqual(made, 3, 'the repeated arguments reuse the sentence');
    // another template of the same arguments is another sentence
    assert.strictEqual(rec.say((dev: string, n: number) => `${n} on ${dev}`, 'eth0', 1), '1 on eth0');
    rec.step('a', noSkb, 'L2', 'f', 'x.c', a);
    rec.step('a', noSkb, 'L2', 'f', 'x.c', `eth0 holds ${1}`);
    assert.strictEqual(rec.events[0].what, rec.events[1].what);
  });

  it('gives the events as the contract\'s objects, the same array and objects on each read, growing as it records', () => {
    const rec = new Recorder('full', () => 5);
    const skb = allocSkb(2, 3, 1);
    rec.step('a', skb, 'L3', 'f', 'x.c', 'one', { hook: { hook: 'NF_INET_FORWARD', verdict: 'NF_ACCEPT' } });
    const first = rec.events;
    assert.strictEqual(rec.eventCount, 1);
    rec.step('b', null, 'L4', 'g', 'y.c', 'two', { drop: 'SKB_DROP_REASON_NO_SOCKET', ret: 'NET_RX_DROP' });
    assert.strictEqual(rec.events, first);
    assert.strictEqual(first.length, 2);
    assert.deepStrictEqual(Object.keys(first[0]), ['seq', 'time', 'host', 'packet', 'layer', 'fn', 'file', 'stack', 'what', 'skb', 'hook']);
    assert.deepStrictEqual({ ...first[1] }, { seq: 1, time: 5, host: 'b', packet: 0, layer: 'L4', fn: 'g', file: 'y.c', stack: ['g'], what: 'two', drop: 'SKB_DROP_REASON_NO_SOCKET', ret: 'NET_RX_DROP' });
    assert.strictEqual(first[0].skb!.len, 0);
    assert.strictEqual(first[0].skb!.headroom, 2);
    assert.strictEqual(first[0].skb!.dev, null);
  });

  it('gives the same events read as it goes (rows let go block by block) as read once at the end', () => {
    const record = (readEvery: number): Recorder => {
      const rec = new Recorder('full', () => 0);
      const skb = allocSkb(2, 3, 1);
      for (let i = 0; i < 10_000; i++) {
        // the same snapshot for runs of steps, across the blocks of rows, and back to an older one
        if (i % 3000 === 0) skb.mark = i;
        rec.step('a', skb, 'L3', i % 2 ? 'f' : 'g', 'x.c', `step ${i % 7}`, i % 5 ? undefined : { drop: 'SKB_DROP_REASON_NOT_SPECIFIED' });
        if (readEvery && i % readEvery === 0) assert.strictEqual(rec.events.length, i + 1);
      }
      return rec;
    };
    const once = record(0).events;
    const asItGoes = record(997).events;
    assert.strictEqual(once.length, 10_000);
    assert.strictEqual(JSON.stringify(asItGoes), JSON.stringify(once));
    // snapshots shared alike: one object per run of equal steps
    assert.strictEqual(new Set(asItGoes.map((e) => e.skb)).size, new Set(once.map((e) => e.skb)).size);
    assert.strictEqual(new Set(once.map((e) => e.skb)).size, 4);
  });

  it('shares a snapshot whose row was let go with the next equal step', () => {
    const rec = new Recorder('full', () => 0);
    const skb = allocSkb(2, 3, 1);
    for (let i = 0; i < 4096; i++) {
      skb.mark = i; // a block of rows, all different
      rec.step('a', skb, 'L3', 'f', 'x.c', 'w');
    }
    const last = rec.events[4095].skb; // all made: the block of rows is let go
    rec.step('a', skb, 'L3', 'f', 'x.c', 'the same sk_buff');
    skb.mark = 1;
    rec.step('a', skb, 'L3', 'f', 'x.c', 'another mark');
    const ev = rec.events;
    assert.strictEqual(ev[4096].skb, last);
    assert.strictEqual(ev[4097].skb!.mark, 1);
    assert.notStrictEqual(ev[4097].skb, ev[1].skb);
  });

  it('makes a new snapshot after a write of each field a snapshot shows, a device renamed or a conntrack state changed, and none without', () => {
    const rec = new Recorder('full', () => 0);
    const skb = allocSkb(16, 8, 1);
    skb.put(8);
    const dev = { name: 'eth0' } as NetDevice;
    const out = { name: 'eth1' } as NetDevice;
    const rt = new Rtable('RTN_UNICAST', out, { name: 'ip_forward' } as DstInput, { name: 'ip_output' } as DstOutput, 0, 0);
    const writes: [string, () => void, (s: SkbSnapshot) => unknown, unknown][] = [
      ['len', () => (skb.len = 6), (s) => s.len, 6],
      ['data', () => (skb.data = 18), (s) => s.data, 18],
      ['tail', () => (skb.tail = 23), (s) => s.tail, 23],
      ['protocol', () => (skb.protocol = 0x0800), (s) => s.protocol, 0x0800],
      ['pkt_type', () => (skb.pkt_type = 'PACKET_OTHERHOST'), (s) => s.pkt_type, 'PACKET_OTHERHOST'],
      ['dev', () => (skb.dev = dev), (s) => s.dev, 'eth0'],
      ['skb_iif', () => (skb.skb_iif = 3), (s) => s.iif, 3],
      ['mark', () => (skb.mark |= 9), (s) => s.mark, 9],
      ['mac_header', () => skb.resetMacHeader(), (s) => s.mac_header, 18],
      ['network_header', () => (skb.network_header = 20), (s) => s.network_header, 20],
      ['transport_header', () => skb.setTransportHeader(4), (s) => s.transport_header, 22],
      ['ip_summed', () => (skb.ip_summed = 'CHECKSUM_UNNECESSARY'), (s) => s.ip_summed, 'CHECKSUM_UNNECESSARY'],
      ['dst', () => skb.dstSet(rt, 0x0a000202), (s) => s.dst, 'unicast 10.0.2.2 dev eth1 (ip_forward)'],
      ['nfct', () => (skb.nfct = { state: 'IP_CT_NEW', id: 1 }), (s) => s.ct, 'IP_CT_NEW'],
      // not the sk_buff's own fields: its device's name, its route's device's name, its entry's state
      ['the device renamed', () => ((dev as { name: string }).name = 'lan0'), (s) => s.dev, 'lan0'],
      ['the route\'s device renamed', () => ((out as { name: string }).name = 'wan0'), (s) => s.dst, 'unicast 10.0.2.2 dev wan0 (ip_forward)'],
      // the same route for another destination, as a next hop's cached route serves each packet
      ['the route\'s destination', () => skb.dstSet(rt, 0x0a000203), (s) => s.dst, 'unicast 10.0.2.3 dev wan0 (ip_forward)'],
      ['the conntrack state', () => (skb.nfct!.state = 'IP_CT_ESTABLISHED'), (s) => s.ct, 'IP_CT_ESTABLISHED'],
      ['len again, back to a value it had', () => (skb.len = 8), (s) => s.len, 8],
    ];
    rec.step('a', skb, 'L3', 'f', 'x.c', 'before');
    for (const [name, write] of writes) {
      write();
      rec.step('a', skb, 'L3', 'f', 'x.c', name);
      rec.step('a', skb, 'L3', 'f', 'x.c', 'no write');
    }
    const snaps = rec.events.map((e) => e.skb!);
    writes.forEach(([name, , read, want], i) => {
      const [before, after, again] = [snaps[2 * i], snaps[2 * i + 1], snaps[2 * i + 2]];
      assert.notStrictEqual(read(before), want, `${name}: a change`);
      assert.strictEqual(read(after), want, name);
      assert.notDeepStrictEqual(after, before, name);
      assert.strictEqual(again, after, `${name}: no write, the same snapshot`);
    });
    assert.strictEqual(new Set(snaps).size, writes.length + 1);
  });
});
