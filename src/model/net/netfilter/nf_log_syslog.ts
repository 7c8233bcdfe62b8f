// The log statement's line (net/netfilter/nf_log_syslog.c nf_log_ip_packet, v6.12), in the
// kernel log's format.
import { numToIp } from '../../proto/addr';
import { IPPROTO_TCP, PROTO_NAMES } from '../../proto/ipv4';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';
import type { EvalCtx } from './nf_tables';
import { hookCtxOf } from './nft_hook_ctx';

export function nf_log_ip_packet(x: EvalCtx, prefix: string): void {
  const { p, net } = x;
  const i = p.iph;
  let l4 = '';
  if (p.sport !== undefined) l4 = ` SPT=${p.sport} DPT=${p.dport}`;
  if (p.l4proto === IPPROTO_TCP && p.tcpFlags !== undefined) {
    const f = p.tcpFlags;
    l4 += `${f & TCPHDR_ACK ? ' ACK' : ''}${f & 0x08 ? ' PSH' : ''}${f & TCPHDR_RST ? ' RST' : ''}${f & TCPHDR_SYN ? ' SYN' : ''}${f & TCPHDR_FIN ? ' FIN' : ''}`;
  }
  if (p.icmpType !== undefined) l4 = ` TYPE=${p.icmpType} CODE=${p.icmpCode}`;
  const line = `${prefix}IN=${p.indev?.name ?? ''} OUT=${p.outdev?.name ?? ''} SRC=${numToIp(i.saddr)} DST=${numToIp(i.daddr)} LEN=${i.totLen} TOS=0x${i.tos.toString(16).padStart(2, '0')} TTL=${i.ttl} ID=${i.id}${i.fragOff & 0x4000 ? ' DF' : ''} PROTO=${(PROTO_NAMES[i.protocol] ?? String(i.protocol)).toUpperCase()}${l4}${p.skb.mark ? ` MARK=0x${p.skb.mark.toString(16)}` : ''}`;
  net.step(p.skb, 'L3', 'nf_log_ip_packet', 'net/netfilter/nf_log_syslog.c', `log: the kernel log gets the line "${line}".`, { hook: hookCtxOf(x, 'NFT_CONTINUE') });
}
