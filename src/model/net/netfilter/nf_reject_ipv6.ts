// The reject statement on an IPv6 packet (net/ipv6/netfilter/nf_reject_ipv6.c nf_send_unreach6,
// and the per-family choice of net/netfilter/nft_reject_inet.c / net/ipv6/netfilter/nft_reject_ipv6.c,
// v6.12): an ICMPv6 destination unreachable goes back to the sender through icmpv6_send. The
// TCP reset (nf_send_reset6) waits for TCP over IPv6 in the model; its rules are refused where
// they are read.
import type { Net } from '../net_namespace';
import { NotModelled } from '../../sim/not_modelled';
import { ICMPV6_ADDR_UNREACH, ICMPV6_ADM_PROHIBITED, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, ICMPV6_PORT_UNREACH } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { icmpv6_send } from '../ipv6/icmp';
import type { PktInfo } from './nf_pktinfo';
import type { RejectHow } from './nf_tables';

const FILE = 'net/ipv6/netfilter/nf_reject_ipv6.c';

/** nft_reject_icmpv6_code: NFT_REJECT_ICMPX_* → ICMPv6 destination-unreachable code (nft_reject.c). */
const ICMPX_TO_V6 = [ICMPV6_NOROUTE, ICMPV6_PORT_UNREACH, ICMPV6_ADDR_UNREACH, ICMPV6_ADM_PROHIBITED];

export function nft_reject_ipv6(net: Net, p: PktInfo, how: RejectHow): void {
  if (how.tcpReset) throw new NotModelled('reject with tcp reset on an IPv6 packet (nf_send_reset6) is not modelled');
  const code = how.icmp6Code ?? (how.icmpx !== undefined ? ICMPX_TO_V6[how.icmpx] : undefined);
  if (code === undefined) throw new NotModelled('an IPv4 reject code on an IPv6 packet');
  nf_send_unreach6(net, p, code);
}

/**
 * nf_send_unreach6: only a packet whose checksum is right, and not a later fragment
 * (reject6_csum_ok); then icmpv6_send, which finds the route back to the source itself.
 */
export function nf_send_unreach6(net: Net, p: PktInfo, code: number): void {
  net.call('nf_send_unreach6', () => {
    const skb = p.skb;
    if (p.fragoff) {
      net.step(skb, 'L3', 'nf_send_unreach6', FILE, 'reject6_csum_ok: a later fragment is not answered.');
      return;
    }
    net.step(skb, 'L3', 'nf_send_unreach6', FILE, `reject: ${formatIpv6(p.ip6h!.saddr)} is told with ICMPv6 destination unreachable, code ${code}, through icmpv6_send.`, { hook: { hook: p.hook } });
    icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, code, 0);
  });
}
