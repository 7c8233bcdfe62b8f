// The hook priorities of IPv4 netfilter (include/uapi/linux/netfilter_ipv4.h, enum
// nf_ip_hook_priorities, v6.12): where conntrack, defrag and NAT sit among a hook's entries.
export const INT_MAX = 2147483647;
export const NF_IP_PRI_CONNTRACK_DEFRAG = -400;
export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_NAT_SRC = 100;
