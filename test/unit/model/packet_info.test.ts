// A packet's summary is made when read, from a copy of its first headers (src/model/sim/
// packet_info.ts): the copy must hold every byte the summary reads, the packet must read as the
// contract's plain object everywhere a trace goes (JSON, a structured clone through
// plainPackets), and a packet changed after its first step keeps the summary of that step.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { describeFrame, describeL3 } from '../../../src/model/sim/describe';
import { HeaderCopies, RecordedPacket } from '../../../src/model/sim/packet_info';
import { ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 } from '../../../src/model/proto/ethernet';
import { plainPackets } from '../../../src/trace/read';
import { runScenarioText } from '../../../src/scenario/run';

/** random headers that describe.ts reads far into: IPv4 with options (IHL 0-15) and TCP, UDP, ICMP; IPv6 with ICMPv6 ND, UDP, TCP; ARP */
const headers = fc.record({
  proto: fc.constantFrom(ETH_P_IP, ETH_P_IPV6, ETH_P_ARP, 0x88cc),
  bytes: fc.uint8Array({ minLength: 0, maxLength: 140, size: 'max' }),
  l4: fc.constantFrom(6, 17, 1, 58, 0),
  ihl: fc.integer({ min: 0, max: 15 }),
  frame: fc.boolean(),
});

describe('model: a packet summary made from its kept headers', () => {
  it('equals the summary of the whole buffer, for any headers of any length (IPv4 options, IPv6 ND, ARP, a frame)', () => {
    const copies = new HeaderCopies();
    fc.assert(
      fc.property(headers, ({ proto, bytes, l4, ihl, frame }) => {
        const b = Uint8Array.from(bytes);
        const net = frame ? 14 : 0;
        if (frame && b.length >= 14) {
          b[12] = proto >> 8;
          b[13] = proto & 255;
        }
        if (proto === ETH_P_IP && b.length > net + 9) {
          b[net] = 0x40 | ihl;
          b[net + 6] = 0; // not a fragment
          b[net + 7] = 0;
          b[net + 9] = l4 === 58 ? 1 : l4;
          const at = net + Math.max(20, ihl * 4);
          // ICMP echo (id, seq) and fragmentation needed (the MTU), whose last bytes the summary reads
          if (b[net + 9] === 1 && b.length > at + 1) b[at] = [0, 8, 3][b[at + 1] % 3];
          if (b[net + 9] === 1 && b.length > at + 1 && b[at] === 3) b[at + 1] = 4;
        }
        if (proto === ETH_P_IPV6 && b.length > net + 6) {
          b[net] = 0x60;
          b[net + 6] = l4;
          if (b.length > net + 40 && l4 === 58) b[net + 40] = 135 + (b[net + 41] & 1);
        }
        if (proto === ETH_P_ARP && b.length > net + 8) {
          b[net + 6] = 0;
          b[net + 7] = 1 + (b[net + 8] & 1); // a request or a reply
        }
        const p = new RecordedPacket(1, null, 'h');
        const whole = frame ? describeFrame(b, 0, b.length) : describeL3(b, 0, proto, b.length);
        p.keepHeaders(copies, b, 0, b.length, frame ? -1 : proto);
        b.fill(0xee); // the sk_buff changes after the step: the summary is of the headers as kept
        assert.strictEqual(p.summary, whole);
      }),
      { numRuns: 3000, seed: 19 },
    );
  });

  it('reads as the contract says: summary in JSON in its place, plain objects for a structured clone', () => {
    // forwarded: the router lowers the TTL after the packet's first step, which the summary does not see
    const file = path.join(__dirname, '../../../../examples/forward-ping.yaml');
    const t = runScenarioText(fs.readFileSync(file, 'utf8'), file);
    const p = t.packets.find((x) => x.summary.includes('ICMP echo request'));
    assert.ok(p, t.packets.map((x) => x.summary).join('\n'));
    assert.deepStrictEqual(Object.keys(JSON.parse(JSON.stringify(p))), ['id', 'parent', 'summary', 'origin', 'fate']);
    assert.strictEqual(JSON.parse(JSON.stringify(p)).summary, p.summary);
    const cloned = structuredClone(plainPackets(t.packets));
    assert.deepStrictEqual(
      cloned.map((x) => x.summary),
      t.packets.map((x) => x.summary),
    );
    assert.ok(cloned.every((x) => x.summary !== ''));
    assert.match(p.summary, /ttl 64/);
  });
});
