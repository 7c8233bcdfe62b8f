// The IPv6 entries of the KB (issue 14): how many, which symbols, what their hovers say, and
// that they cover the drop reasons the v6.12 IPv6 files use.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildHoverMarkdown, hoverTargetAt, stepFor } from '../../../src/kernel/hover';
import { IPV6_ENTRIES, lookup, MODEL_STEP_SET } from '../../../src/kernel/kb';
import { kernelSrcOrSkip } from './kernelSrc';

const at = (line: string, needle: string, offset = 1): string | undefined => hoverTargetAt(line, line.indexOf(needle) + offset)?.entry.name;
const hover = (name: string): string => {
  const e = lookup(name);
  if (!e) throw new Error(`no entry ${name}`);
  return buildHoverMarkdown(e, { commands: true });
};

describe('kernel KB: IPv6 entries', () => {
  it('has at least 150; a function the IPv6 model walks names itself as its model step, nothing else names one', () => {
    assert.ok(IPV6_ENTRIES.length >= 150, `only ${IPV6_ENTRIES.length} IPv6 entries`);
    let walked = 0;
    for (const e of IPV6_ENTRIES) {
      const isStep = e.kind === 'function' && MODEL_STEP_SET.has(e.name);
      assert.deepStrictEqual(e.modelSteps, isStep ? [e.name] : [], `${e.name}: model steps`);
      assert.strictEqual(lookup(e.name), e, `${e.name} does not resolve to itself`);
      if (isStep) walked++;
    }
    assert.ok(walked >= 30, `only ${walked} IPv6 functions are model steps`);
  });

  it('covers the symbols issue 14 names', () => {
    const must = [
      'ipv6_rcv', 'ip6_rcv_core', 'ip6_rcv_finish', 'ip6_input', 'ip6_input_finish', 'ip6_protocol_deliver_rcu', 'ip6_forward', 'ip6_output',
      'ip6_finish_output', 'ip6_finish_output2', 'ip6_fragment', 'ip6_xmit', 'ip6_route_input', 'ip6_route_output_flags', 'fib6_lookup',
      'fib6_table_lookup', 'rt6_info', 'fib6_info', 'ipv6_dev_get_saddr', 'ipv6hdr', 'ipv6hdr.hop_limit', 'ipv6hdr.nexthdr', 'ipv6hdr.payload_len',
      'frag_hdr', 'ipv6_opt_hdr', 'ipv6_find_hdr', 'ipv6_skip_exthdr', 'ipv6_frag_rcv', 'ip6_frag_queue', 'ip6_frag_reasm', 'icmpv6_rcv',
      'icmp6_send', 'icmpv6_echo_reply', 'ICMPV6_PKT_TOOBIG', 'ICMPV6_TIME_EXCEED', 'ICMPV6_EXC_HOPLIMIT', 'ndisc_rcv', 'ndisc_recv_ns',
      'ndisc_recv_na', 'ndisc_send_ns', 'ndisc_send_na', 'ndisc_send_rs', 'ndisc_router_discovery', 'addrconf_dad_start', 'addrconf_dad_work',
      'addrconf_dad_failure', 'ipv6_addr_type', 'inet6_ifaddr', 'inet6_dev', 'IFA_F_TENTATIVE', 'IFA_F_NODAD', 'ipv6_devconf.addr_gen_mode',
      'mld_send_report', 'udpv6_rcv', '__udp6_lib_rcv', 'udpv6_sendmsg', 'tcp_v6_rcv', 'tcp_v6_connect', 'inet6_protos', 'inet6_add_protocol',
      'ICMP6_MIB_INMSGS', 'IPSTATS_MIB_INTOOBIGERRORS', 'SKB_DROP_REASON_IPV6DISABLED', 'SKB_DROP_REASON_IPV6_NDISC_HOP_LIMIT',
      'ipv6_devconf.forwarding', 'nf_defrag_ipv6_enable', 'nf_ct_frag6_gather', 'ipv6_conntrack_ops', 'nf_reject_ip6_tcphdr_put', 'nf_send_reset6',
      'ip6t_do_table',
    ];
    const missing = must.filter((n) => !lookup(n));
    assert.deepStrictEqual(missing, []);
  });

  it('hovers read as a user expects', () => {
    const fwd = hover('ip6_forward');
    assert.match(fwd, /\*\*`ip6_forward`\*\* — function · L3/);
    assert.match(fwd, /hop limit/i);
    assert.match(fwd, /Packet Too Big/);
    assert.ok(fwd.includes('net/ipv6/ip6\\_output.c'), 'its v6.12 file');
    assert.match(fwd, /Related: .*`ip6_forward_finish`/);
    // the model walks ip6_forward now: the hover links to the step
    assert.notStrictEqual(stepFor(lookup('ip6_forward')!), undefined);
    // and ip6_fragment since fragmentation at the source is modelled; something it does not walk has none
    assert.notStrictEqual(stepFor(lookup('ip6_fragment')!), undefined);
    assert.strictEqual(stepFor(lookup('ip6_fraglist_init')!), undefined, 'ip6_fraglist_init is not walked');

    assert.match(hover('ipv6hdr'), /no header checksum/);
    assert.match(hover('ICMPV6_PKT_TOOBIG'), /path MTU discovery/);
    assert.match(hover('ndisc_rcv'), /255/);
    assert.match(hover('IPSTATS_MIB_INTOOBIGERRORS'), /Counters: `Ip6InTooBigErrors`/);
    assert.match(hover('ICMP6_MIB_INMSGS'), /Counters: `Icmp6InMsgs`/);
  });

  it('hover targets in net/ipv6 code: accessors, variables, structs, drop reasons', () => {
    assert.strictEqual(at('\tif (ipv6_hdr(skb)->hop_limit <= 1) {', 'hop_limit'), 'ipv6hdr.hop_limit');
    assert.strictEqual(at('\tip6h->hop_limit--;', 'hop_limit'), 'ipv6hdr.hop_limit');
    // ipv6hdr, ipv6_devconf and ipv6_pinfo all have hop_limit: an unknown variable is not guessed
    assert.strictEqual(at('\tfoo->hop_limit--;', 'hop_limit'), undefined);
    assert.strictEqual(at('\tnp->hop_limit = val;', 'hop_limit'), 'ipv6_pinfo.hop_limit');
    assert.strictEqual(at('\tif (READ_ONCE(idev->cnf.disable_ipv6))', 'cnf'), 'inet6_dev.cnf');
    assert.strictEqual(at('\tifp->flags |= IFA_F_TENTATIVE;', 'flags'), 'inet6_ifaddr.flags');
    assert.strictEqual(at('\tifp->flags |= IFA_F_TENTATIVE;', 'IFA_F_T'), 'IFA_F_TENTATIVE');
    assert.strictEqual(at('int ipv6_rcv(struct sk_buff *skb, struct net_device *dev,', 'ipv6_rcv'), 'ipv6_rcv');
    assert.strictEqual(at('\tconst struct ipv6hdr *hdr;', 'ipv6hdr'), 'ipv6hdr');
    assert.strictEqual(at('\tfhdr = (struct frag_hdr *)skb_transport_header(skb);', 'frag_hdr'), 'frag_hdr');
    assert.strictEqual(at('\tkfree_skb_reason(skb, SKB_DROP_REASON_IPV6DISABLED);', 'SKB_DROP'), 'SKB_DROP_REASON_IPV6DISABLED');
  });
});

describe('kernel KB: IPv6 against the v6.12 tree', function () {
  let tree = '';
  before(function () {
    tree = kernelSrcOrSkip(this);
  });

  it('has every drop reason the IPv6 path files use (SKB_DROP_REASON_X, SKB_DR_SET/SKB_DR_OR)', () => {
    const files = [
      'net/ipv6/ip6_input.c', 'net/ipv6/ip6_output.c', 'net/ipv6/reassembly.c', 'net/ipv6/exthdrs.c', 'net/ipv6/icmp.c', 'net/ipv6/ndisc.c',
      'net/ipv6/udp.c', 'net/ipv6/tcp_ipv6.c', 'net/ipv6/route.c', 'net/ipv6/mcast.c', 'net/ipv6/addrconf.c',
    ];
    const used = new Set<string>();
    for (const f of files) {
      const text = fs.readFileSync(path.join(tree, f), 'latin1');
      for (const m of text.matchAll(/SKB_DROP_REASON_([A-Z0-9_]+)/g)) used.add(m[1]);
      for (const m of text.matchAll(/SKB_DR_(?:SET|OR)\(\w+,\s*([A-Z0-9_]+)\)/g)) used.add(m[1]);
    }
    assert.ok(used.has('IPV6DISABLED') && used.has('IPV6_NDISC_FRAG'), 'the scan finds the IPv6 reasons');
    const missing = [...used].filter((r) => r !== 'MAX' && !lookup(`SKB_DROP_REASON_${r}`)).sort();
    assert.deepStrictEqual(missing, []);
  });

  it('each IPv6 entry names a file of the IPv6 or shared stack', () => {
    const odd = IPV6_ENTRIES.filter((e) => !/^(net\/ipv6\/|net\/netfilter\/|include\/)/.test(e.file)).map((e) => `${e.name}: ${e.file}`);
    assert.deepStrictEqual(odd, []);
  });
});
