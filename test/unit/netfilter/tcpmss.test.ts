// Issue 15: -j TCPMSS (net/netfilter/xt_TCPMSS.c, v6.12), lines of our own checked with
// iptables-nft 1.8.9 in a namespace of its own: what is accepted and refused, the MSS option
// lowered (never raised) or added, the checksums kept right, and the iptables-save form.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import type { EvalCtx, Expr, Rule } from '../../../src/model/net/netfilter/nf_tables';
import { pktinfo } from '../../../src/model/net/netfilter/nf_pktinfo';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { ScenarioError } from '../../../src/scenario/types';
import { runExample } from './helpers';

type Net = ReturnType<World['addHost']>;

/** Load the lines into one host; the rules of the last line's chain. */
function loadAll(lines: string[]): { net: Net; rules: Rule[] } {
  const net = new World().addHost('h');
  for (const l of lines) runIptables(net, splitFileLine(`iptables ${l}`, 'x', 1));
  const last = lines[lines.length - 1];
  const t = /-t (\S+)/.exec(last)?.[1] ?? 'filter';
  const chain = NfEngine.of(net).table('ip', t)!.chains.get(/-A (\S+)/.exec(last)![1])!;
  return { net, rules: chain.rules };
}

function refused(line: string): string {
  try {
    loadAll([line]);
  } catch (e) {
    if (e instanceof ScenarioError) return e.detail;
    throw e;
  }
  return 'accepted';
}

/** An IPv4 packet: 20-byte header then the transport bytes. */
function pkt(proto: number, l4: number[], o: { saddr?: number; daddr?: number; ttl?: number } = {}): SkBuff {
  const len = 20 + l4.length;
  const skb = new SkBuff(len, 1);
  skb.put(len);
  skb.network_header = 0;
  const b = skb.buf;
  b.set([0x45, 0, len >> 8, len & 255, 0, 1, 0, 0, o.ttl ?? 64, proto, 0, 0]);
  const sa = o.saddr ?? 0x0a000001;
  const da = o.daddr ?? 0x0a000002;
  b.set([sa >>> 24, (sa >>> 16) & 255, (sa >>> 8) & 255, sa & 255, da >>> 24, (da >>> 16) & 255, (da >>> 8) & 255, da & 255], 12);
  b.set(l4, 20);
  return skb;
}

/** Run one rule's expressions (not the counter) on a packet: true, false or a verdict code. */
function evalRule(net: Net, rule: Rule, skb: SkBuff, hook = 'NF_INET_LOCAL_IN' as const): boolean | string {
  const e = NfEngine.of(net);
  const p = pktinfo(skb, hook, net.devices.get('lo') ?? null, null);
  const chain = [...e.tables[0].chains.values()].find((c) => c.rules.includes(rule)) ?? e.tables[0].chains.values().next().value!;
  const x: EvalCtx = { nf: e, net, p, chain, rule };
  for (const ex of rule.exprs as Expr[]) {
    if (ex.text === 'counter') continue;
    const v = ex.eval(x);
    if (v === false) return false;
    if (v !== true) return v.code;
  }
  return true;
}

const one = (line: string, skb: SkBuff): boolean | string => {
  const r = loadAll([line]);
  return evalRule(r.net, r.rules[0], skb);
};

/** The TCP checksum over the pseudo header and the segment of a packet made by pkt(): 0xffff when right. */
function tcpSum(b: Uint8Array, len: number): number {
  let s = 6 + (len - 20);
  for (let i = 12; i < 20; i += 2) s += (b[i] << 8) | b[i + 1];
  for (let i = 20; i < len; i += 2) s += (b[i] << 8) | (i + 1 < len ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
function withTcpSum(skb: SkBuff): SkBuff {
  const b = skb.buf;
  b[36] = 0;
  b[37] = 0;
  const v = ~tcpSum(b, skb.len) & 0xffff;
  b[36] = v >> 8;
  b[37] = v & 255;
  return skb;
}
/** a TCP header (ports 1000 → 80), flags, and options after the 20 bytes */
const tcp = (flags: number, opts: number[] = []): number[] => [0x03, 0xe8, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, ((20 + opts.length) / 4) << 4, flags, 0xff, 0xff, 0, 0, 0, 0, ...opts];

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
