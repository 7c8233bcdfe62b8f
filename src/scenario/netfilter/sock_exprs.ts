// The socket a packet belongs to, as netfilter reads it (skb_to_full_sk: a request sock stands for
// its listener). Every socket a scenario opens is opened by root, as the fidelity harness opens
// them on the kernel (it runs as uid 0, gid 0): so a local socket's fsuid and fsgid are 0.
// iptables' owner match and nft's `meta skuid/skgid` read these.
import type { EvalCtx } from '../../model/net/netfilter/nf_tables';

export const SOCKET_OWNER = { uid: 0, gid: 0 } as const;

/** the owner of the packet's local socket, or undefined when it has none (a forwarded or kernel-made packet) */
export const skOwner = (x: EvalCtx): { uid: number; gid: number } | undefined => (x.p.skb.sk ? SOCKET_OWNER : undefined);
