// Targets other than the verdicts and NAT: -j NFLOG (iptables-nft 1.8.9 gives the kernel nft's
// `log group N`: nfulnl_log_packet hands the packet to the program bound to the group, if any),
// -j TOS (xt_TOS.c tos_tg), -j DSCP (xt_DSCP.c dscp_tg), -j TTL (xt_HL.c ttl_tg): these three
// rewrite the IPv4 header and fix its checksum incrementally, in the mangle table only.
import type { EvalCtx, Expr } from '../../../model/net/netfilter/nf_tables';
import { csumReplace } from '../../../model/net/netfilter/nf_pktinfo';
import { DSCP_CLASSES, hex2, tosValueMask } from './tos';
import { fail, num, q, type XtEnd, type XtTarget } from './types';
import { saveString } from './helper';

const ruleHook = (x: EvalCtx) => ({ hook: { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict: 'NFT_CONTINUE' as const } });

function mangleOnly(e: XtEnd, name: string): void {
  if (e.table !== 'mangle') fail(e.tok, `${name} target: only valid in the mangle table, not ${e.table} (iptables: RULE_APPEND failed (Invalid argument))`);
}

/** Rewrite byte `off` (1: tos, 8: ttl) of the IPv4 header, with the header checksum (csum_replace2 on its 16-bit word). */
function setIpByte(x: EvalCtx, off: 1 | 8, v: number): number {
  const b = x.p.skb.w();
  const nh = x.p.skb.network_header;
  const old = b[nh + off];
  if (old === v) return old;
  const w = off === 1 ? 0 : 8;
  const before = (b[nh + w] << 8) | b[nh + w + 1];
  b[nh + off] = v;
  const after = (b[nh + w] << 8) | b[nh + w + 1];
  csumReplace(b, nh + 10, [before], [after]);
  if (off === 1) x.p.iph.tos = v;
  else x.p.iph.ttl = v;
  return old;
}

function byteStmt(text: string, off: 1 | 8, f: (old: number) => number, fn: string, file: string, what: string): Expr {
  return {
    text,
    eval: (x) => {
      const old = off === 1 ? x.p.iph.tos : x.p.iph.ttl;
      const nv = f(old) & 0xff;
      setIpByte(x, off, nv);
      x.net.step(x.p.skb, 'L3', fn, file, nv === old ? `${text}: the ${what} is already 0x${old.toString(16)}, nothing to change.` : `${text}: the ${what} goes from 0x${old.toString(16)} to 0x${nv.toString(16)}, and the header checksum is updated.`, ruleHook(x));
      return true;
    },
  };
}

export const NFLOG: XtTarget<{ group: number; seen: Set<string>; prefix?: string; size?: [string, number]; threshold?: number }> = {
  opts: { '--nflog-group': true, '--nflog-prefix': true, '--nflog-range': true, '--nflog-size': true, '--nflog-threshold': true },
  init: () => ({ group: 0, seen: new Set() }),
  // libxt_NFLOG's print as iptables-nft 1.8.9 saves it: prefix, group (not 0), size or range, threshold (not 0)
  save: (st) => [
    ...(st.prefix ? ['--nflog-prefix', saveString(st.prefix)] : []),
    ...(st.group ? ['--nflog-group', String(st.group)] : []),
    ...(st.size ? [st.size[0], String(st.size[1])] : []),
    ...(st.threshold ? ['--nflog-threshold', String(st.threshold)] : []),
  ],
  parse: (st, o) => {
    if (st.seen.has(o.opt.text)) fail(o.opt, `NFLOG: option ${q(o.opt.text)} can only be used once.`);
    st.seen.add(o.opt.text);
    const v = o.arg('a value');
    switch (o.opt.text) {
      case '--nflog-group':
        st.group = num(v, 65535);
        break;
      case '--nflog-threshold':
        st.threshold = num(v, 65535);
        if (st.threshold === 0) fail(v, 'NFLOG: "--nflog-threshold" must be at least 1');
        break;
      case '--nflog-range':
      case '--nflog-size':
        st.size = [o.opt.text, num(v, 0xffffffff)];
        break;
      case '--nflog-prefix':
        st.prefix = v.text;
        break;
    }
  },
  finish: (st, e) => {
    const g = st.group;
    return {
      text: e.text,
      eval: (x) => {
        // nfulnl_log_packet: no program has bound a socket to the group in the model, so no instance is found and nothing is sent
        x.net.step(x.p.skb, 'L3', 'nfulnl_log_packet', 'net/netfilter/nfnetlink_log.c', x.net.full ? `log group ${g}: no program listens on nflog group ${g} (instance_lookup_get finds none), so nothing is logged and the rule goes on.` : '', ruleHook(x));
        return true;
      },
    };
  },
};

export const TOS: XtTarget<{ vm?: [number, number] }> = {
  opts: { '--set-tos': true, '--and-tos': true, '--or-tos': true, '--xor-tos': true },
  init: () => ({}),
  parse: (st, o) => {
    if (st.vm) fail(o.opt, 'TOS: only one of "--set-tos", "--and-tos", "--or-tos", "--xor-tos" may be given');
    const v = o.arg('a TOS value');
    if (o.opt.text === '--set-tos') st.vm = tosValueMask(v);
    else {
      const n = num(v, 0xff);
      // libxt_TOS: --and-tos v is --set-tos 0/~v, --or-tos v is v/v, --xor-tos v is v/0
      st.vm = o.opt.text === '--and-tos' ? [0, ~n & 0xff] : o.opt.text === '--or-tos' ? [n, n] : [n, 0];
    }
  },
  finish: (st, e) => {
    mangleOnly(e, 'TOS');
    if (!st.vm) fail(e.tok, 'TOS: one of "--set-tos", "--and-tos", "--or-tos", "--xor-tos" is required');
    const [v, m] = st.vm;
    return byteStmt(e.text, 1, (old) => (old & ~m) ^ v, 'tos_tg', 'net/netfilter/xt_DSCP.c', 'tos');
  },
  save: (st) => ['--set-tos', `${hex2(st.vm![0])}/${hex2(st.vm![1])}`],
};

export const DSCP: XtTarget<{ v?: number }> = {
  opts: { '--set-dscp': true, '--set-dscp-class': true },
  init: () => ({}),
  parse: (st, o) => {
    if (st.v !== undefined) fail(o.opt, 'DSCP: only one of "--set-dscp" and "--set-dscp-class" may be given');
    const v = o.arg('a DSCP value');
    if (o.opt.text === '--set-dscp-class') {
      if (!Object.hasOwn(DSCP_CLASSES, v.text.toUpperCase())) fail(v, `Invalid DSCP value ${q(v.text)}`);
      st.v = DSCP_CLASSES[v.text.toUpperCase()];
    } else st.v = num(v, 0x3f);
  },
  finish: (st, e) => {
    mangleOnly(e, 'DSCP');
    if (st.v === undefined) fail(e.tok, 'DSCP target: Parameter --set-dscp is required');
    const d = st.v;
    return byteStmt(e.text, 1, (old) => (old & 0x03) | (d << 2), 'dscp_tg', 'net/netfilter/xt_DSCP.c', 'tos (DSCP bits)');
  },
  save: (st) => ['--set-dscp', hex2(st.v!)],
};

export const TTL: XtTarget<{ mode?: string; v?: number }> = {
  opts: { '--ttl-set': true, '--ttl-inc': true, '--ttl-dec': true },
  init: () => ({}),
  parse: (st, o) => {
    if (st.mode) fail(o.opt, 'TTL: You can only specify one action');
    const v = num(o.arg('a TTL value'), 255);
    if (v === 0 && o.opt.text !== '--ttl-set') fail(o.opt, `TTL: ${o.opt.text === '--ttl-inc' ? 'increasing' : 'decreasing'} by 0?`);
    st.mode = o.opt.text;
    st.v = v;
  },
  finish: (st, e) => {
    mangleOnly(e, 'TTL');
    if (!st.mode) fail(e.tok, 'TTL: You must specify an action');
    const v = st.v!;
    const f = st.mode === '--ttl-set' ? () => v : st.mode === '--ttl-inc' ? (t: number) => Math.min(255, t + v) : (t: number) => Math.max(0, t - v);
    return byteStmt(e.text, 8, f, 'ttl_tg', 'net/netfilter/xt_HL.c', 'ttl');
  },
};
