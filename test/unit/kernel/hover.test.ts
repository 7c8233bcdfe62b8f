import * as assert from 'assert';
import { buildHoverMarkdown, GO_TO_DEFINITION_COMMAND, hoverTargetAt, pathPlaces, SHOW_STEP_COMMAND, stepFor } from '../../../src/kernel/hover';
import { lookup } from '../../../src/kernel/kb';
import { identUrl, sourceUrl, traceEventUrl } from '../../../src/kernel/links';

const at = (line: string, needle: string, offset = 1): string | undefined => hoverTargetAt(line, line.indexOf(needle) + offset)?.entry.name;

describe('hover targets', () => {
  it('fields through skb->, dev->, iph-> and skb.', () => {
    assert.strictEqual(at('\tif (skb->len < hlen)', 'len'), 'sk_buff.len');
    assert.strictEqual(at('\tmtu = dev->mtu;', 'dev->mtu', 6), 'net_device.mtu');
    assert.strictEqual(at('\tif (ip_hdr(skb)->ttl <= 1)', 'ttl'), 'iphdr.ttl');
    assert.strictEqual(at('\tiph->ttl--;', 'ttl'), 'iphdr.ttl');
    assert.strictEqual(at('\tskb.pkt_type = PACKET_HOST;', 'pkt_type'), 'sk_buff.pkt_type');
  });
  it('the range covers the whole expression', () => {
    const line = '\tif (skb->len < hlen)';
    const t = hoverTargetAt(line, line.indexOf('len') + 1);
    assert.strictEqual(line.slice(t?.start, t?.end), 'skb->len');
  });
  it('structs, functions, macros, drop reasons; the cursor just after a word counts', () => {
    assert.strictEqual(at('static int foo(struct sk_buff *skb)', 'sk_buff'), 'sk_buff');
    const line = 'static int foo(struct sk_buff *skb)';
    const t = hoverTargetAt(line, line.indexOf('sk_buff') + 2);
    assert.strictEqual(line.slice(t?.start, t?.end), 'struct sk_buff');
    assert.strictEqual(at('\treturn NF_HOOK(NFPROTO_IPV4, NF_INET_FORWARD,', 'NF_INET_FORWARD'), 'NF_INET_FORWARD');
    assert.strictEqual(at('\treturn NF_HOOK(NFPROTO_IPV4, NF_INET_FORWARD,', 'NF_HOOK'), 'NF_HOOK');
    assert.strictEqual(at('\t\tkfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);', 'SKB_DROP'), 'SKB_DROP_REASON_OTHERHOST');
    const l2 = 'ip_forward';
    assert.strictEqual(hoverTargetAt(l2, l2.length)?.entry.name, 'ip_forward');
  });
  it('nothing for unknown words, bare field names, whitespace and numbers', () => {
    assert.strictEqual(at('\tint hlen = 20;', 'hlen'), undefined);
    assert.strictEqual(at('\tunsigned int len;', 'len'), undefined);
    assert.strictEqual(hoverTargetAt('\t  x', 1), undefined);
    assert.strictEqual(at('\treturn 1234;', '1234'), undefined);
    assert.strictEqual(at('\tfoo->bar = 1;', 'bar'), undefined);
  });
  it('works in a scenario file too', () => {
    assert.strictEqual(at('# expect: dropped with SKB_DROP_REASON_NO_SOCKET at __udp4_lib_rcv', 'SKB_'), 'SKB_DROP_REASON_NO_SOCKET');
    assert.strictEqual(at('# expect: dropped with SKB_DROP_REASON_NO_SOCKET at __udp4_lib_rcv', '__udp4'), '__udp4_lib_rcv');
  });
});

describe('hover markdown', () => {
  const e = (n: string) => {
    const x = lookup(n);
    if (!x) throw new Error(n);
    return x;
  };

  it('shows the explanation, layer, the v6.12 file at the cross-referencer, related symbols', () => {
    const md = buildHoverMarkdown(e('ip_forward'));
    assert.match(md, /\*\*`ip_forward`\*\* — function · L3/);
    assert.ok(md.includes('TTL'), 'explanation');
    assert.ok(md.includes(`(${identUrl('ip_forward')})`), 'cross-referencer link');
    assert.ok(md.includes('net/ipv4/ip\\_forward.c'), 'file');
    assert.match(md, /Related: .*`ip_forward_finish`/);
    assert.match(md, /Path: .*step \d+ of 'forward a packet'/);
    assert.ok(!md.includes('command:'), 'no command links unless asked');
  });

  it('links to the user\'s tree when resolved', () => {
    const md = buildHoverMarkdown(e('sk_buff.len'), { resolved: { uri: 'file:///src/linux/include/linux/skbuff.h#L916', file: 'include/linux/skbuff.h', line: 916 } });
    assert.match(md, /\*\*`sk_buff->len`\*\* — field · core/);
    assert.ok(md.includes('(file:///src/linux/include/linux/skbuff.h#L916) in your tree'));
    const moved = buildHoverMarkdown(e('ip_forward'), { resolved: { uri: 'file:///t/net/ipv4/x.c#L3', file: 'net/ipv4/x.c', line: 3, relocated: true } });
    assert.ok(moved.includes(sourceUrl('net/ipv4/ip_forward.c')), 'says where v6.12 has it');
  });

  it('has command links with JSON arguments for the packet debugger and go-to-definition', () => {
    const md = buildHoverMarkdown(e('sk_buff.pkt_type'), { commands: true });
    const show = /\[Show in the packet debugger\]\(command:([\w.]+)\?([^)]+)\)/.exec(md);
    assert.ok(show, md);
    assert.strictEqual(show[1], SHOW_STEP_COMMAND);
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(show[2])), [{ fn: 'eth_type_trans' }]);
    const go = /\[Go to definition in your tree\]\(command:([\w.]+)\?([^)]+)\)/.exec(md);
    assert.ok(go);
    assert.strictEqual(go[1], GO_TO_DEFINITION_COMMAND);
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(go[2])), [{ name: 'sk_buff.pkt_type' }]);
  });

  it('a model step leads to itself; symbols outside the model get no debugger link', () => {
    assert.strictEqual(stepFor(e('ip_rcv')), 'ip_rcv');
    assert.strictEqual(stepFor(e('SKB_DROP_REASON_OTHERHOST')), 'ip_rcv_core');
    assert.strictEqual(stepFor(e('ETH_P_IPV6')), undefined);
    assert.ok(!buildHoverMarkdown(e('ETH_P_IPV6'), { commands: true }).includes('packet debugger'));
    assert.ok(pathPlaces('ip_forward').length >= 1);
  });

  it('counters are shown', () => {
    assert.match(buildHoverMarkdown(e('UDP_MIB_NOPORTS')), /Counters: `UdpNoPorts`/);
  });
});

describe('cross-referencer links', () => {
  it('point at v6.12 on elixir', () => {
    assert.strictEqual(sourceUrl('net/ipv4/ip_forward.c', 83), 'https://elixir.bootlin.com/linux/v6.12/source/net/ipv4/ip_forward.c#L83');
    assert.strictEqual(identUrl('__netif_receive_skb_core'), 'https://elixir.bootlin.com/linux/v6.12/A/ident/__netif_receive_skb_core');
    assert.strictEqual(traceEventUrl({ fn: 'ip_rcv', file: 'net/ipv4/ip_input.c' }), identUrl('ip_rcv'));
  });
});
