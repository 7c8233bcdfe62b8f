import * as assert from 'assert';
import { all, fieldsOf, KERNEL_PATHS, lookup, lookupField, MODEL_STEPS, MODEL_STEP_SET, suggest } from '../../../src/kernel/kb';

const LAYERS = new Set(['L2', 'L3', 'L4', 'socket', 'netfilter', 'core']);

describe('kernel KB: shape', () => {
  it('has at least 200 entries, unique names', () => {
    const names = all().map((e) => e.name);
    assert.ok(names.length >= 200, `only ${names.length} entries`);
    assert.strictEqual(new Set(names).size, names.length);
  });

  it('every entry is complete: kind, file, explanation, layer', () => {
    for (const e of all()) {
      assert.match(e.file, /^(net|include|drivers)\/[\w/.-]+\.[ch]$/, e.name);
      assert.ok(e.summary.length >= 15, `${e.name}: explanation too short`);
      assert.ok(LAYERS.has(e.layer), `${e.name}: layer ${e.layer}`);
      if (e.kind === 'field') {
        assert.ok(e.struct && e.field && e.name === `${e.struct}.${e.field}`, e.name);
        assert.strictEqual(lookup(e.struct)?.kind, 'struct', `${e.name}: its struct has no entry`);
        assert.strictEqual(lookup(e.struct)?.file, e.file, `${e.name}: not in its struct's file`);
      }
      if (e.kind === 'drop-reason') assert.match(e.name, /^SKB_DROP_REASON_[A-Z0-9_]+$/);
    }
  });

  it('related names and model steps point at entries; model steps are functions the model emits', () => {
    for (const e of all()) {
      for (const r of e.related) assert.ok(lookup(r), `${e.name}: related ${r} is not in the KB`);
      for (const s of e.modelSteps) assert.ok(MODEL_STEP_SET.has(s), `${e.name}: model step ${s} is not a model step`);
    }
    for (const s of MODEL_STEPS) assert.strictEqual(lookup(s)?.kind, 'function', `model step ${s} has no function entry`);
    for (const p of KERNEL_PATHS) for (const s of p.steps) assert.ok(MODEL_STEP_SET.has(s), `${p.id}: ${s}`);
  });

  it('covers the symbols the issue names', () => {
    const must = [
      'sk_buff', 'sk_buff.data', 'sk_buff.len', 'sk_buff.protocol', 'sk_buff.pkt_type', 'sk_buff.dev', 'sk_buff.mark', 'sk_buff.ip_summed',
      'sk_buff.network_header', 'sk_buff.transport_header', 'sk_buff.mac_header', 'net_device', 'net_device_ops', 'net_device_ops.ndo_start_xmit',
      'napi_struct', 'nf_hook_ops', 'iphdr', 'udphdr', 'tcphdr', 'neighbour', 'rtable', 'dst_entry', 'sock',
      'NF_INET_PRE_ROUTING', 'NF_INET_LOCAL_IN', 'NF_INET_FORWARD', 'NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING', 'NF_ACCEPT', 'NF_DROP',
      'PACKET_HOST', 'PACKET_OTHERHOST', 'CHECKSUM_PARTIAL', 'CHECKSUM_UNNECESSARY', 'ETH_P_IP', 'ETH_P_ARP', 'NUD_REACHABLE', 'NUD_INCOMPLETE',
      'RTN_LOCAL', 'RTN_UNICAST', 'IP_DF', 'IP_MF', 'SKB_DROP_REASON_NO_SOCKET', 'SKB_DROP_REASON_OTHERHOST', 'SKB_DROP_REASON_IP_CSUM',
      'SKB_DROP_REASON_NETFILTER_DROP', 'SKB_DROP_REASON_PKT_TOO_BIG', 'SKB_DROP_REASON_UDP_CSUM', 'SKB_DROP_REASON_SOCKET_RCVBUFF',
    ];
    for (const n of must) assert.ok(lookup(n), `missing ${n}`);
  });

  it('files of the receive and forward path match the reference map', () => {
    const expect: Record<string, string> = {
      ip_forward: 'net/ipv4/ip_forward.c', ip_rcv: 'net/ipv4/ip_input.c', napi_gro_receive: 'net/core/gro.c', eth_type_trans: 'net/ethernet/eth.c',
      veth_xmit: 'drivers/net/veth.c', nf_hook_slow: 'net/netfilter/core.c', neigh_resolve_output: 'net/core/neighbour.c', __icmp_send: 'net/ipv4/icmp.c',
      ip_do_fragment: 'net/ipv4/ip_output.c', ip_defrag: 'net/ipv4/ip_fragment.c', tcp_v4_rcv: 'net/ipv4/tcp_ipv4.c', tcp_transmit_skb: 'net/ipv4/tcp_output.c',
    };
    for (const [n, f] of Object.entries(expect)) assert.strictEqual(lookup(n)?.file, f, n);
  });
});

describe('kernel KB: lookups', () => {
  it('finds fields through struct names, variable names and both separators', () => {
    for (const q of ['skb->len', 'sk_buff.len', 'struct sk_buff.len', 'skb.len']) assert.strictEqual(lookup(q)?.name, 'sk_buff.len', q);
    assert.strictEqual(lookup('dev->mtu')?.name, 'net_device.mtu');
    assert.strictEqual(lookup('iph->ttl')?.name, 'iphdr.ttl');
    assert.strictEqual(lookupField('skb', 'pkt_type')?.name, 'sk_buff.pkt_type');
    assert.strictEqual(lookupField('struct neighbour', 'nud_state')?.name, 'neighbour.nud_state');
    // an unknown variable resolves when one struct alone has the field
    assert.strictEqual(lookup('foo->nud_state')?.name, 'neighbour.nud_state');
    assert.strictEqual(lookup('foo->len'), undefined, 'len is ambiguous');
  });

  it('finds structs with or without the keyword, and nothing for unknown names', () => {
    assert.strictEqual(lookup('struct sk_buff')?.kind, 'struct');
    assert.strictEqual(lookup('sk_buff')?.kind, 'struct');
    assert.strictEqual(lookup('no_such_symbol'), undefined);
    assert.ok(fieldsOf('sk_buff').length >= 15);
  });

  it('suggests near names', () => {
    assert.ok(suggest('ip_foward').includes('ip_forward'));
    assert.ok(suggest('skb->lenn').includes('sk_buff.len'));
    assert.ok(suggest('napi_gro').includes('napi_gro_receive'));
  });
});
