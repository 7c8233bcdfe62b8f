// IPv6 fragmentation at the source, reassembly, extension headers and crafted IPv6 frames on the
// model: counters, fates, the bytes of the fragments, and what the grammar refuses.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runExample, firstPacket, eventsOf } from './helpers';
import { runScenarioText } from '../../../src/scenario/run';
import { ScenarioErrors } from '../../../src/scenario/types';

const byteAt = (hex: string, off: number): number => parseInt(hex.slice(off * 2, off * 2 + 2), 16);
const HOSTS = `hosts:\n  a: |\n    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad\n    ip link set eth0 up\n  b: |\n    ip -6 addr add 2001:db8:1::20/64 dev eth0 nodad\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\n`;
const wire = (...sends: string[]): string => `name: t\n${HOSTS}listen:\n  - b: udp [::]:7000\ntraffic:\n${sends.map((s) => `  - into: b:eth0\n    send: ${s}\n`).join('')}`;
const FROM = 'udp from [2001:db8:1::10]:40000 to [2001:db8:1::20]:7000';

describe('IPv6 fragments and extension headers on the model', () => {
  it('ipv6-fragmentation-reassembly: three fragments each way, one identification, reassembled before ICMPv6', () => {
    const t = runExample('ipv6-fragmentation-reassembly');
    const c = t.counters.client;
    const s = t.counters.server;
    assert.deepStrictEqual([c.Ip6FragCreates, c.Ip6FragOKs, s.Ip6ReasmReqds, s.Ip6ReasmOKs, s.Icmp6InEchos], [3, 1, 3, 1, 1]);
    assert.deepStrictEqual([s.Ip6FragCreates, c.Ip6ReasmOKs, c.Icmp6InEchoReplies], [3, 1, 1]);
    const req = firstPacket(t, (x) => x.includes('echo request'));
    const frags = t.events.filter((e) => e.fn === 'ip6_finish_output2' && e.host === 'client' && e.skb && byteAt(e.skb.bytes, e.skb.network_header! + 6) === 44);
    assert.strictEqual(frags.length, 3);
    const offs = frags.map((e) => (byteAt(e.skb!.bytes, e.skb!.network_header! + 42) << 8) | byteAt(e.skb!.bytes, e.skb!.network_header! + 43));
    // offset 0 and 1448 with M, 2896 without
    assert.deepStrictEqual(offs, [1, 1448 | 1, 2896]);
    const ids = new Set(frags.map((e) => e.skb!.bytes.slice((e.skb!.network_header! + 44) * 2, (e.skb!.network_header! + 48) * 2)));
    assert.strictEqual(ids.size, 1, 'one identification for the datagram');
    assert.ok(req > 0);
  });

  it('reassembly timeout: Ip6ReasmTimeout and time exceeded code 1 quoting the first fragment', () => {
    const t = runScenarioText(fs.readFileSync(path.join(__dirname, '../../../../test/fixtures/ipv6-reassembly-timeout.yaml'), 'utf8'), 't.yaml');
    const s = t.counters.server;
    assert.deepStrictEqual([s.Ip6ReasmReqds, s.Ip6ReasmTimeout, s.Ip6ReasmFails, s.Icmp6OutTimeExcds], [1, 1, 1, 1]);
    const frag = t.packets[0];
    assert.strictEqual(frag.fate.reason, 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT');
  });

  it('routing header type 0 with segments left: parameter problem at the type; none left: passed over', () => {
    const t = runScenarioText(wire(`${FROM} ext rt0:1`, `${FROM} ext rt0:0`), 't.yaml');
    const s = t.counters.b;
    assert.deepStrictEqual([s.Ip6InHdrErrors, s.Icmp6OutParmProblems, s.Udp6InDatagrams], [1, 1, 1]);
    const pp = t.packets.find((p) => p.summary.includes('parameter problem'))!;
    const ev = eventsOf(t, pp.id, 'icmp6_send')[0].skb!;
    // pointer 42: the routing header's type byte
    assert.strictEqual(parseInt(ev.bytes.slice((ev.network_header! + 44) * 2, (ev.network_header! + 48) * 2), 16), 42);
  });

  it('unknown options follow their two high bits: skip, drop, drop and report', () => {
    const t = runScenarioText(wire(`${FROM} ext dst:0x1e`, `${FROM} ext hop:0x5e`, `${FROM} ext dst:0x9e`), 't.yaml');
    const s = t.counters.b;
    assert.deepStrictEqual([s.Udp6InDatagrams, s.Icmp6OutParmProblems, s.Ip6InHdrErrors], [1, 1, 2]);
    assert.strictEqual(t.packets[1].fate.reason, 'SKB_DROP_REASON_UNHANDLED_PROTO');
  });

  it('refuses IPv4 fields, known options and other routing types in a crafted IPv6 frame, at their word', () => {
    const err = (send: string): string => {
      try {
        runScenarioText(wire(send), 't.yaml');
      } catch (e) {
        if (e instanceof ScenarioErrors) return e.message;
        throw e;
      }
      return 'no error';
    };
    assert.match(err(`${FROM} ttl 3`), /t\.yaml:\d+:\d+: `ttl` is an IPv4 header field/);
    assert.match(err(`${FROM} ext hop:5`), /router alert.*not modelled/);
    assert.match(err(`${FROM} ext rt4:0`), /other routing types.*not modelled/);
    assert.match(err(`${FROM} id 5`), /give `frag offset N` too/);
    assert.match(err(`${FROM} size 44`), /too small/);
    assert.match(err('tcp from [2001:db8:1::10]:1 to [2001:db8:1::20]:2'), /not modelled/);
  });
});
