import * as assert from 'assert';
import { groupPasses, normVerdict, parseNftRuleset, parseNftTrace, parseNftTraceLine, parseNstatJson, parseNstatText, parsePacketFields, parsePcap, parsePing } from '../../../src/fidelity/parse';

// Lines as `nft -a monitor trace` printed them on 6.18 for a ping answered by the host (table
// nsx_fidelity_trace is the harness's own; `ip filter input` is a scenario's).
const TRACE = `trace id 58b1a33c ip nsx_fidelity_trace prerouting packet: iif "eth0" ether saddr 02:10:6b:38:ba:0f ether daddr ca:00:c4:fe:f7:97 ip saddr 10.0.1.2 ip daddr 10.0.1.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 26857 ip length 84 icmp type echo-request icmp code net-unreachable icmp id 24374 icmp sequence 1 @th,64,96 0xdb97066b00000000c22b0800
trace id 58b1a33c ip nsx_fidelity_trace prerouting rule meta nftrace set 1 (verdict continue)
trace id 58b1a33c ip nsx_fidelity_trace prerouting policy accept
trace id 58b1a33c ip nsx_fidelity_trace input packet: iif "eth0" ether saddr 02:10:6b:38:ba:0f ip saddr 10.0.1.2 ip daddr 10.0.1.1 ip ttl 64 ip id 26857 ip length 84 icmp type echo-request
trace id 58b1a33c ip nsx_fidelity_trace input rule meta nftrace set 1 (verdict continue)
trace id 58b1a33c ip nsx_fidelity_trace input policy accept
trace id 58b1a33c ip filter input packet: iif "eth0" ip saddr 10.0.1.2 ip daddr 10.0.1.1 ip ttl 64
trace id 58b1a33c ip filter input rule ip saddr 10.0.9.0/24 counter packets 0 bytes 0 drop (verdict drop) # handle 7
trace id cba45cca ip nsx_fidelity_trace output packet: oif "eth0" ip saddr 10.0.1.1 ip daddr 10.0.1.2 ip ttl 64 ip id 49574 ip length 84 icmp type echo-reply
trace id cba45cca ip nsx_fidelity_trace output policy accept
trace id cba45cca ip nsx_fidelity_trace postrouting packet: oif "eth0" ip saddr 10.0.1.1 ip daddr 10.0.1.2 ip ttl 64
trace id cba45cca ip nsx_fidelity_trace postrouting policy accept
`;

const RULESET = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6' } },
    { table: { family: 'ip', name: 'filter', handle: 1 } },
    { chain: { family: 'ip', table: 'filter', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
    { rule: { family: 'ip', table: 'filter', chain: 'input', handle: 5, expr: [] } },
    { rule: { family: 'ip', table: 'filter', chain: 'input', handle: 7, expr: [] } },
    ...['prerouting', 'input', 'forward', 'output', 'postrouting'].map((h) => ({ chain: { family: 'ip', table: 'nsx_fidelity_trace', name: h, handle: 9, type: 'filter', hook: h, prio: -2147483648, policy: 'accept' } })),
  ],
});

describe('fidelity: parsing what the kernel tools print', () => {
  it('nstat --json: every group, zeros left out', () => {
    assert.deepStrictEqual(parseNstatJson('{"kernel":{"IpInReceives":1,"IcmpOutTimeExcds":1,"UdpNoPorts":0}}\n'), { IpInReceives: 1, IcmpOutTimeExcds: 1 });
    assert.deepStrictEqual(parseNstatJson(''), {});
  });

  it('nstat plain text', () => {
    assert.deepStrictEqual(parseNstatText('#kernel\nIpInReceives                    1                  0.0\nIpExtInOctets                   84                 0.0\n'), { IpInReceives: 1, IpExtInOctets: 84 });
  });

  it('nft trace lines: packet fields, rules with handle and verdict, policies', () => {
    const p = parseNftTraceLine(TRACE.split('\n')[0])!;
    assert.strictEqual(p.kind, 'packet');
    assert.strictEqual(p.fields!['ip saddr'], '10.0.1.2');
    assert.strictEqual(p.fields!['ip ttl'], '64');
    assert.strictEqual(p.fields!.iif, 'eth0');
    assert.strictEqual(p.fields!['icmp type'], 'echo-request');
    const r = parseNftTraceLine(TRACE.split('\n')[7])!;
    assert.deepStrictEqual([r.kind, r.verdict, r.handle, r.rule], ['rule', 'drop', 7, 'ip saddr 10.0.9.0/24 counter packets 0 bytes 0 drop']);
    const pol = parseNftTraceLine('trace id 1 ip t c policy drop')!;
    assert.deepStrictEqual([pol.kind, pol.verdict], ['policy', 'drop']);
    assert.strictEqual(parseNftTraceLine('something else'), undefined);
    assert.strictEqual(parsePacketFields('oif "eth1" ip saddr 1.2.3.4 tcp flags == syn tcp dport 80')['tcp dport'], '80');
  });

  it('nft ruleset JSON: hooks and rule order', () => {
    const c = parseNftRuleset(RULESET);
    assert.deepStrictEqual(c.get('ip filter input'), { family: 'ip', table: 'filter', name: 'input', hook: 'input', prio: 0, rules: [5, 7] });
  });

  it('groups trace lines into passes: hooks with the fields the own chain saw, the scenario rules by index', () => {
    const passes = groupPasses(parseNftTrace(TRACE), 'nsx_fidelity_trace', parseNftRuleset(RULESET));
    assert.strictEqual(passes.length, 2);
    assert.deepStrictEqual(passes[0].hooks.map((h) => h.hook), ['prerouting', 'input']);
    assert.strictEqual(passes[0].hooks[0].fields['ip ttl'], '64');
    assert.deepStrictEqual(passes[0].steps, ['ip filter input rule 2 drop']);
    assert.deepStrictEqual(passes[1].hooks.map((h) => h.hook), ['output', 'postrouting']);
    assert.deepStrictEqual(passes[1].steps, []);
  });

  it('a trace id seen again at an earlier hook is a new pass (the sk_buff was reused)', () => {
    const lines = parseNftTrace(TRACE.split('\n').slice(0, 6).join('\n') + '\n' + TRACE.split('\n').slice(0, 3).join('\n'));
    assert.strictEqual(groupPasses(lines, 'nsx_fidelity_trace', parseNftRuleset(RULESET)).length, 2);
  });

  it('verdict words', () => {
    assert.strictEqual(normVerdict('NF_ACCEPT'), 'accept');
    assert.strictEqual(normVerdict('NFT_CONTINUE'), 'continue');
    assert.strictEqual(normVerdict('jump other'), 'jump');
  });

  it("ping's output", () => {
    const out = `PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.
From 10.0.1.1 icmp_seq=1 Time to live exceeded
64 bytes from 10.0.2.2: icmp_seq=2 ttl=63 time=0.05 ms

--- 10.0.2.2 ping statistics ---
2 packets transmitted, 1 received, +1 errors, 50% packet loss, time 1001ms
ping: sendmsg: Message too long`;
    const r = parsePing(out);
    assert.deepStrictEqual(r.lines, [
      { from: '10.0.1.1', seq: 1, what: 'Time to live exceeded' },
      { from: '10.0.2.2', seq: 2, what: 'echo reply' },
    ]);
    assert.strictEqual(r.transmitted, 2);
    assert.strictEqual(r.error, 'sendmsg: Message too long');
  });

  it('pcap files, both byte orders', () => {
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(3, 8);
    rec.writeUInt32LE(3, 12);
    const le = Buffer.concat([hdr, rec, Buffer.from([1, 2, 3])]);
    assert.deepStrictEqual(parsePcap(le).map((f) => [...f]), [[1, 2, 3]]);
    const hdrBe = Buffer.alloc(24);
    hdrBe.writeUInt32BE(0xa1b2c3d4, 0);
    const recBe = Buffer.alloc(16);
    recBe.writeUInt32BE(2, 8);
    assert.deepStrictEqual(parsePcap(Buffer.concat([hdrBe, recBe, Buffer.from([9, 9])])).map((f) => [...f]), [[9, 9]]);
    assert.throws(() => parsePcap(Buffer.alloc(24)));
  });
});
