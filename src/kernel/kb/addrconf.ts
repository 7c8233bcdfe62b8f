// IPv6 addresses and per-device configuration (issue 14): addrconf, duplicate address detection,
// SLAAC, the address helpers, and the structs behind the net.ipv6.* sysctls
// (net/ipv6/addrconf.c, include/net/if_inet6.h, include/linux/ipv6.h, include/net/netns/ipv6.h).
import { enumType, fields, fn, macro, member, struct } from './define';
import type { KbEntry } from './types';

const ADDRCONF = 'net/ipv6/addrconf.c';
const IF_INET6 = 'include/net/if_inet6.h';
const LINUX_IPV6_H = 'include/linux/ipv6.h';
const NET_IPV6_H = 'include/net/ipv6.h';
const ADDRCONF_H = 'include/net/addrconf.h';
const IF_ADDR = 'include/uapi/linux/if_addr.h';
const IF_LINK = 'include/uapi/linux/if_link.h';
const NETNS_IPV6 = 'include/net/netns/ipv6.h';

export const ADDRCONF_KB: KbEntry[] = [
  struct('inet6_dev', IF_INET6, 'L3', 'A device\'s IPv6 state (dev->ip6_ptr), IPv6\'s in_device: its addresses, multicast groups, per-device configuration (cnf, the net.ipv6.conf.DEV.* sysctls), counters, and router solicitation state.', { related: ['inet6_ifaddr', 'ipv6_devconf', '__in6_dev_get', 'in_device'] }),
  ...fields('inet6_dev', IF_INET6, 'L3', [
    ['dev', 'The net_device this state belongs to.', { related: ['net_device'] }],
    ['addr_list', 'The device\'s IPv6 addresses (inet6_ifaddr), as `ip -6 addr` lists them.', { related: ['inet6_ifaddr'] }],
    ['cnf', 'The device\'s configuration: the values of net.ipv6.conf.DEV.*.', { related: ['ipv6_devconf'] }],
    ['if_flags', 'IF_READY once the device is up and usable, and what the last router advertisement said (managed, other configuration).', { related: ['ndisc_router_discovery'] }],
    ['rs_probes', 'How many router solicitations were sent so far (up to rtr_solicits).', { related: ['addrconf_rs_timer', 'ipv6_devconf.rtr_solicits'] }],
    ['nd_parms', 'The neighbour parameters of this device in nd_tbl (reachable time, retransmit timer, probes).', { related: ['nd_tbl'] }],
  ]),
  fn('__in6_dev_get', ADDRCONF_H, 'L3', 'The inet6_dev of a device, under RCU or RTNL (NULL when IPv6 is not set up on it).', { related: ['inet6_dev'] }),
  struct('inet6_ifaddr', IF_INET6, 'L3', 'One IPv6 address of a device: the address and prefix length, lifetimes, flags (tentative, permanent, temporary…), DAD state and probe count, and the prefix route made for it.', { related: ['inet6_dev', 'ipv6_add_addr', 'addrconf_dad_start', 'IFA_F_TENTATIVE'] }),
  ...fields('inet6_ifaddr', IF_INET6, 'L3', [
    ['addr', 'The IPv6 address itself (128 bits).'],
    ['prefix_len', 'Its prefix length; the prefix route (unless IFA_F_NOPREFIXROUTE) makes the prefix on-link.'],
    ['valid_lft', 'Valid lifetime in seconds: when it runs out the address is removed (addrconf_verify_rtnl).', { related: ['addrconf_verify_rtnl'] }],
    ['prefered_lft', 'Preferred lifetime: when it runs out the address becomes deprecated (still valid, no longer chosen as a source).', { related: ['IFA_F_DEPRECATED', 'ipv6_dev_get_saddr'] }],
    ['state', 'DAD state machine position: INET6_IFADDR_STATE_PREDAD, DAD, POSTDAD, ERRDAD or DEAD.', { related: ['INET6_IFADDR_STATE_DAD', 'addrconf_dad_work'] }],
    ['flags', 'IFA_F_* flags: TENTATIVE while DAD runs, DADFAILED, OPTIMISTIC, PERMANENT (configured), TEMPORARY (privacy), DEPRECATED, NODAD…', { related: ['IFA_F_TENTATIVE', 'IFA_F_NODAD', 'IFA_F_DADFAILED'] }],
    ['dad_probes', 'Neighbour solicitations still to send for DAD, starting at dad_transmits.', { related: ['addrconf_dad_work', 'ipv6_devconf.dad_transmits'] }],
    ['idev', 'The inet6_dev the address belongs to.', { related: ['inet6_dev'] }],
  ]),
  macro('IFA_F_TENTATIVE', IF_ADDR, 'L3', 'Address flag: DAD has not finished, so the address is not used as a source nor answered for (`ip -6 addr` shows "tentative").', { related: ['addrconf_dad_start', 'addrconf_dad_completed', 'inet6_ifaddr.flags'] }),
  macro('IFA_F_NODAD', IF_ADDR, 'L3', 'Address flag (`ip addr add … nodad`): skip duplicate address detection, usable at once.', { related: ['addrconf_dad_begin'] }),
  macro('IFA_F_OPTIMISTIC', IF_ADDR, 'L3', 'Address flag: optimistic DAD (RFC 4429, optimistic_dad): usable as a source while DAD runs, with care not to disturb neighbour caches.', { related: ['addrconf_dad_begin', 'ipv6_dev_get_saddr'] }),
  macro('IFA_F_DADFAILED', IF_ADDR, 'L3', 'Address flag: DAD found a duplicate ("dadfailed"); a configured address stays listed but tentative and unused, a learned one is removed.', { related: ['addrconf_dad_failure'] }),
  macro('IFA_F_DEPRECATED', IF_ADDR, 'L3', 'Address flag: the preferred lifetime ran out; kept for existing connections, avoided for new ones.', { related: ['inet6_ifaddr.prefered_lft'] }),
  macro('IFA_F_TEMPORARY', IF_ADDR, 'L3', 'Address flag: a temporary (privacy, RFC 8981) address made by ipv6_create_tempaddr; the same bit as IFA_F_SECONDARY in IPv4.', { related: ['ipv6_create_tempaddr', 'ipv6_devconf.use_tempaddr'] }),
  macro('IFA_F_PERMANENT', IF_ADDR, 'L3', 'Address flag: configured by the administrator rather than learned from router advertisements.', { related: ['inet6_addr_add'] }),
  macro('IFA_F_STABLE_PRIVACY', IF_ADDR, 'L3', 'Address flag: the interface identifier was generated as a stable privacy address (RFC 7217); after a DAD failure a new one is tried.', { related: ['ipv6_generate_stable_address', 'addrconf_dad_failure'] }),
  member('INET6_IFADDR_STATE_PREDAD', IF_INET6, 'L3', 'DAD state: the address was added and DAD has not started (device not ready yet).', { related: ['inet6_ifaddr.state'] }),
  member('INET6_IFADDR_STATE_DAD', IF_INET6, 'L3', 'DAD state: probes are being sent.', { related: ['addrconf_dad_work'] }),
  member('INET6_IFADDR_STATE_POSTDAD', IF_INET6, 'L3', 'DAD state: DAD succeeded (or was skipped); the address is usable.', { related: ['addrconf_dad_completed'] }),
  member('INET6_IFADDR_STATE_ERRDAD', IF_INET6, 'L3', 'DAD state: a duplicate was detected; addrconf_dad_work finishes the failure.', { related: ['addrconf_dad_failure'] }),
  member('INET6_IFADDR_STATE_DEAD', IF_INET6, 'L3', 'DAD state: the address is being removed.', { related: ['ipv6_del_addr'] }),

  fn('ipv6_add_addr', ADDRCONF, 'L3', 'Create an inet6_ifaddr on a device (manual, SLAAC, link-local, temporary): check the address type and the max_addresses limit, add it to the hash and the device\'s list as tentative (unless NODAD) with its prefix route.', { related: ['inet6_ifaddr', 'addrconf_dad_start', 'inet6_addr_add', 'addrconf_prefix_rcv'] }),
  fn('inet6_addr_add', ADDRCONF, 'L3', 'Add an address from user space (`ip -6 addr add`): ipv6_add_addr with the given flags and lifetimes, then start DAD.', { related: ['ipv6_add_addr', 'addrconf_dad_start', 'IFA_F_PERMANENT'] }),
  fn('ipv6_del_addr', ADDRCONF, 'L3', 'Remove an address: mark it dead, drop it from the lists, delete its prefix route if no other address needs it, leave its solicited-node group and notify.', { related: ['INET6_IFADDR_STATE_DEAD', 'addrconf_leave_solict'] }),
  fn('addrconf_dad_start', ADDRCONF, 'L3', 'Start duplicate address detection of a new address: put it in the PREDAD state and schedule its dad_work at once; the worker moves it to DAD and runs addrconf_dad_begin.', { related: ['addrconf_dad_begin', 'addrconf_dad_work', 'IFA_F_TENTATIVE'] }),
  fn('addrconf_dad_begin', ADDRCONF, 'L3', 'Join the address\'s solicited-node multicast group, then skip DAD (declare success at once) on NOARP or loopback devices, when accept_dad is 0 for the device and for all, or with IFA_F_NODAD; otherwise make an optimistic address usable and kick off the probes.', { related: ['addrconf_join_solict', 'addrconf_dad_kick', 'addrconf_dad_completed', 'ipv6_devconf.accept_dad', 'IFA_F_NODAD'] }),
  fn('addrconf_dad_kick', ADDRCONF, 'L3', 'Arm DAD: dad_probes = dad_transmits (1 by default), a random nonce when enhanced_dad is on, and the first probe after a random delay up to rtr_solicit_delay.', { related: ['addrconf_dad_work', 'ipv6_devconf.dad_transmits'] }),
  fn('addrconf_dad_work', ADDRCONF, 'L3', 'The DAD worker: begin DAD, or, after a failure, finish it (with accept_dad 2 and a duplicate of the MAC-derived link-local, IPv6 is disabled on the device); otherwise send the next neighbour solicitation from :: each retransmit interval, and when no probe is left with no conflict, complete.', { related: ['ndisc_send_ns', 'addrconf_dad_completed', 'addrconf_dad_failure', 'INET6_IFADDR_STATE_ERRDAD'] }),
  fn('addrconf_dad_completed', ADDRCONF, 'L3', 'DAD succeeded: clear tentative, announce the address (an unsolicited advertisement when ndisc_notify), send MLD reports, and, for the first link-local address on a host that accepts router advertisements, start router solicitations.', { related: ['ndisc_send_rs', 'addrconf_rs_timer', 'IFA_F_TENTATIVE', 'INET6_IFADDR_STATE_POSTDAD'] }),
  fn('addrconf_dad_failure', ADDRCONF, 'L3', 'A neighbour solicitation or advertisement showed the tentative address is used by someone else: a stable-privacy address gets a replacement with a new identifier (up to idgen_retries times); the address moves to ERRDAD and dad_work finishes the failure (addrconf_dad_stop).', { related: ['ndisc_recv_ns', 'ndisc_recv_na', 'addrconf_dad_stop', 'IFA_F_DADFAILED', 'netns_sysctl_ipv6.idgen_retries'] }),
  fn('addrconf_dad_stop', ADDRCONF, 'L3', 'End DAD after a failure: flag the address DADFAILED; a temporary address is replaced by a new one and deleted, a configured (permanent) one stays tentative and unused, a learned one is deleted.', { related: ['addrconf_dad_failure'] }),
  fn('addrconf_join_solict', ADDRCONF, 'L3', 'Join the solicited-node multicast group (ff02::1:ffXX:XXXX) of an address, where neighbour solicitations for it arrive.', { related: ['ipv6_dev_mc_inc', 'addrconf_addr_solict_mult'] }),
  fn('addrconf_leave_solict', ADDRCONF, 'L3', 'Leave an address\'s solicited-node group when the address goes.', { related: ['addrconf_join_solict'] }),
  fn('addrconf_addr_solict_mult', ADDRCONF_H, 'L3', 'Compute the solicited-node multicast address of an address: ff02::1:ff plus its last 24 bits.', { related: ['addrconf_join_solict', 'ndisc_send_ns'] }),
  fn('addrconf_prefix_rcv', ADDRCONF, 'L3', 'A router advertisement\'s prefix information option: with the on-link flag add or refresh the prefix route; with the autonomous flag and autoconf enabled, form an address from the prefix and an interface identifier chosen by addr_gen_mode (SLAAC), and temporary addresses when use_tempaddr asks.', { related: ['ndisc_router_discovery', 'ND_OPT_PREFIX_INFO', 'ipv6_add_addr', 'ipv6_devconf.autoconf', 'ipv6_devconf.addr_gen_mode', 'ipv6_create_tempaddr'] }),
  fn('addrconf_add_linklocal', ADDRCONF, 'L3', 'Add the fe80::/64 link-local address of a device when it comes up; every IPv6 interface has one and neighbour discovery uses it.', { related: ['addrconf_addr_gen', 'ipv6_add_addr'] }),
  fn('addrconf_addr_gen', ADDRCONF, 'L3', 'Generate the link-local address as the device\'s addr_gen_mode says: EUI-64 from the MAC, stable privacy, random, or none.', { related: ['ipv6_generate_eui64', 'ipv6_generate_stable_address', 'IN6_ADDR_GEN_MODE_EUI64'] }),
  fn('ipv6_generate_eui64', ADDRCONF, 'L3', 'The modified EUI-64 interface identifier from a device\'s hardware address (on Ethernet: the MAC with ff:fe in the middle and the universal/local bit flipped).', { related: ['addrconf_addr_gen', 'IN6_ADDR_GEN_MODE_EUI64'] }),
  fn('ipv6_generate_stable_address', ADDRCONF, 'L3', 'A stable privacy interface identifier (RFC 7217): a hash of the prefix, the device, a DAD counter and the stable_secret, the same on every boot for a network but unlinkable across networks.', { related: ['IN6_ADDR_GEN_MODE_STABLE_PRIVACY', 'IFA_F_STABLE_PRIVACY'] }),
  fn('ipv6_create_tempaddr', ADDRCONF, 'L3', 'Make a temporary address (RFC 8981) for a public SLAAC address: random identifier, lifetimes bounded by temp_valid_lft and temp_prefered_lft, regenerated before it deprecates.', { related: ['IFA_F_TEMPORARY', 'ipv6_devconf.use_tempaddr'] }),
  fn('addrconf_rs_timer', ADDRCONF, 'L3', 'Router solicitation timer: send another solicitation until rtr_solicits are sent or a router advertisement arrives, the interval backing off up to rtr_solicit_max_interval.', { related: ['ndisc_send_rs', 'inet6_dev.rs_probes', 'ipv6_devconf.rtr_solicits'] }),
  fn('addrconf_verify_rtnl', ADDRCONF, 'L3', 'Periodic address lifetime check: deprecate addresses whose preferred lifetime ran out, delete expired ones, regenerate temporary addresses, and schedule the next check.', { related: ['inet6_ifaddr.valid_lft', 'IFA_F_DEPRECATED'] }),
  fn('addrconf_notify', ADDRCONF, 'L3', 'React to device events: set up IPv6 when a device registers or comes up (link-local address, DAD), tear addresses down when it goes down (unless keep_addr_on_down), follow MTU changes (below 1280 IPv6 is removed).', { related: ['addrconf_add_linklocal', 'addrconf_ifdown', 'IPV6_MIN_MTU'] }),
  fn('addrconf_ifdown', ADDRCONF, 'L3', 'A device goes down or away: remove its routes and addresses (keeping permanent ones if keep_addr_on_down), stop timers, and on unregister free the inet6_dev.', { related: ['addrconf_notify', 'ipv6_devconf.keep_addr_on_down'] }),
  fn('ipv6_chk_addr', ADDRCONF, 'L3', 'Whether an address is one of ours (on a given device or any), tentative ones excluded.', { related: ['ipv6_get_ifaddr'] }),
  fn('ipv6_get_ifaddr', ADDRCONF, 'L3', 'Find our inet6_ifaddr for an address (taking a reference); neighbour discovery uses it to see whether a target is ours.', { related: ['ndisc_recv_ns', 'inet6_ifaddr'] }),
  fn('ipv6_get_lladdr', ADDRCONF, 'L3', 'A usable link-local address of a device (for router solicitations, MLD and redirects).', { related: ['ndisc_send_rs', 'igmp6_send'] }),
  fn('ipv6_ifa_notify', ADDRCONF, 'L3', 'Tell rtnetlink listeners (`ip monitor`) that an address was added or removed, and add or remove its local route.', { related: ['addrconf_dad_completed'] }),
  enumType('in6_addr_gen_mode', IF_LINK, 'L3', 'How a device forms its interface identifiers (`ip link set DEV addrgenmode …`, net.ipv6.conf.DEV.addr_gen_mode).', { related: ['IN6_ADDR_GEN_MODE_EUI64', 'IN6_ADDR_GEN_MODE_STABLE_PRIVACY', 'ipv6_devconf.addr_gen_mode'] }),
  member('IN6_ADDR_GEN_MODE_EUI64', IF_LINK, 'L3', 'addr_gen_mode 0: identifiers from the MAC (modified EUI-64), the default.', { related: ['ipv6_generate_eui64'] }),
  member('IN6_ADDR_GEN_MODE_NONE', IF_LINK, 'L3', 'addr_gen_mode 1: no automatic link-local address; SLAAC addresses are still made.', { related: ['addrconf_addr_gen'] }),
  member('IN6_ADDR_GEN_MODE_STABLE_PRIVACY', IF_LINK, 'L3', 'addr_gen_mode 2: stable privacy identifiers from stable_secret.', { related: ['ipv6_generate_stable_address'] }),
  member('IN6_ADDR_GEN_MODE_RANDOM', IF_LINK, 'L3', 'addr_gen_mode 3: stable privacy with a random secret made for the device.', { related: ['ipv6_generate_stable_address'] }),

  // Address helpers (include/net/ipv6.h).
  fn('ipv6_addr_type', NET_IPV6_H, 'L3', 'Classify an address as IPV6_ADDR_* bits (unicast, multicast, loopback, link-local, mapped…) and scope; a wrapper of __ipv6_addr_type.', { related: ['__ipv6_addr_type', 'IPV6_ADDR_LINKLOCAL', 'IPV6_ADDR_MULTICAST'] }),
  fn('__ipv6_addr_type', 'net/ipv6/addrconf_core.c', 'L3', 'The classification behind ipv6_addr_type: multicast by ff00::/8 with its scope nibble, link-local fe80::/10, ::, ::1, IPv4-mapped, other unicast global.', { related: ['ipv6_addr_type'] }),
  fn('ipv6_addr_equal', NET_IPV6_H, 'L3', 'Compare two IPv6 addresses (word-wise, fast).', { related: ['ipv6_addr_any'] }),
  fn('ipv6_addr_any', NET_IPV6_H, 'L3', 'Whether an address is :: (unspecified), the source of DAD probes and of unbound sockets.', { related: ['ndisc_recv_ns'] }),
  fn('ipv6_addr_loopback', NET_IPV6_H, 'L3', 'Whether an address is ::1; ip6_rcv_core drops it as a source or destination on non-loopback devices.', { related: ['ip6_rcv_core'] }),
  fn('ipv6_addr_is_multicast', NET_IPV6_H, 'L3', 'Whether an address is multicast (ff00::/8); IPv6 has no broadcast.', { related: ['ip6_mc_input', 'ip6_rcv_core'] }),
  fn('ipv6_addr_v4mapped', NET_IPV6_H, 'L3', 'Whether an address is IPv4-mapped (::ffff:a.b.c.d): a dual-stack socket sends such destinations over IPv4.', { related: ['udpv6_sendmsg', 'tcp_v6_connect'] }),
  macro('IPV6_ADDR_MULTICAST', NET_IPV6_H, 'L3', 'ipv6_addr_type bit: a multicast address.', { related: ['ipv6_addr_type'] }),
  macro('IPV6_ADDR_LINKLOCAL', NET_IPV6_H, 'L3', 'ipv6_addr_type scope bit: link-local (fe80::/10, or a link-scope multicast); such addresses are meaningful only with an interface, never forwarded.', { related: ['ipv6_addr_type', 'ip6_forward'] }),
  macro('IPV6_ADDR_LOOPBACK', NET_IPV6_H, 'L3', 'ipv6_addr_type bit: ::1.', { related: ['ipv6_addr_loopback'] }),
  macro('IPV6_ADDR_MAPPED', NET_IPV6_H, 'L3', 'ipv6_addr_type bit: an IPv4-mapped address.', { related: ['ipv6_addr_v4mapped'] }),

  // The structs behind the net.ipv6.conf.* and net.ipv6.* sysctls.
  struct('ipv6_devconf', LINUX_IPV6_H, 'L3', 'The values of net.ipv6.conf.{all,default,DEV}.*: one copy per namespace for all and default, one per device in inet6_dev.cnf. Unlike IPv4, several (forwarding in ip6_forward, accept_dad) are read from "all" rather than or besides the device (v6.12).', { related: ['inet6_dev.cnf', 'ip6_forward'] }),
  ...fields('ipv6_devconf', LINUX_IPV6_H, 'L3', [
    ['forwarding', 'net.ipv6.conf.*.forwarding: ip6_forward checks the "all" value; the device value decides host or router behaviour in neighbour discovery (router flag, accepting router advertisements). Setting "all" sets every device.', { related: ['ip6_forward', 'ndisc_send_na', 'ipv6_devconf.accept_ra'] }],
    ['hop_limit', 'net.ipv6.conf.DEV.hop_limit: default hop limit of packets sent out this device (64).', { related: ['ip6_dst_hoplimit'] }],
    ['mtu6', 'net.ipv6.conf.DEV.mtu: the IPv6 MTU of the device (at least 1280, at most the device MTU), possibly lowered by a router advertisement.', { related: ['ip6_mtu', 'IPV6_MIN_MTU'] }],
    ['disable_ipv6', 'net.ipv6.conf.DEV.disable_ipv6: turn IPv6 off on a device (addresses removed, packets dropped with IPV6DISABLED).', { related: ['SKB_DROP_REASON_IPV6DISABLED', 'ip6_rcv_core'] }],
    ['accept_ra', 'net.ipv6.conf.DEV.accept_ra: 0 ignore router advertisements, 1 accept them unless forwarding, 2 accept even when forwarding.', { related: ['ndisc_router_discovery'] }],
    ['accept_redirects', 'net.ipv6.conf.DEV.accept_redirects: obey ICMPv6 redirects (on for hosts by default).', { related: ['ndisc_redirect_rcv'] }],
    ['autoconf', 'net.ipv6.conf.DEV.autoconf: form addresses from router advertisement prefixes (SLAAC).', { related: ['addrconf_prefix_rcv'] }],
    ['dad_transmits', 'net.ipv6.conf.DEV.dad_transmits: neighbour solicitations DAD sends (1); 0 disables DAD probes.', { related: ['addrconf_dad_kick'] }],
    ['accept_dad', 'net.ipv6.conf.DEV.accept_dad: 0 no DAD, 1 DAD, 2 DAD and disable IPv6 on the device when its MAC-based link-local is duplicated.', { related: ['addrconf_dad_begin', 'addrconf_dad_work'] }],
    ['rtr_solicits', 'net.ipv6.conf.DEV.rtr_solicits: router solicitations to send (-1 means until a router answers).', { related: ['addrconf_rs_timer'] }],
    ['use_tempaddr', 'net.ipv6.conf.DEV.use_tempaddr: 0 no temporary addresses, 1 make them, 2 make and prefer them as sources.', { related: ['ipv6_create_tempaddr', 'ipv6_dev_get_saddr'] }],
    ['proxy_ndp', 'net.ipv6.conf.*.proxy_ndp: answer neighbour solicitations for addresses listed with `ip -6 neigh add proxy`.', { related: ['ip6_forward_proxy_check'] }],
    ['addr_gen_mode', 'net.ipv6.conf.DEV.addr_gen_mode: how interface identifiers are made (in6_addr_gen_mode).', { related: ['in6_addr_gen_mode', 'addrconf_addr_gen'] }],
    ['keep_addr_on_down', 'net.ipv6.conf.DEV.keep_addr_on_down: keep static addresses when the link goes down.', { related: ['addrconf_ifdown'] }],
    ['drop_unicast_in_l2_multicast', 'net.ipv6.conf.DEV.drop_unicast_in_l2_multicast: drop IPv6 unicast carried in link-layer multicast frames.', { related: ['ip6_rcv_core', 'SKB_DROP_REASON_UNICAST_IN_L2_MULTICAST'] }],
  ]),
  struct('netns_sysctl_ipv6', NETNS_IPV6, 'L3', 'The namespace-wide net.ipv6.* settings that are not per device: route cache and PMTU timers, ICMPv6 rate limits and echo policy, flow labels, address generation retries, extension header limits.', { related: ['ipv6_devconf'] }),
  ...fields('netns_sysctl_ipv6', NETNS_IPV6, 'L3', [
    ['icmpv6_time', 'net.ipv6.icmp.ratelimit: the per-destination ICMPv6 token interval (1000 ms).', { related: ['icmpv6_xrlim_allow'] }],
    ['icmpv6_echo_ignore_all', 'net.ipv6.icmp.echo_ignore_all: do not answer echo requests.', { related: ['icmpv6_rcv'] }],
    ['ip6_rt_mtu_expires', 'net.ipv6.route.mtu_expires: how long a learned path MTU lasts (600 s).', { related: ['ip6_update_pmtu'] }],
    ['auto_flowlabels', 'net.ipv6.auto_flowlabels: whether senders fill the flow label from a flow hash.', { related: ['ipv6hdr.flow_lbl'] }],
    ['bindv6only', 'net.ipv6.bindv6only: default of IPV6_V6ONLY, whether new IPv6 sockets refuse IPv4-mapped traffic.', { related: ['ipv6_addr_v4mapped'] }],
    ['idgen_retries', 'net.ipv6.idgen_retries: new stable privacy addresses tried after DAD failures (3).', { related: ['addrconf_dad_failure'] }],
    ['max_hbh_opts_cnt', 'net.ipv6.max_hbh_opts_number: the most hop-by-hop options accepted in one packet (8).', { related: ['ip6_parse_tlv'] }],
  ]),
];
