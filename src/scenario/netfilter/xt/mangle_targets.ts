// Targets of the mangle table that rewrite a packet or its sk_buff: -j ECN (ipt_ECN.c ecn_tg:
// the ECN bits of the IPv4 tos byte, the ECE/CWR flags of the TCP header), -j CLASSIFY
// (xt_CLASSIFY.c classify_tg: skb->priority, which the qdisc and `meta priority` read), -j
// TCPOPTSTRIP (xt_TCPOPTSTRIP.c: the chosen TCP options overwritten with NOPs). Each fixes the
// checksum it changes as the kernel does (inet_proto_csum_replace2, csum_replace2).
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import { csumReplace } from '../../../model/net/netfilter/nf_pktinfo';
import { IPPROTO_TCP } from '../../../model/proto/ipv4';
import { fail, num, q, type XtEnd, type XtTarget } from './types';

const ruleHook = (x: EvalCtx) => ({ hook: { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict: 'NFT_CONTINUE' as const } });
const einval = (e: XtEnd, why: string): never => fail(e.tok, `${why} (iptables: RULE_APPEND failed (Invalid argument))`);

function mangleOnly(e: XtEnd, name: string, hooks?: string[]): void {
  if (e.table !== 'mangle') einval(e, `${name} target: only valid in the mangle table, not ${e.table}`);
  if (hooks)
    e.check((_e, c) => {
      if (c.base && !hooks.includes(c.base.hook)) einval(e, `${name} target: only valid in ${hooks.map((h) => h.toUpperCase()).join(', ')}, not ${c.name}`);
    });
}

interface EcnSt {
  ece?: number;
  cwr?: number;
  ip?: number;
  remove?: boolean;
}

export const ECN: XtTarget<EcnSt> = {
  opts: { '--ecn-tcp-remove': false, '--ecn-tcp-cwr': true, '--ecn-tcp-ece': true, '--ecn-ip-ect': true },
  init: () => ({}),
  parse: (st, o) => {
    const t = o.opt.text;
    if (t === '--ecn-tcp-remove') {
      if (st.remove) fail(o.opt, 'ECN: option "--ecn-tcp-remove" can only be used once.');
      st.remove = true;
      st.ece = 0;
      st.cwr = 0;
      return;
    }
    const k = t === '--ecn-tcp-cwr' ? 'cwr' : t === '--ecn-tcp-ece' ? 'ece' : 'ip';
    const v = o.arg('a value');
    st[k] = num(v, k === 'ip' ? 3 : 1);
  },
  finish: (st, e) => {
    mangleOnly(e, 'ECN');
    if (st.ece === undefined && st.cwr === undefined && st.ip === undefined) fail(e.tok, 'ECN target: An operation is required');
    if ((st.ece !== undefined || st.cwr !== undefined) && e.proto !== IPPROTO_TCP) einval(e, 'ECN target: cannot use operation on non-tcp rule');
    return {
      text: e.text,
      eval: (x) => {
        const b = x.p.skb.w();
        const nh = x.p.skb.network_header;
        if (st.ip !== undefined && (b[nh + 1] & 3) !== st.ip) {
          const old = b[nh + 1];
          b[nh + 1] = (old & ~3) | st.ip;
          csumReplace(b, nh + 10, [old], [b[nh + 1]]);
          x.p.iph.tos = b[nh + 1];
        }
        if ((st.ece !== undefined || st.cwr !== undefined) && x.p.iph.protocol === IPPROTO_TCP) {
          // set_ect_tcp reads the header at ip_hdrlen, with no test of the fragment offset
          const th = nh + (b[nh] & 15) * 4;
          if (x.p.skb.tail - th < 20) return { code: 'NF_DROP' };
          const oldw = (b[th + 12] << 8) | b[th + 13];
          let f = b[th + 13];
          if (st.ece !== undefined) f = st.ece ? f | 0x40 : f & ~0x40;
          if (st.cwr !== undefined) f = st.cwr ? f | 0x80 : f & ~0x80;
          if (f !== b[th + 13]) {
            b[th + 13] = f;
            csumReplace(b, th + 16, [oldw], [(b[th + 12] << 8) | f], { partial: x.p.skb.ip_summed === 'CHECKSUM_PARTIAL', pseudo: false });
            if (x.p.fragoff === 0) x.p.tcpFlags = f;
          }
        }
        x.net.step(x.p.skb, 'L3', 'ecn_tg', 'net/ipv4/netfilter/ipt_ECN.c', x.net.full ? `${e.text}: the ECN bits are now tos 0x${x.p.iph.tos.toString(16)}${x.p.tcpFlags !== undefined ? `, tcp flags 0x${x.p.tcpFlags.toString(16)}` : ''}.` : '', ruleHook(x));
        return true;
      },
    };
  },
  save: (st) => (st.ece === 0 && st.cwr === 0 && st.ip === undefined ? ['--ecn-tcp-remove'] : [...(st.ece !== undefined ? ['--ecn-tcp-ece', String(st.ece)] : []), ...(st.cwr !== undefined ? ['--ecn-tcp-cwr', String(st.cwr)] : []), ...(st.ip !== undefined ? ['--ecn-ip-ect', String(st.ip)] : [])]),
};

export const CLASSIFY: XtTarget<{ prio?: number }> = {
  opts: { '--set-class': true },
  init: () => ({}),
  parse: (st, o) => {
    if (st.prio !== undefined) fail(o.opt, 'CLASSIFY: option "--set-class" can only be used once.');
    const v = o.arg('MAJOR:MINOR');
    const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v.text);
    if (!m) fail(v, `Bad class value ${q(v.text)}`);
    st.prio = ((parseInt(m[1], 16) << 16) | parseInt(m[2], 16)) >>> 0;
  },
  finish: (st, e) => {
    mangleOnly(e, 'CLASSIFY', ['output', 'forward', 'postrouting']);
    if (st.prio === undefined) fail(e.tok, 'CLASSIFY: option "--set-class" must be specified');
    const p = st.prio;
    return {
      text: e.text,
      eval: (x) => {
        x.p.skb.priority = p;
        x.net.step(x.p.skb, 'L3', 'classify_tg', 'net/netfilter/xt_CLASSIFY.c', x.net.full ? `${e.text}: skb->priority is now ${(p >>> 16).toString(16)}:${(p & 0xffff).toString(16)}.` : '', ruleHook(x));
        return true;
      },
    };
  },
  save: (st) => ['--set-class', `${(st.prio! >>> 16).toString(16).padStart(4, '0')}:${(st.prio! & 0xffff).toString(16).padStart(4, '0')}`],
};

/** libxt_TCPOPTSTRIP's option names */
const TCPOPT_NAMES: Record<string, number> = { wscale: 3, mss: 2, 'sack-permitted': 4, sack: 5, timestamp: 8, md5: 19 };

export const TCPOPTSTRIP: XtTarget<{ strip?: number[] }> = {
  opts: { '--strip-options': true },
  init: () => ({}),
  parse: (st, o) => {
    if (st.strip) fail(o.opt, 'TCPOPTSTRIP: option "--strip-options" can only be used once.');
    const v = o.arg('a list of options');
    st.strip = v.text.split(',').map((s) => {
      const n = Object.hasOwn(TCPOPT_NAMES, s) ? TCPOPT_NAMES[s] : /^\d+$/.test(s) ? Number(s) : NaN;
      if (Number.isNaN(n) || n > 255) fail(v, `Bad TCP option value ${q(s)}`);
      if (n < 2) fail(v, 'Option value may not be 0 or 1');
      return n;
    });
  },
  finish: (st, e) => {
    mangleOnly(e, 'TCPOPTSTRIP');
    if (e.proto !== IPPROTO_TCP) einval(e, 'TCPOPTSTRIP target: only valid for -p tcp');
    const strip = new Set(st.strip ?? []);
    return {
      text: e.text,
      eval: (x) => {
        // a later fragment carries no TCP header: nothing to do
        if (x.p.fragoff !== 0) return true;
        const skb = x.p.skb;
        const th = x.p.thoff;
        const len = skb.data + skb.len - th;
        if (len < 20) return { code: 'NF_DROP' };
        const b = skb.w();
        const hl = (b[th + 12] >> 4) * 4;
        if (len < hl) return { code: 'NF_DROP' };
        const partial = skb.ip_summed === 'CHECKSUM_PARTIAL';
        const gone: number[] = [];
        for (let i = 20; i < hl - 1; ) {
          // optlen: EOL, NOP or a zero length advance one byte
          const optl = b[th + i] <= 1 || b[th + i + 1] === 0 ? 1 : b[th + i + 1];
          if (i + optl > hl) break;
          if (strip.has(b[th + i])) {
            gone.push(b[th + i]);
            for (let j = i; j < i + optl; j++) {
              const w = th + (j & ~1);
              const before = (b[w] << 8) | b[w + 1];
              b[th + j] = 1;
              csumReplace(b, th + 16, [before], [(b[w] << 8) | b[w + 1]], { partial, pseudo: false });
            }
          }
          i += optl;
        }
        x.net.step(skb, 'L3', 'tcpoptstrip_tg4', 'net/netfilter/xt_TCPOPTSTRIP.c', gone.length ? `${e.text}: TCP option(s) ${gone.join(', ')} overwritten with NOPs.` : `${e.text}: none of the options to strip is in the header.`, ruleHook(x));
        return true;
      },
    };
  },
  save: (st) => (st.strip ? ['--strip-options', st.strip.join(',')] : []),
};
