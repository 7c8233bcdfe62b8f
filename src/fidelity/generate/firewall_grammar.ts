// Feature `nf-grammar` (issue 15, session 12; on for every seed but CI's): the rest of the rule
// grammar the model reads and models that no other feature draws (scripts/generator-coverage.js
// lists what each feature draws), so that each construct is checked against the kernel on
// scenarios nobody chose. nft: user chains with jump/goto/return, `ip protocol|ttl`, `tcp ackseq|
// urgptr`, `th dport`, `icmp sequence`, raw payloads, `ct l3proto|zone`, `iif|oif "lo"`,
// `iifgroup|oifgroup`, `meta pkttype|length|priority|nfproto|nftrace|ipsec`, `delete @set`,
// `log level|group`, byte rates, named counters and quotas, NAT address ranges with
// `persistent`, comments; iptables: user chains, `--icmp-type`, `-f`, multiport, mark, connmark,
// comment, ttl, length, pkttype, ecn, tcpmss, policy, NFQUEUE (no listener), and the mangle
// targets ECN, CLASSIFY, TCPOPTSTRIP, TRACE in raw.
// Left out, as they cannot be checked here: `ip id` and `tcp sequence` (the kernel draws them from
// a random key or clock), `tcp|ip checksum` of local packets (CHECKSUM_PARTIAL at the hooks),
// `icmp id` (the ping socket's port), header matches of protocols the traffic never carries
// (sctp, dccp, udplite, esp, ah, comp, igmp; iptables -m sctp|dccp|esp|ah), `-m mac` and `-m
// realm`, `-m helper`, `-m ipvs` (no MACs fixed across the runs, no realms, helpers or IPVS),
// and nft's `queue` (the kernel of the runs has no nft_queue; iptables' NFQUEUE is drawn).
// The draws come from a stream of their own, seeded by the host's lines before `nf-rules`', and
// are appended after every other feature's lines (nf-conn's too), so a scenario with the feature
// is the one without it plus these lines.
import type { Ctx, Iface } from './context';
import { Rng } from './rng';
import type { GenHost } from './scenario';
import { PORTS } from './firewall';

type Hook = 'input' | 'forward' | 'output' | 'prerouting' | 'postrouting';

/** One match of the grammar's rarer keys, for a chain on `hook` of an `ip` or `inet` table. */
function nftMatch(rng: Rng, hook: Hook, inet: boolean): string {
  const p = rng.pick(['udp', 'tcp'] as const);
  const inOk = hook === 'input' || hook === 'prerouting' || hook === 'forward';
  const outOk = hook === 'output' || hook === 'postrouting' || hook === 'forward';
  const choices = [
    'protocol',
    'ttl',
    'ackseq',
    'urgptr',
    'th',
    'icmpseq',
    'raw',
    'l3proto',
    'zone',
    'group',
    'pkttype',
    'length',
    'priority',
    'nftrace',
    // (meta ipsec only where the kernel reads it: prerouting, input, forward)
    ...(inOk ? ['ipsec'] : []),
    ...(inOk || outOk ? ['lo'] : []),
    ...(inet ? ['nfproto'] : []),
  ] as const;
  switch (rng.pick(choices)) {
    case 'protocol':
      return `ip protocol ${rng.pick(['udp', 'tcp', 'icmp', '{ udp, icmp }', '!= tcp'])}`;
    case 'ttl':
      return `ip ttl ${rng.pick(['64', '< 64', '!= 64', '1-63', '255'])}`;
    case 'ackseq':
      return `tcp ackseq ${rng.pick(['0', '!= 0'])}`;
    case 'urgptr':
      return `tcp urgptr ${rng.pick(['0', '!= 0'])}`;
    case 'th':
      return `meta l4proto { tcp, udp } th ${rng.pick(['sport', 'dport'])} ${rng.pick([...PORTS[p], '1024-65535'])}`;
    case 'icmpseq':
      return `icmp type echo-request icmp sequence ${rng.pick(['1', '2-3', '!= 1'])}`;
    case 'raw':
      // the TTL (network header byte 8), or the destination port of the transport header
      return rng.chance(0.5) ? `@nh,64,8 ${rng.pick(['64', '< 64'])}` : `meta l4proto ${p} @th,16,16 ${rng.pick(PORTS[p])}`;
    case 'l3proto':
      return `ct l3proto ${rng.pick(['ipv4', 'ipv6'])}`;
    case 'zone':
      return `ct zone ${rng.pick([0, 1])}`;
    case 'group':
      return `${inOk && (!outOk || rng.chance(0.5)) ? 'iifgroup' : outOk ? 'oifgroup' : 'iifgroup'} ${rng.pick(['0', 'default', '1'])}`;
    case 'pkttype':
      return `meta pkttype ${rng.pick(['host', 'broadcast', 'multicast', '!= host'])}`;
    case 'length':
      return `meta length ${rng.pick(['> 100', '< 100', '28-84'])}`;
    case 'priority':
      return `meta priority ${rng.pick(['none', '0:0', '!= 0:0', '0:6'])}`;
    case 'nftrace':
      // (a statement: reading nftrace is refused by the kernel). Only 1: the harness watches the
      // kernel through nftrace (its own chain sets it first at every hook), and a 0 would hide
      // the hook's later chains from it (seed 990138/6)
      return `meta nftrace set ${rng.pick([1, 1])}`;
    case 'ipsec':
      return `meta ipsec ${rng.pick(['missing', 'exists'])}`;
    case 'lo':
      return inOk && (!outOk || rng.chance(0.5)) ? `iif ${rng.chance(0.2) ? '!= ' : ''}"lo"` : `oif ${rng.chance(0.2) ? '!= ' : ''}"lo"`;
    default:
      return `meta nfproto ${rng.pick(['ipv4', 'ipv6'])}`;
  }
}

function nft(rng: Rng, h: GenHost, ifs: Iface[]): void {
  const hook: Hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting'] as const);
  const filtering = hook === 'input' || hook === 'forward' || hook === 'output';
  const inet = rng.chance(0.4);
  const fam = inet ? 'inet' : 'ip';
  const add = (r: string): number => h.lines.push(`nft add rule ${fam} g c ${r}`);
  h.lines.push(`nft add table ${fam} g`);
  h.lines.push(`nft add chain ${fam} g c '{ type filter hook ${hook} priority ${rng.pick([-3, 3])}; policy accept; }'`);
  const verdict = (): string => rng.pick(['counter accept', 'counter drop', 'counter', 'continue']);
  // (nft's `queue` is not drawn: the kernel of the runs is built without nft_queue, CONFIG_NFT_QUEUE)
  switch (rng.weighted([[4, 'match'], [3, 'chains'], [2, 'objects'], [1, 'delete'], [1, 'log'], [1, 'bytes']] as const)) {
    case 'match':
      add(`${nftMatch(rng, hook, inet)} ${rng.chance(0.3) ? `${nftMatch(rng, hook, inet)} ` : ''}${verdict()}${rng.chance(0.2) ? ' comment "g"' : ''}`);
      break;
    case 'chains': {
      // a user chain reached by jump (back with return or at its end) or goto (never back)
      h.lines.push(`nft add chain ${fam} g sub`);
      const how = rng.pick(['jump', 'goto']);
      add(`${nftMatch(rng, hook, inet)} ${how} sub`);
      h.lines.push(`nft add rule ${fam} g sub ${nftMatch(rng, hook, inet)} ${rng.pick(['return', 'counter drop', 'counter accept'])}`);
      if (rng.chance(0.5)) h.lines.push(`nft add rule ${fam} g sub meta mark set 0x${rng.pick([1, 4])}`);
      add(`meta mark ${rng.pick(['0x1', '0x4', '0x0'])} ${verdict()}`);
      break;
    }
    case 'objects': {
      const q = rng.chance(0.5);
      h.lines.push(q ? `nft add quota ${fam} g q1 '{ ${rng.chance(0.5) ? 'over ' : ''}${rng.pick([200, 1500])} bytes }'` : `nft add counter ${fam} g c1`);
      add(`${nftMatch(rng, hook, inet)} ${q ? 'quota name "q1"' : 'counter name "c1"'} ${rng.pick(['drop', 'accept', 'continue'])}`);
      break;
    }
    case 'delete': {
      h.lines.push(`nft add set ${fam} g d '{ type ipv4_addr; flags dynamic; }'`);
      add(`${inet ? 'meta nfproto ipv4 ' : ''}add @d { ip saddr } counter`);
      add(`${rng.pick(['icmp type echo-request ', 'meta l4proto udp ', ''])}delete @d { ip saddr } counter`);
      add(`ip saddr @d counter ${rng.pick(['drop', 'accept'])}`);
      break;
    }
    case 'log':
      // a level (a kernel log line), or an nflog group nobody listens on
      add(`${nftMatch(rng, hook, inet)} log ${rng.chance(0.5) ? `level ${rng.pick(['info', 'debug', 'emerg'])}` : `group ${rng.pick([0, 3])}${rng.chance(0.5) ? ' snaplen 64' : ''}`}${rng.chance(0.5) ? ' prefix "g "' : ''} ${verdict()}`);
      break;
    default:
      add(`limit rate ${rng.chance(0.5) ? 'over ' : ''}${rng.pick([1, 2])} kbytes/second ${rng.chance(0.5) ? `burst ${rng.pick([1500, 3000])} bytes ` : ''}counter ${rng.pick(['drop', 'accept'])}`);
  }
  if (filtering && rng.chance(0.2)) add(`${rng.chance(0.5) ? 'counter ' : ''}reject with ${inet ? rng.pick(['icmpx host-unreachable', 'icmp admin-prohibited', 'tcp reset']) : rng.pick(['icmp admin-prohibited', 'tcp reset'])}`);
  // an address range to snat to, with the host's own address in it, `persistent` or not
  if (ifs.length && rng.chance(0.2)) {
    const f = rng.pick(ifs);
    const [a, b, c, d] = f.addr.split('.').map(Number);
    const lo = `${a}.${b}.${c}.${Math.max(1, d - 1)}`;
    const hi = `${a}.${b}.${c}.${Math.min(254, d + 1)}`;
    h.lines.push("nft add table ip gnat");
    h.lines.push("nft add chain ip gnat post '{ type nat hook postrouting priority srcnat; policy accept; }'");
    h.lines.push(`nft add rule ip gnat post oifname "${f.ifname}" meta l4proto udp counter snat to ${lo}-${hi}${rng.chance(0.5) ? ' persistent' : ''}`);
  }
}

function iptablesMatch(rng: Rng, chain: string): string {
  const p = rng.pick(['udp', 'tcp'] as const);
  const choices = ['icmp', 'frag', 'multiport', 'mark', 'connmark', 'comment', 'ttl', 'length', 'pkttype', 'ecn', 'tcpmss', 'policy'] as const;
  switch (rng.pick(choices)) {
    case 'icmp':
      return `-p icmp --icmp-type ${rng.pick(['echo-request', 'echo-reply', 'destination-unreachable', 'port-unreachable', '8/0'])}`;
    case 'frag':
      return `${rng.chance(0.3) ? '! ' : ''}-f`;
    case 'multiport':
      return `-p ${p} -m multiport --${rng.pick(['dports', 'sports', 'ports'])} ${PORTS[p].join(',')}`;
    case 'mark':
      return `-m mark ${rng.chance(0.2) ? '! ' : ''}--mark ${rng.pick(['0x1', '0x0', '0x1/0x1'])}`;
    case 'connmark':
      return `-m connmark --mark ${rng.pick(['0x1', '0x0'])}`;
    case 'comment':
      return `-p ${p} --dport ${rng.pick(PORTS[p])} -m comment --comment "g rule"`;
    case 'ttl':
      return `-m ttl --ttl-${rng.pick(['eq', 'lt', 'gt'])} ${rng.pick([1, 63, 64])}`;
    case 'length':
      return `-m length --length ${rng.pick(['100:', ':100', '28:84'])}`;
    case 'pkttype':
      return `-m pkttype --pkt-type ${rng.pick(['unicast', 'broadcast', 'multicast'])}`;
    case 'ecn':
      return rng.chance(0.5) ? `-m ecn --ecn-ip-ect ${rng.pick([0, 1, 2])}` : `-p tcp -m ecn ${rng.pick(['--ecn-tcp-cwr', '--ecn-tcp-ece', '! --ecn-tcp-ece'])}`;
    case 'tcpmss':
      return `-p tcp -m tcpmss --mss ${rng.pick(['1000:1500', '536', '1460'])}`;
    default:
      return `-m policy --dir ${chain === 'OUTPUT' ? 'out' : 'in'} --pol ${rng.pick(['none', 'ipsec'])}`;
  }
}

function iptables(rng: Rng, h: GenHost): void {
  const chain = rng.pick(['INPUT', 'FORWARD', 'OUTPUT']);
  switch (rng.weighted([[4, 'match'], [3, 'chain'], [1, 'queue'], [2, 'mangle']] as const)) {
    case 'match':
      h.lines.push(`iptables -I ${chain} 1 ${iptablesMatch(rng, chain)} -j ${rng.pick(['ACCEPT', 'DROP', 'RETURN'])}`);
      break;
    case 'chain':
      h.lines.push('iptables -N g');
      h.lines.push(`iptables -A g ${iptablesMatch(rng, chain)} -j ${rng.pick(['RETURN', 'DROP', 'ACCEPT'])}`);
      if (rng.chance(0.5)) h.lines.push(`iptables -A g -j MARK --set-mark 0x${rng.pick([1, 4])}`);
      h.lines.push(`iptables -I ${chain} 1 ${rng.chance(0.5) ? `-p ${rng.pick(['udp', 'tcp', 'icmp'])} ` : ''}-${rng.pick(['j', 'g'])} g`);
      break;
    case 'queue':
      h.lines.push(`iptables -I ${chain} 1 ${iptablesMatch(rng, chain)} -j NFQUEUE --queue-num ${rng.pick([0, 2])}${rng.chance(0.5) ? ' --queue-bypass' : ''}`);
      break;
    default: {
      const mchain = rng.pick(['PREROUTING', 'FORWARD', 'POSTROUTING', 'OUTPUT']);
      h.lines.push(
        rng.pick([
          `iptables -t mangle -A ${mchain} -p tcp -j ECN --ecn-tcp-remove`,
          `iptables -t mangle -A ${mchain === 'PREROUTING' ? 'POSTROUTING' : mchain} -j CLASSIFY --set-class 1:${rng.pick([1, 6])}`,
          `iptables -t mangle -A ${mchain} -p tcp -j TCPOPTSTRIP --strip-options ${rng.pick(['timestamp', 'sack-permitted', 'timestamp,sack-permitted', 'wscale'])}`,
          `iptables -t raw -A ${rng.pick(['PREROUTING', 'OUTPUT'])} -p ${rng.pick(['udp', 'icmp'])} -j TRACE`,
        ]),
      );
    }
  }
}

/** Some of the hosts that got a ruleset get a few rules of the rest of the grammar, in the language it uses. */
export function firewallGrammar(ctx: Ctx, h: GenHost, before: readonly string[]): void {
  const rng = Rng.fromText(`nf-grammar\n${h.name}\n${before.join('\n')}`);
  if (!rng.chance(0.6)) return;
  const usesIpt = before.some((l) => l.startsWith('iptables '));
  if (usesIpt && ctx.has('iptables')) iptables(rng, h);
  else if (ctx.has('nft')) nft(rng, h, ctx.ifaces.filter((f) => f.host === h.name));
}
