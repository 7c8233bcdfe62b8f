// -j HL for ip6tables (v6.12 net/netfilter/xt_HL.c hl_tg6; iptables 1.8.9 libip6t_HL): set,
// raise or lower the hop limit of the IPv6 header, in the mangle table only. IPv6 has no header
// checksum, so nothing else changes; raising stops at 255, lowering at 0.
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';
import { fail, q, type XtTarget } from './types';

const ruleHook = (x: EvalCtx) => ({ hook: { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict: 'NFT_CONTINUE' as const } });

export const HL: XtTarget<{ mode?: string; v?: number }> = {
  opts: { '--hl-set': true, '--hl-inc': true, '--hl-dec': true },
  init: () => ({}),
  parse: (st, o) => {
    const k = o.opt.text;
    if (st.mode) fail(o.opt, `HL: option ${q(st.mode)} cannot be used together with ${q(k)}.`);
    const t = o.arg('a hop limit');
    const min = k === '--hl-set' ? 0 : 1;
    const v = /^\d+$/.test(t.text) ? Number(t.text) : NaN;
    if (!(v >= min && v <= 255)) fail(t, `HL: bad value for option ${q(k)}, or out of range (${min}-255).`);
    st.mode = k;
    st.v = v;
  },
  finish: (st, e) => {
    if (!st.mode) fail(e.tok, 'HL: You must specify an action');
    if (e.table !== 'mangle') fail(e.tok, `HL target: only valid in the mangle table, not ${e.table} (ip6tables: RULE_APPEND failed (Invalid argument))`);
    const v = st.v!;
    const f = st.mode === '--hl-set' ? () => v : st.mode === '--hl-inc' ? (h: number) => Math.min(255, h + v) : (h: number) => Math.max(0, h - v);
    return {
      text: e.text,
      eval: (x) => {
        const h = x.p.ip6h!;
        const old = h.hopLimit;
        const nv = f(old);
        // the hop limit is byte 7 of the IPv6 header
        x.p.skb.w()[x.p.skb.network_header + 7] = nv;
        h.hopLimit = nv;
        x.net.step(x.p.skb, 'L3', 'hl_tg6', 'net/netfilter/xt_HL.c', nv === old ? `${e.text}: the hop limit is already ${old}, nothing to change.` : `${e.text}: the hop limit goes from ${old} to ${nv}.`, ruleHook(x));
        return true;
      },
    };
  },
  save: (st) => [st.mode!, String(st.v)],
};
