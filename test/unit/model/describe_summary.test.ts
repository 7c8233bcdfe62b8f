// The packet summary's caches (src/model/sim/describe.ts: recent UDP summaries, recent address
// texts) must never hand back another datagram's text: every summary is checked against the
// text made from the header's fields, over datagrams drawn from small sets of values so that
// the same datagram comes back and different ones meet in the same slot.
import * as assert from 'assert';
import fc from 'fast-check';
import { describeL3, udpSummarySlot } from '../../../src/model/sim/describe';
import { ETH_P_IP } from '../../../src/model/proto/ethernet';
import { IPPROTO_UDP, writeIp } from '../../../src/model/proto/ipv4';
import { numToIp } from '../../../src/model/proto/addr';

interface Dgram {
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  payload: number;
  ttl: number;
  fragOff: number;
}

function bytes(d: Dgram): Uint8Array {
  const b = new Uint8Array(28 + d.payload);
  writeIp(b, 0, { version: 4, ihl: 5, tos: 0, totLen: b.length, id: 1, fragOff: d.fragOff, ttl: d.ttl, protocol: IPPROTO_UDP, saddr: d.saddr, daddr: d.daddr });
  const u = new DataView(b.buffer, 20);
  u.setUint16(0, d.sport);
  u.setUint16(2, d.dport);
  u.setUint16(4, 8 + d.payload);
  return b;
}

/** tcpdump's line for the datagram, from its fields */
function expected(d: Dgram): string {
  const off = d.fragOff & 0x1fff;
  const frag = d.fragOff & 0x3fff ? `, frag offset ${off * 8}${d.fragOff & 0x2000 ? ' MF' : ''}` : '';
  const tail = `, ttl ${d.ttl}, length ${28 + d.payload}${frag}`;
  if (off !== 0) return `${numToIp(d.saddr)} > ${numToIp(d.daddr)}: proto 17${tail}`;
  return `${numToIp(d.saddr)}.${d.sport} > ${numToIp(d.daddr)}.${d.dport}: UDP, length ${d.payload}${tail}`;
}

const dgram: fc.Arbitrary<Dgram> = fc.record({
  // addresses that share their low byte (one address-text slot) and the top bit set (negative as int32)
  saddr: fc.constantFrom(0x0a000102, 0x0a000202, 0xc0a80102, 0xfffffe02),
  daddr: fc.constantFrom(0x0a000202, 0x0a000302, 0xe0000102),
  sport: fc.constantFrom(1, 40000, 65535),
  dport: fc.constantFrom(53, 9000, 65535),
  payload: fc.constantFrom(0, 1, 172),
  ttl: fc.constantFrom(1, 64, 255),
  fragOff: fc.constantFrom(0, 0x4000, 0x2000, 0x2001, 0x0001),
});

describe('packet summary caches', () => {
  it('a UDP datagram is summarised from its own fields, whatever was summarised before it', () => {
    fc.assert(
      fc.property(fc.array(dgram, { minLength: 1, maxLength: 60 }), (ds) => {
        for (const d of ds) {
          const b = bytes(d);
          assert.strictEqual(describeL3(b, 0, ETH_P_IP, b.length), expected(d));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the same datagram twice gives the same text, and a change of one field changes it', () => {
    const d: Dgram = { saddr: 0x0a000102, daddr: 0x0a000202, sport: 40000, dport: 9000, payload: 172, ttl: 64, fragOff: 0x4000 };
    const first = describeL3(bytes(d), 0, ETH_P_IP, 200);
    assert.strictEqual(describeL3(bytes(d), 0, ETH_P_IP, 200), first);
    for (const change of [{ ttl: 63 }, { sport: 40001 }, { dport: 9001 }, { payload: 171 }, { saddr: 0x0a000103 }, { daddr: 0x0b000202 }]) {
      const e = { ...d, ...change };
      const b = bytes(e);
      assert.strictEqual(describeL3(b, 0, ETH_P_IP, b.length), expected(e), JSON.stringify(change));
    }
  });

  it('datagrams of flows that share a slot, or of one flow with other lengths or TTL, each get their own text', () => {
    const d: Dgram = { saddr: 0x0a000102, daddr: 0x0a000202, sport: 40000, dport: 9000, payload: 172, ttl: 64, fragOff: 0 };
    const slot = udpSummarySlot(d.saddr, d.daddr, d.sport, d.dport);
    /** a datagram like `d` with `field` changed so that it lands in d's slot */
    const meet = (field: 'saddr' | 'daddr' | 'sport'): Dgram => {
      for (let v = 1; v < 1 << 24; v++) {
        const e = { ...d, [field]: field === 'sport' ? v & 0xffff : (d[field] + v) >>> 0 };
        if (e[field] !== d[field] && udpSummarySlot(e.saddr, e.daddr, e.sport, e.dport) === slot) return e;
      }
      throw new Error(`no ${field} meets the slot`);
    };
    const others = [meet('saddr'), meet('daddr'), meet('sport'), { ...d, dport: 9001 }, { ...d, ttl: 63 }, { ...d, payload: 171 }];
    for (const e of others) {
      for (const x of [d, e, d, e]) {
        const b = bytes(x);
        assert.strictEqual(describeL3(b, 0, ETH_P_IP, b.length), expected(x), JSON.stringify(x));
      }
    }
  });
});
