// Feature `nf-dyn` (issue 15, on for every seed, CI's too): the constructs whose results depend on
// what the ruleset saw before, so that each is checked against the kernel. nft: `numgen inc`
// (as a match and as a mark's value; `numgen random` cannot agree and is not drawn), `jhash …
// seed S` (symhash is keyed at random: not drawn), dynamic sets (`add @d { ip saddr }`, `update
// @e { ip saddr timeout 60s }`, a set of size 1 or 2 that fills up) matched by a later rule, and
// data maps (`meta mark set ip daddr map { … }`, `dnat to tcp dport map { … }`); iptables: TCPMSS
// (`--clamp-mss-to-pmtu`, `--set-mss`). A host that got a ruleset gets a table or rules of these
// besides, in the language it uses. The draws come from a side stream seeded by the host's lines
// before nf-rules' (Rng.fromText), so the rest of each scenario, and every scenario whose hosts draw
// nothing here, stays as drawn without the feature.
import type { Ctx } from './context';
import { Rng } from './rng';
import type { GenHost } from './scenario';
import { PORTS } from './firewall';

type Hook = 'input' | 'forward' | 'output' | 'prerouting' | 'postrouting';

/** One rule (or a rule and the later rule that reads what it left) for a filter chain. */
function nftRules(rng: Rng, addr: () => string): string[] {
  const p = rng.pick(['udp', 'tcp'] as const);
  const port = (): number => rng.pick(PORTS[p]);
  const verdict = (): string => rng.pick(['drop', 'accept', 'continue']);
  switch (rng.weighted([[3, 'numgen'], [2, 'numgen-mark'], [2, 'jhash'], [3, 'dynset'], [3, 'mark-map']] as const)) {
    case 'numgen':
      // every Nth packet the rule reaches: the expression's own counter (nft_ng_inc_eval)
      return [`${rng.chance(0.5) ? `meta l4proto ${p} ` : ''}numgen inc mod ${rng.pick([2, 3])} ${rng.chance(0.3) ? 'offset 1 1' : '0'} counter ${rng.pick(['drop', 'accept'])}`];
    case 'numgen-mark': {
      const key = rng.pick(['meta', 'ct'] as const);
      return [`${key} mark set numgen inc mod ${rng.pick([2, 3])}${rng.chance(0.3) ? ' offset 1' : ''}`, `${key} mark ${rng.pick([0, 1, 2])} counter ${verdict()}`];
    }
    case 'jhash':
      if (rng.chance(0.5)) return [`jhash ip ${rng.pick(['saddr', 'daddr'])}${rng.chance(0.5) ? ' . ip daddr' : ''} mod 2 seed ${rng.pick(['0x1', '0xdeadbeef', '0x7'])} ${rng.pick([0, 1])} counter ${rng.pick(['drop', 'accept'])}`];
      return [`meta mark set jhash ip saddr . ip daddr mod ${rng.pick([2, 4])} seed ${rng.pick(['0x0', '0x2a'])}`, `meta mark ${rng.pick([0, 1])} counter ${verdict()}`];
    case 'dynset': {
      const timed = rng.chance(0.4);
      const stmt = timed ? `update @e { ip saddr timeout 60s }` : `add @d { ip ${rng.pick(['saddr', 'daddr'])} }`;
      const cond = rng.pick([`meta l4proto ${p} `, 'ct state new ', '']);
      return [`${cond}${stmt} counter`, `ip ${timed ? 'saddr' : rng.pick(['saddr', 'daddr'])} ${rng.chance(0.2) ? '!= ' : ''}@${timed ? 'e' : 'd'} ${rng.chance(0.5) ? `${p} dport ${port()} ` : ''}counter ${rng.pick(['drop', 'accept'])}`];
    }
    default: {
      const [a, b] = [addr(), addr()];
      const elems = a === b ? `${a} : 0x1` : `${a} : 0x1, ${b} : 0x2`;
      return [`meta mark set ip ${rng.pick(['saddr', 'daddr'])} map { ${elems} } counter`, `meta mark ${rng.pick(['0x1', '0x2'])} counter ${verdict()}`];
    }
  }
}

function nft(ctx: Ctx, rng: Rng, h: GenHost): void {
  const addr = (): string => (ctx.ifaces.length ? rng.pick(ctx.ifaces).addr : '127.0.0.1');
  const hook: Hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting'] as const);
  const rules: string[] = [];
  const n = rng.int(1, 2);
  for (let i = 0; i < n; i++) rules.push(...nftRules(rng, addr));
  h.lines.push('nft add table ip dyn');
  // the sets a rule adds to: a small one that fills up (no element is added past `size`, NFT_BREAK),
  // made with flags dynamic (a set made by an earlier command without it gets a backend rules
  // cannot add to: EOPNOTSUPP), and one with timeouts (flags timeout, which a statement's timeout needs)
  if (rules.some((r) => r.includes('@d'))) h.lines.push(`nft add set ip dyn d '{ type ipv4_addr; flags dynamic; size ${rng.pick([1, 2, 8])}; }'`);
  if (rules.some((r) => r.includes('@e'))) h.lines.push(`nft add set ip dyn e '{ type ipv4_addr; flags timeout; }'`);
  h.lines.push(`nft add chain ip dyn c '{ type filter hook ${hook} priority ${rng.pick([-5, 5])}; policy accept; }'`);
  for (const r of rules) h.lines.push(`nft add rule ip dyn c ${r}`);
  const other = ctx.ifaces.filter((f) => f.host !== h.name);
  if (other.length && rng.chance(0.3)) {
    // DNAT with the address and port from a data map keyed by the port: nft_lookup into registers, then nft_nat
    const p = rng.pick(['udp', 'tcp'] as const);
    const [p1, p2] = [PORTS[p][0], PORTS[p][1]];
    const to = rng.pick(other).addr;
    h.lines.push("nft add chain ip dyn pre '{ type nat hook prerouting priority dstnat; policy accept; }'");
    h.lines.push(`nft add rule ip dyn pre ${p} dport { ${p1}, ${p2} } counter dnat to ${p} dport map { ${p1} : ${to} . ${rng.pick(PORTS[p])}${rng.chance(0.5) ? `, ${p2} : ${rng.pick(other).addr} . ${p2}` : ''} }`);
  }
}

function iptables(rng: Rng, h: GenHost): void {
  const chain = rng.pick(['FORWARD', 'POSTROUTING', 'OUTPUT']);
  const syn = rng.chance(0.8) ? ' --tcp-flags SYN,RST SYN' : '';
  const how = rng.chance(0.5) ? '--clamp-mss-to-pmtu' : `--set-mss ${rng.pick([536, 1200, 1400])}`;
  h.lines.push(`iptables -t mangle -A ${chain} -p tcp${syn} -j TCPMSS ${how}`);
}

/** A host that got a ruleset sometimes gets rules of these besides, in the language it uses. */
export function firewallDyn(ctx: Ctx, h: GenHost, seedLines: readonly string[]): void {
  const rng = Rng.fromText(`nf-dyn\n${h.name}\n${seedLines.join('\n')}`);
  const usesIpt = seedLines.some((l) => l.startsWith('iptables '));
  if (usesIpt && ctx.has('iptables')) {
    if (rng.chance(0.25)) iptables(rng, h);
  } else if (ctx.has('nft') && rng.chance(0.35)) nft(ctx, rng, h);
}
