// Issue 15: -j TCPMSS (net/netfilter/xt_TCPMSS.c, v6.12), lines of our own checked with
// iptables-nft 1.8.9 in a namespace of its own: what is accepted and refused, the MSS option
// lowered (never raised) or added, the checksums kept right, and the iptables-save form.
import * as assert from 'assert';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { loadAll, one, pkt, refused, runExample, tcp, tcpSum, withTcpSum } from './helpers';

describe('-j TCPMSS (issue 15): accepted and refused lines', () => {
  const ok: [string, string][] = [
    ['-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu', '-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu'],
    ['-t mangle -A POSTROUTING -p tcp -j TCPMSS --set-mss 1200', '-p tcp -j TCPMSS --set-mss 1200'],
    ['-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 0x30', '-p tcp -j TCPMSS --set-mss 48'],
    ['-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 42 --clamp-mss-to-pmtu', '-p tcp -j TCPMSS --clamp-mss-to-pmtu'],
    ['-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu --set-mss 42', '-p tcp -j TCPMSS --set-mss 42'],
    ['-A FORWARD -p tcp --syn -j TCPMSS --set-mss 1000', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --set-mss 1000'],
  ];
  for (const [l, saved] of ok)
    it(`accepts ${l}`, () => {
      const r = loadAll([l]);
      assert.strictEqual(saveRuleSpec(r.rules[0]), saved);
    });
  const bad: [string, RegExp][] = [
    ['-t mangle -A FORWARD -p tcp -j TCPMSS', /At least one parameter is required/],
    ['-t mangle -A FORWARD -j TCPMSS --set-mss 1000', /only valid for -p tcp/],
    ['-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 65516', /out of range \(0-65515\)/],
    ['-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1 --set-mss 2', /option "--set-mss" can only be used once/],
    ['-t mangle -A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu', /path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING/],
    ['-t mangle -A PREROUTING -p tcp -j TCPMSS --clamp-mss-to-pmtu', /RULE_APPEND failed \(Invalid argument\)/],
  ];
  for (const [l, re] of bad) it(`refuses ${l}`, () => assert.match(refused(l), re));
});

describe('-j TCPMSS (issue 15): packets', () => {
  const mss = (v: number): number[] => [2, 4, v >> 8, v & 255];
  it('--set-mss lowers a larger MSS option and keeps the TCP checksum right', () => {
    const skb = withTcpSum(pkt(6, tcp(0x02, [...mss(1460), 1, 1, 4, 2])));
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1000', skb), true);
    assert.deepStrictEqual([...skb.buf.subarray(40, 44)], mss(1000));
    assert.strictEqual(tcpSum(skb.buf, skb.len), 0xffff);
  });

  it('--set-mss never raises the MSS', () => {
    const skb = withTcpSum(pkt(6, tcp(0x02, mss(536))));
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1000', skb), true);
    assert.deepStrictEqual([...skb.buf.subarray(40, 44)], mss(536));
  });

  it('no MSS option and no payload: one is added (at most 536), the packet 4 bytes longer, both checksums right', () => {
    const skb = withTcpSum(pkt(6, tcp(0x10, [1, 1, 4, 2])));
    const ipSum = (): number => {
      let s = 0;
      for (let i = 0; i < 20; i += 2) s += (skb.buf[i] << 8) | skb.buf[i + 1];
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return s;
    };
    const v = ~ipSum() & 0xffff;
    skb.buf[10] = v >> 8;
    skb.buf[11] = v & 255;
    const before = skb.len;
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1000', skb), true);
    assert.strictEqual(skb.len, before + 4);
    assert.strictEqual(skb.buf[32] >> 4, 7, 'doff grows by one word');
    assert.deepStrictEqual([...skb.buf.subarray(40, 48)], [...mss(536), 1, 1, 4, 2]);
    assert.strictEqual((skb.buf[2] << 8) | skb.buf[3], before + 4, 'tot_len');
    assert.strictEqual(tcpSum(skb.buf, skb.len), 0xffff);
    assert.strictEqual(ipSum(), 0xffff, 'IPv4 header checksum');
  });

  it('no MSS option but a payload: left as it is', () => {
    const skb = withTcpSum(pkt(6, [...tcp(0x18), 1, 2, 3, 4]));
    const before = [...skb.buf.subarray(0, skb.len)];
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1000', skb), true);
    assert.deepStrictEqual([...skb.buf.subarray(0, skb.len)], before);
  });

  it('a TCP header shorter than its doff says: dropped', () => {
    const l4 = tcp(0x02, mss(1460));
    l4[12] = 8 << 4;
    assert.strictEqual(one('-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1000', pkt(6, l4)), 'NF_DROP');
  });

  it('example nf-tcpmss-clamp.yaml: both SYNs cross the router with MSS 1400 - 40', () => {
    const t = runExample('nf-tcpmss-clamp.yaml');
    const steps = t.events.filter((e) => e.fn === 'tcpmss_tg4');
    assert.strictEqual(steps.length, 2);
    for (const s of steps) assert.match(JSON.stringify(s), /from 1460 to 1360/);
  });
});
