// Conntrack accounting (net/netfilter/nf_conntrack_acct.c, v6.12): with net.netfilter.
// nf_conntrack_acct on, each new connection gets an acct extension, and every packet conntrack
// sees for it adds one packet and skb->len bytes to its direction's counters
// (nf_ct_refresh_acct). A connection made while it was off has no extension, and stays so.
// Loading an nft `ct bytes|packets|avgpkt` expression turns it on (nft_ct_get_init calls
// nf_ct_set_acct), as iptables-nft's connbytes does.
import type { NfConn } from './nf_conntrack';

export interface CtAcct {
  packets: [number, number];
  bytes: [number, number];
}

/** net->ct.sysctl_acct, per netns (keyed by its netfilter engine) */
const ACCT_ON = new WeakSet<object>();

export function nf_ct_set_acct(nf: object): void {
  ACCT_ON.add(nf);
}

/** nf_ct_acct_ext_add at init_conntrack */
export function nf_ct_acct_ext_add(nf: object, ct: NfConn): void {
  if (ACCT_ON.has(nf)) ct.acct = { packets: [0, 0], bytes: [0, 0] };
}

/** nf_ct_acct_update */
export function nf_ct_acct_update(ct: NfConn, reply: boolean, len: number): void {
  if (!ct.acct) return;
  const d = reply ? 1 : 0;
  ct.acct.packets[d]++;
  ct.acct.bytes[d] += len;
}
