import * as assert from 'assert';
import { decodeSkb } from '../../../src/debugger/decode';
import { ttlTrace } from '../../fixtures/synthetic-trace';

describe('header decoding', () => {
  const t = ttlTrace();
  it('decodes the forwarded echo request on the router: Ethernet, IPv4 (checksum correct), ICMP', () => {
    const e = t.events.find((x) => x.fn === 'ip_forward');
    assert.ok(e?.skb);
    const d = decodeSkb(e.skb);
    assert.deepStrictEqual(d.headers.map((h) => h.proto), ['eth', 'ip', 'icmp', 'payload']);
    assert.strictEqual(d.values.ttl, 1);
    assert.strictEqual(d.values.saddr, '10.0.1.2');
    assert.strictEqual(d.values.icmp_type, 8);
    const csum = d.fields.find((f) => f.name === 'Header checksum');
    assert.match(csum?.value ?? '', /\[correct\]/);
    // hover a byte → its field
    const ttlField = d.fields[d.fieldAt[(e.skb.network_header as number) + 8]];
    assert.strictEqual(ttlField.name, 'Time to live');
    assert.strictEqual(ttlField.value, '1');
  });

  it('decodes the ICMP error with its quoted datagram, and ARP', () => {
    const e = t.events.find((x) => x.fn === 'ip_finish_output2' && x.host === 'router');
    assert.ok(e?.skb);
    const d = decodeSkb(e.skb);
    assert.ok(d.headers.some((h) => h.proto === 'inner'));
    assert.strictEqual(d.values.icmp_type, 11);
    const a = t.events.find((x) => x.fn === 'arp_process');
    assert.ok(a?.skb);
    const da = decodeSkb(a.skb);
    assert.strictEqual(da.values.arp_op, 1);
    assert.strictEqual(da.values.daddr, '10.0.1.1');
  });

  it('starts at skb->data when no header is set yet', () => {
    const e = t.events[0];
    assert.ok(e.skb);
    const d = decodeSkb(e.skb);
    assert.strictEqual(d.values.ttl, undefined);
  });
});
