// -j TCPMSS (net/netfilter/xt_TCPMSS.c, v6.12): lowers the MSS option of a TCP header, or adds
// one where there is none. --set-mss N writes N; --clamp-mss-to-pmtu (mss 0xffff) writes the
// smaller of the packet's route MTU and the MTU of the route back to its source, less 40 (the
// IPv4 and TCP headers). The MSS is never raised. A header with no MSS option and no payload gets
// one (min(N, 536), RFC 1122's default), the packet 4 bytes longer; with a payload it is left as
// it is. The checksums are fixed as the kernel fixes them (inet_proto_csum_replace2/4, and
// csum_replace2 of the IPv4 header for the new length). Under iptables-nft (nft_compat) the
// kernel does not ask for a `--tcp-flags … SYN` match, so every TCP packet the rule reaches is
// mangled: a pure ACK without an MSS option gets one.
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import { csumReplace } from '../../../model/net/netfilter/nf_pktinfo';
import { ipSkbDstMtu } from '../../../model/net/ipv4/ip_output';
import { ip_route_output_key } from '../../../model/net/ipv4/route';
import { IPPROTO_TCP } from '../../../model/proto/ipv4';
import { fail, type XtEnd, type XtTarget } from './types';

const CLAMP_PMTU = 0xffff;
const ruleHook = (x: EvalCtx) => ({ hook: { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict: 'NFT_CONTINUE' as const } });
const einval = (e: XtEnd, why: string): never => fail(e.tok, `${why} (iptables: RULE_APPEND failed (Invalid argument))`);

/** tcpmss_reverse_mtu: the MTU of the route this host would use to the packet's source (~0 without one). */
function reverseMtu(x: EvalCtx): number {
  const r = ip_route_output_key(x.net, x.p.iph.saddr, 0);
  if ('error' in r) return 0xffffffff;
  const pmtu = r.rt.mtuLocked ? undefined : x.net.pmtu.get(r.daddr);
  return pmtu && pmtu < r.rt.mtu() ? pmtu : r.rt.mtu();
}

/** tcpmss_mangle_packet: -1 drop, else the bytes added (0 or 4); what it did in `said`. */
function mangle(x: EvalCtx, mss: number, said: string[]): number {
  const { p } = x;
  if (p.fragoff !== 0) return 0;
  const skb = p.skb;
  const th = p.thoff;
  const len = skb.data + skb.len - th;
  if (len < 20) return -1;
  let b = skb.w();
  const hl = (b[th + 12] >> 4) * 4;
  if (len < hl || hl < 20) return -1;
  let newmss = mss;
  if (mss === CLAMP_PMTU) {
    const dst = skb.dst ? ipSkbDstMtu(x.net, skb) : 0xffffffff;
    const back = reverseMtu(x);
    const min = Math.min(dst, back);
    if (min <= 40) {
      said.push(`unknown or invalid path-MTU (${min}): the packet is dropped`);
      return -1;
    }
    // the u16 of the kernel's newmss
    newmss = (min - 40) & 0xffff;
    const mtu = (v: number): string => (v === 0xffffffff ? 'none' : String(v));
    said.push(`the smaller of the route's MTU (${mtu(dst)}) and the MTU of the route back to the source (${mtu(back)}) is ${min}, so MSS ${newmss}`);
  }
  const partial = skb.ip_summed === 'CHECKSUM_PARTIAL';
  for (let i = 20; i <= hl - 4; ) {
    if (b[th + i] === 2 && b[th + i + 1] === 4) {
      const old = (b[th + i + 2] << 8) | b[th + i + 3];
      if (old <= newmss) {
        said.push(`the MSS option says ${old}, not more than ${newmss}: left as it is (the MSS is never raised)`);
        return 0;
      }
      b[th + i + 2] = newmss >> 8;
      b[th + i + 3] = newmss & 255;
      csumReplace(b, th + 16, [old], [newmss], { partial, pseudo: false });
      said.push(`the MSS option goes from ${old} to ${newmss}`);
      return 0;
    }
    // optlen: EOL, NOP or a zero length advance one byte
    i += b[th + i] <= 1 || b[th + i + 1] === 0 ? 1 : b[th + i + 1];
  }
  if (len > hl) {
    said.push('no MSS option, and a payload after the header: the option cannot be added, the packet is left as it is');
    return 0;
  }
  if (hl >= 60) {
    said.push('no MSS option, and no room for one in a 60-byte header');
    return 0;
  }
  if (skb.tailroom() < 4) skb.expandTail(4 - skb.tailroom());
  skb.put(4);
  b = skb.w();
  const add = Math.min(newmss, 536);
  // the options move 4 bytes on, the MSS option goes first
  b.copyWithin(th + 24, th + 20, th + len);
  csumReplace(b, th + 16, [len], [len + 4], { partial, pseudo: true });
  b[th + 20] = 2;
  b[th + 21] = 4;
  b[th + 22] = add >> 8;
  b[th + 23] = add & 255;
  csumReplace(b, th + 16, [0, 0], [(2 << 8) | 4, add], { partial, pseudo: false });
  const oldw = (b[th + 12] << 8) | b[th + 13];
  b[th + 12] += 1 << 4;
  csumReplace(b, th + 16, [oldw], [(b[th + 12] << 8) | b[th + 13]], { partial, pseudo: false });
  said.push(`no MSS option: one is added with ${add} (at most 536, RFC 1122's default), the header is now ${hl + 4} bytes`);
  return 4;
}

export const TCPMSS: XtTarget<{ mss?: number; seen?: string }> = {
  opts: { '--set-mss': true, '--clamp-mss-to-pmtu': false },
  init: () => ({}),
  parse: (st, o) => {
    // each option once; given both, the later one is what the kernel gets (libxt_TCPMSS)
    const seen = o.opt.text === '--clamp-mss-to-pmtu' ? 'clamp' : 'set';
    if (st.seen?.includes(seen)) fail(o.opt, `TCPMSS: option "${o.opt.text}" can only be used once.`);
    st.seen = `${st.seen ?? ''} ${seen}`;
    if (o.opt.text === '--clamp-mss-to-pmtu') {
      st.mss = CLAMP_PMTU;
      return;
    }
    const v = o.arg('a value');
    const n = /^\d+$/.test(v.text) ? Number(v.text) : /^0x[0-9a-f]+$/i.test(v.text) ? parseInt(v.text, 16) : NaN;
    // the IPv4 module's limit: 65535 less the IPv4 header
    if (!(n >= 0 && n <= 65515)) fail(v, 'TCPMSS: bad value for option "--set-mss", or out of range (0-65515).');
    st.mss = n;
  },
  finish: (st, e) => {
    if (st.mss === undefined) fail(e.tok, 'TCPMSS target: At least one parameter is required');
    if (e.proto !== IPPROTO_TCP) einval(e, 'TCPMSS target: only valid for -p tcp');
    const mss = st.mss;
    if (mss === CLAMP_PMTU)
      e.check((_e, c) => {
        if (c.base && !['forward', 'output', 'postrouting'].includes(c.base.hook)) einval(e, `TCPMSS target: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks, not ${c.name}`);
      });
    return {
      text: e.text,
      eval: (x) => {
        const said: string[] = [];
        const grew = mangle(x, mss, said);
        if (grew > 0) {
          const skb = x.p.skb;
          const b = skb.w();
          const nh = skb.network_header;
          const old = (b[nh + 2] << 8) | b[nh + 3];
          const now = old + grew;
          b[nh + 2] = now >> 8;
          b[nh + 3] = now & 255;
          csumReplace(b, nh + 10, [old], [now]);
          x.p.iph.totLen = now;
        }
        x.net.step(x.p.skb, 'L3', 'tcpmss_tg4', 'net/netfilter/xt_TCPMSS.c', x.net.full ? `${e.text}: ${said.join('; ') || 'no TCP header to change'}.` : '', ruleHook(x));
        return grew < 0 ? { code: 'NF_DROP' } : true;
      },
    };
  },
  save: (st) => (st.mss === CLAMP_PMTU ? ['--clamp-mss-to-pmtu'] : ['--set-mss', String(st.mss)]),
};
