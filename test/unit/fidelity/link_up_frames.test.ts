// The link-up's frames compared per device as multisets (link_up_frames.ts): the kernel's from an
// `any` capture with cooked v2 headers, the model's from before the first item; DAD's nonce
// masked, an MLD report's source race paired up, anything else one-sided a difference.
import * as assert from 'assert';
import * as run from '../../../src/scenario/run';
import type { Mark } from '../../../src/fidelity/link_up';
import { compareLinkUp, describeLinkUp, maskNonce, modelLinkUpFrames, parseSll2Pcap, type LinkUpFrames } from '../../../src/fidelity/link_up_frames';

const text = `name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0
    ip link set eth0 up
  b: |
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: udp to [2001:db8:1::2]:53
`;

function model(): LinkUpFrames {
  const marks: Mark[] = [];
  const t = run.runScenarioText(text, 't.yaml', { marks });
  return modelLinkUpFrames(t, marks[0].events);
}

/** A pcap of cooked v2 records: [protocol, ifindex, pkttype, payload]. */
function sll2Pcap(recs: [number, number, number, Uint8Array][]): Uint8Array {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(276, 20);
  parts.push(h);
  for (const [proto, ifindex, pkttype, p] of recs) {
    const r = Buffer.alloc(16 + 20);
    r.writeUInt32LE(20 + p.length, 8);
    r.writeUInt32LE(20 + p.length, 12);
    r.writeUInt16BE(proto, 16);
    r.writeUInt32BE(ifindex, 20);
    r.writeUInt16BE(1, 24);
    r[26] = pkttype;
    r[27] = 6;
    parts.push(r, Buffer.from(p));
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe('fidelity: the link-up frames (link_up_frames.ts)', () => {
  it("takes the model's IPv6 frames before the first item: a's two DAD probes and four MLD reports", () => {
    const m = model();
    const a = m.get('a:eth0')!.map(describeLinkUp);
    assert.strictEqual(a.filter((d) => d.startsWith('neighbour solicitation from ::')).length, 2);
    assert.strictEqual(a.filter((d) => d.startsWith('MLDv2 report from ::')).length, 2);
    assert.strictEqual(a.filter((d) => d.startsWith('MLDv2 report from fe80::')).length, 2);
    assert.ok(!m.has('a:lo'));
  });

  it('reads the outgoing IPv6 packets of a LINUX_SLL2 capture with their interface index, and refuses another link type', () => {
    const p = model().get('a:eth0')![0];
    const pcap = sll2Pcap([
      [0x86dd, 7, 4, p],
      [0x86dd, 7, 0, p],
      [0x0800, 7, 4, Uint8Array.from([0x45])],
    ]);
    const got = parseSll2Pcap(pcap);
    assert.deepStrictEqual(
      got.map((g) => [g.ifindex, Buffer.from(g.packet).toString('hex')]),
      [[7, Buffer.from(p).toString('hex')]],
    );
    const eth = pcap.slice();
    new DataView(eth.buffer).setUint32(20, 1, true);
    assert.throws(() => parseSll2Pcap(eth), /link type 1/);
  });

  it('agrees with itself in any order; a report missing, or the nonce or a record changed, is a difference; the nonce alone is not', () => {
    const m = model();
    const captured = new Set(['a:eth0', 'b:eth0']);
    const k: LinkUpFrames = new Map([...m].map(([key, l]) => [key, [...l].reverse()]));
    assert.deepStrictEqual(compareLinkUp(m, k, captured), []);
    // another nonce (and so another checksum) in a's first probe
    const probe = k.get('a:eth0')!.findIndex((p) => describeLinkUp(p).startsWith('neighbour solicitation'));
    const orig = k.get('a:eth0')![probe];
    const other = orig.slice();
    other[other.length - 1] ^= 0xff;
    other[43] ^= 0x0f;
    k.get('a:eth0')![probe] = other;
    assert.ok(Buffer.from(maskNonce(other)).equals(Buffer.from(maskNonce(orig))) && !Buffer.from(other).equals(Buffer.from(orig)));
    assert.deepStrictEqual(compareLinkUp(m, k, captured), []);
    // one report fewer on the kernel
    const rep = k.get('b:eth0')!.findIndex((p) => describeLinkUp(p).startsWith('MLDv2'));
    k.get('b:eth0')!.splice(rep, 1);
    const d = compareLinkUp(m, k, captured);
    assert.strictEqual(d.length, 1);
    assert.match(d[0].what, /^link-up on b:eth0: MLDv2 record TO_EX ff02::1:ff\S+ from /);
    assert.deepStrictEqual([d[0].model, d[0].kernel], ['2', '1']);
    assert.deepStrictEqual(compareLinkUp(m, k, new Set(['a:eth0'])), [], 'a device not captured is not compared');
  });

  it('pairs a report the model sent from :: with the same one from fe80:: in the kernel (DAD over first), counting the race', () => {
    const m = model();
    const k: LinkUpFrames = new Map([...m].map(([key, l]) => [key, [...l]]));
    const l = k.get('a:eth0')!;
    const i = l.findIndex((p) => describeLinkUp(p).startsWith('MLDv2 report from ::'));
    const fromLl = l.find((p) => describeLinkUp(p).startsWith('MLDv2 report from fe80'))!;
    l[i] = fromLl;
    const races = { n: 0 };
    assert.deepStrictEqual(compareLinkUp(m, k, new Set(['a:eth0']), races), []);
    assert.strictEqual(races.n, 2, 'its two records');
    // the other way round is the same race (another address's DAD can join a group before or after the link-local one's)
    const back: LinkUpFrames = new Map([['a:eth0', k.get('a:eth0')!]]);
    assert.deepStrictEqual(compareLinkUp(back, new Map([['a:eth0', m.get('a:eth0')!]]), new Set(['a:eth0'])), []);
    // a report from fe80:: more without one from :: less is no race
    const more: LinkUpFrames = new Map([['a:eth0', [...m.get('a:eth0')!, fromLl]]]);
    assert.strictEqual(compareLinkUp(m, more, new Set(['a:eth0'])).length, 2);
  });

  it('compares MLD reports record by record: packed otherwise they agree; records from :: as a set, the others by count', () => {
    const m = model();
    const l = m.get('a:eth0')!;
    const fromAny = l.filter((p) => describeLinkUp(p).startsWith('MLDv2 report from ::'));
    const fromLl = l.filter((p) => describeLinkUp(p).startsWith('MLDv2 report from fe80'));
    assert.deepStrictEqual([fromAny.length, fromLl.length], [2, 2]);
    // one report of two records → two reports of one record each
    const one = (p: Uint8Array, k: number): Uint8Array => {
      const q = new Uint8Array(56 + 20);
      q.set(p.slice(0, 56));
      q.set(p.slice(56 + k * 20, 56 + (k + 1) * 20), 56);
      q[54] = 0;
      q[55] = 1;
      return q;
    };
    const rest = l.filter((p) => !describeLinkUp(p).startsWith('MLDv2'));
    const kernel = (extra: Uint8Array[]): LinkUpFrames => new Map([['a:eth0', [...rest, one(fromLl[0], 0), fromLl[1], one(fromLl[0], 1), ...extra]]]);
    const cap = new Set(['a:eth0']);
    assert.deepStrictEqual(compareLinkUp(m, kernel(fromAny), cap), []);
    // from ::: three times, or once, is the same; a group never reported from :: is a difference
    assert.deepStrictEqual(compareLinkUp(m, kernel([...fromAny, fromAny[0]]), cap), []);
    assert.deepStrictEqual(compareLinkUp(m, kernel([one(fromAny[0], 0), one(fromAny[0], 1)]), cap), []);
    const d = compareLinkUp(m, kernel([one(fromAny[0], 0)]), cap);
    assert.deepStrictEqual(
      d.map((x) => [x.field, x.model, x.kernel]),
      [['sent at all', '2', '0']],
    );
    // from the link-local address by count
    const k2 = kernel(fromAny);
    k2.get('a:eth0')!.splice(rest.length, 1);
    assert.deepStrictEqual(
      compareLinkUp(m, k2, cap).map((x) => [x.field, x.model, x.kernel]),
      [['times sent', '2', '1']],
    );
  });

  it('does not compare the TO_EX records from :: of a group left again during the setup (forwarding on and off)', () => {
    // as generated scenario 990126/28 has it: the link comes up while a forwards, then it stops
    const toggled = text.replace('  a: |\n', '  a: |\n    sysctl -w net.ipv6.conf.all.forwarding=1\n').replace('    ip link set eth0 up\n  b:', '    ip link set eth0 up\n    sysctl -w net.ipv6.conf.all.forwarding=0\n  b:');
    const marks: Mark[] = [];
    const m = modelLinkUpFrames(run.runScenarioText(toggled, 't.yaml', { marks }), marks[0].events);
    const captured = new Set(['a:eth0', 'b:eth0']);
    const first = m.get('a:eth0')!.find((p) => /^MLDv2 report from :: \(TO_IN ff02::2|TO_IN .*ff02::2/.test(describeLinkUp(p)))!;
    assert.ok(first, 'the model leaves the router groups with TO_IN records');
    // the kernel's report work ran between the two sysctl lines: the same records as TO_EX first
    const asJoin = first.slice();
    const recordTypes = (p: Uint8Array, f: (type: number, at: number) => void): void => {
      const i = 40 + 8;
      const n = (p[i + 6] << 8) | p[i + 7];
      for (let k = 0, o = i + 8; k < n; k++, o += 20 + ((p[o + 2] << 8) | p[o + 3]) * 16) f(p[o], o);
    };
    let flipped = 0;
    recordTypes(asJoin, (t, o) => {
      if (t === 3) {
        asJoin[o] = 4;
        flipped++;
      }
    });
    assert.match(describeLinkUp(asJoin), /TO_EX ff02::2/);
    const k: LinkUpFrames = new Map([...m].map(([key, l]) => [key, key === 'a:eth0' ? [asJoin, ...l] : [...l]]));
    const races = { n: 0 };
    assert.deepStrictEqual(compareLinkUp(m, k, captured, races), []);
    assert.strictEqual(races.n, flipped);
    // a TO_EX from :: for a group nobody left is still a difference
    const stray = asJoin.slice();
    recordTypes(stray, (t, o) => {
      if (t === 4) stray[o + 19] ^= 0x55;
    });
    const k2: LinkUpFrames = new Map([...m].map(([key, l]) => [key, key === 'a:eth0' ? [stray, ...l] : [...l]]));
    assert.ok(compareLinkUp(m, k2, captured).some((d) => d.field === 'sent at all' && d.kernel === '1' && d.model === '0'));
  });

  it('compares MLDv1 reports from :: as a set and from the link-local address by count, and reads a capture\'s packets without changing them', () => {
    const v1 = text.replace('    ip -6 addr add 2001:db8:1::1/64 dev eth0\n', '    sysctl -w net.ipv6.conf.eth0.force_mld_version=1\n    ip -6 addr add 2001:db8:1::1/64 dev eth0\n');
    const marks: Mark[] = [];
    const t = run.runScenarioText(v1, 't.yaml', { marks });
    const m = modelLinkUpFrames(t, marks[0].events);
    const a = m.get('a:eth0')!;
    const reports = a.filter((p) => describeLinkUp(p).startsWith('MLDv1 report'));
    assert.ok(reports.some((p) => describeLinkUp(p).endsWith('from ::')) && reports.some((p) => /from fe80::/.test(describeLinkUp(p))), a.map(describeLinkUp).join('; '));
    const captured = new Set(['a:eth0', 'b:eth0']);
    // the kernel's capture (Buffers: a slice is a view) with one more report from :: (a second ipv6_mc_up)
    const fromAny = reports.find((p) => describeLinkUp(p).endsWith('from ::'))!;
    const k = new Map(m);
    k.set('a:eth0', [...a, fromAny].map((p) => Buffer.from(p)));
    const before = k.get('a:eth0')!.map((p) => Buffer.from(p).toString('hex'));
    assert.deepStrictEqual(compareLinkUp(m, k, captured), []);
    assert.deepStrictEqual(k.get('a:eth0')!.map((p) => Buffer.from(p).toString('hex')), before, 'the packets are compared, not changed');
    // one from the link-local address fewer is a difference
    const ll = reports.find((p) => /from fe80::/.test(describeLinkUp(p)))!;
    k.set('a:eth0', a.filter((p) => p !== ll));
    assert.strictEqual(compareLinkUp(m, k, captured).length, 1);
  });
});
