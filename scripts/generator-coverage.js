#!/usr/bin/env node
// node scripts/generator-coverage.js [--seeds A-B] [--per N] [--missing]: which of the rule
// constructs the parsers accept and model (issue 15) the fidelity generator ever draws. It
// generates scenarios (src/fidelity/generate, every feature on, no model run) and looks for each
// construct in the hosts' nft/iptables lines. The list below is of what the model reads and
// models (nft: src/scenario/netfilter/nft_rule.ts's keywords, nft_keys.ts, nft_match.ts, the
// header field table; iptables: iptables.ts and xt/); constructs the model refuses as "not
// modelled" are not in it. Bundles the generator with esbuild into a temporary file, as
// scripts/rule-suites.js does.
const esbuild = require('esbuild');
const fs = require('fs');
const os = require('os');
const path = require('path');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const [s0, s1] = arg('--seeds', '990001-990030').split('-').map(Number);
const per = Number(arg('--per', '50'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-gencov-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const entry = path.join(tmp, 'entry.ts');
const src = path.join(__dirname, '..', 'src');
fs.writeFileSync(entry, `export { generate, FEATURES } from ${JSON.stringify(path.join(src, 'fidelity/generate/index'))};\n`);
const out = path.join(tmp, 'gen.js');
esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
const G = require(out);

// [name, tool, pattern over one rule line]
const NFT = [
  ['ip saddr/daddr', /\bip [sd]addr\b/],
  ['ip protocol', /\bip protocol\b/],
  ['ip ttl', /\bip ttl\b/],
  ['ip length', /\bip length\b/],
  ['ip dscp', /\bip dscp\b/],
  ['ip ecn', /\bip ecn\b/],
  ['ip hdrlength', /\bip hdrlength\b/],
  ['ip version', /\bip version\b/],
  ['ip id', /\bip id\b/],
  ['ip frag-off', /\bip frag-off\b/],
  ['ip checksum', /\bip checksum\b/],
  ['tcp sport/dport', /\btcp [sd]port\b/],
  ['tcp flags', /\btcp flags\b/],
  ['tcp sequence', /\btcp sequence\b/],
  ['tcp ackseq', /\btcp ackseq\b/],
  ['tcp window', /\btcp window\b/],
  ['tcp doff', /\btcp doff\b/],
  ['tcp checksum', /\btcp checksum\b/],
  ['tcp urgptr', /\btcp urgptr\b/],
  ['tcp option', /\btcp option\b/],
  ['udp sport/dport', /\budp [sd]port\b/],
  ['udp length/checksum', /\budp (length|checksum)\b/],
  ['th sport/dport', /\bth [sd]port\b/],
  ['icmp type', /\bicmp type\b/],
  ['icmp code', /\bicmp code\b/],
  ['icmp id', /\bicmp id\b/],
  ['icmp sequence', /\bicmp sequence\b/],
  ['icmpv6 type/code', /\bicmpv6 (type|code)\b/],
  ['ip6 header fields', /\bip6 (saddr|daddr|nexthdr|hoplimit|flowlabel|dscp|length)\b/],
  ['sctp/dccp/udplite/esp/ah/comp/igmp', /\b(sctp|dccp|udplite|esp|ah|comp|igmp) [a-z]/],
  ['raw payload @nh/@th', /@(nh|th),/],
  ['ct state', /\bct state\b/],
  ['ct status', /\bct status\b/],
  ['ct direction', /\bct direction\b/],
  ['ct mark (match)', /\bct mark (?!set)/],
  ['ct mark set', /\bct mark set\b/],
  ['ct original/reply addresses', /\bct (original|reply) (ip )?[sd]addr\b/],
  ['ct proto-src/proto-dst', /\bct (original |reply )?proto-(src|dst)\b/],
  ['ct protocol', /\bct protocol\b/],
  ['ct l3proto', /\bct l3proto\b/],
  ['ct bytes/packets/avgpkt', /\bct (original |reply )?(bytes|packets|avgpkt)\b/],
  ['ct zone (match)', /\bct zone\b/],
  ['ct count', /\bct count\b/],
  ['meta mark (match)', /\b(meta )?mark (?!set)[^@]/],
  ['meta mark set', /\bmeta mark set\b/],
  ['iif/oif', /\b(iif|oif) /],
  ['iifname/oifname', /\b(iifname|oifname) /],
  ['iiftype/oiftype', /\b(iiftype|oiftype)\b/],
  ['iifgroup/oifgroup', /\b(iifgroup|oifgroup)\b/],
  ['meta skuid/skgid', /\b(skuid|skgid)\b/],
  ['meta priority', /\bmeta priority\b/],
  ['meta pkttype', /\bpkttype\b/],
  ['meta l4proto', /\bmeta l4proto\b/],
  ['meta protocol', /\bmeta protocol\b/],
  ['meta nfproto', /\bmeta nfproto\b/],
  ['meta length', /\bmeta length\b/],
  ['meta nftrace', /\bnftrace\b/],
  ['meta ipsec/secpath', /\bmeta (ipsec|secpath)\b/],
  ['bitwise & | ^', /\s(&|\||\^|and|or|xor)\s/],
  ['shifts << >>', /(<<|>>)/],
  ['anonymous set', /\{ [^:}]+(, [^:}]+)+ \}/],
  ['concatenation', / \. /],
  ['named set @s', /@[a-z]\w*/],
  ['interval set (ranges)', /\b\d+\.\d+\.\d+\.\d+-\d+\.\d+\.\d+\.\d+|\b\d+-\d+\b/],
  ['verdict map (vmap)', /\bvmap\b/],
  ['data map (map { k : v })', /\bmap \{/],
  ['numgen', /\bnumgen\b/],
  ['jhash', /\bjhash\b/],
  ['add/update @set', /\b(add|update) @/],
  ['delete @set', /\bdelete @/],
  ['set timeout / element timeout', /\btimeout\b/],
  ['accept/drop', /\b(accept|drop)$/],
  ['continue', /\bcontinue\b/],
  ['return', /\breturn\b/],
  ['jump/goto', /\b(jump|goto) /],
  ['queue', /\bqueue\b/],
  ['reject (icmp)', /\breject( with icmp)?\b/],
  ['reject with tcp reset', /\breject with tcp reset\b/],
  ['reject with icmpx', /\breject with icmpx\b/],
  ['reject with icmpv6', /\breject with icmpv6\b/],
  ['counter', /\bcounter\b/],
  ['log', /\blog\b/],
  ['log level', /\blog .*level\b/],
  ['log group (nflog)', /\blog .*group\b/],
  ['notrack', /\bnotrack\b/],
  ['limit rate (packets)', /\blimit rate (over )?\d+\/\w+/],
  ['limit rate bytes', /\blimit rate (over )?\d+ [km]?bytes/],
  ['quota', /\bquota\b/],
  ['named counter/quota/limit objects', /\b(counter|quota|limit) name\b/],
  ['snat', /\bsnat\b/],
  ['dnat', /\bdnat\b/],
  ['masquerade', /\bmasquerade\b/],
  ['redirect', /\bredirect\b/],
  ['NAT port range', /:(\d+)-(\d+)/],
  ['NAT address range/prefix', /\b(snat|dnat) (ip )?to \d+\.\d+\.\d+\.\d+(-|\/)/],
  ['NAT persistent', /\bpersistent\b/],
  ['comment', /\bcomment\b/],
];
const IPT = [
  ['-p', /\s-p /],
  ['-s/-d', /\s-[sd] /],
  ['-i/-o', /\s-[io] /],
  ['! negation', /\s! /],
  ['--sport/--dport', /--[sd]port\b/],
  ['--tcp-flags/--syn', /--tcp-flags|--syn/],
  ['--icmp-type', /--icmp-type/],
  ['-f', /\s-f\b/],
  ['-m multiport', /-m multiport/],
  ['-m mark', /-m mark/],
  ['-m connmark', /-m connmark/],
  ['-m comment', /-m comment/],
  ['-m ttl', /-m ttl/],
  ['-m length', /-m length/],
  ['-m pkttype', /-m pkttype/],
  ['-m conntrack --ctstate', /--ctstate/],
  ['-m conntrack --ctstatus', /--ctstatus/],
  ['-m conntrack --ctdir', /--ctdir/],
  ['-m conntrack --ctorig/--ctrepl', /--ctorig|--ctrepl/],
  ['-m conntrack --ctproto', /--ctproto/],
  ['-m state', /-m state/],
  ['-m tos', /-m tos/],
  ['-m dscp', /-m dscp/],
  ['-m ecn', /-m ecn/],
  ['-m iprange', /-m iprange/],
  ['-m esp/ah/ipcomp', /-m (esp|ah|ipcomp)\b/],
  ['-m sctp', /-m sctp/],
  ['-m dccp', /-m dccp/],
  ['-m tcpmss', /-m tcpmss/],
  ['-m owner', /-m owner/],
  ['-m addrtype', /-m addrtype/],
  ['-m limit', /-m limit/],
  ['-m quota', /-m quota/],
  ['-m statistic', /-m statistic/],
  ['-m hashlimit', /-m hashlimit/],
  ['-m connbytes', /-m connbytes/],
  ['-m connlimit', /-m connlimit/],
  ['-m string', /-m string/],
  ['-m mac', /-m mac/],
  ['-m helper', /-m helper/],
  ['-m realm', /-m realm/],
  ['-m recent', /-m recent/],
  ['-m policy', /-m policy/],
  ['-m ipvs', /-m ipvs/],
  ['-j ACCEPT/DROP', /-j (ACCEPT|DROP)\b/],
  ['-j RETURN', /-j RETURN/],
  ['-j REJECT', /-j REJECT/],
  ['-j LOG', /-j LOG/],
  ['-j NFLOG', /-j NFLOG/],
  ['-j MARK', /-j MARK/],
  ['-j CONNMARK', /-j CONNMARK/],
  ['-j SNAT', /-j SNAT/],
  ['-j DNAT', /-j DNAT/],
  ['-j MASQUERADE', /-j MASQUERADE/],
  ['-j REDIRECT', /-j REDIRECT/],
  ['-j NETMAP', /-j NETMAP/],
  ['-j NOTRACK / CT --notrack', /-j (NOTRACK|CT)/],
  ['-j NFQUEUE/QUEUE', /-j N?F?QUEUE/],
  ['-j TTL', /-j TTL/],
  ['-j TOS', /-j TOS/],
  ['-j DSCP', /-j DSCP/],
  ['-j ECN', /-j ECN/],
  ['-j CLASSIFY', /-j CLASSIFY/],
  ['-j TCPOPTSTRIP', /-j TCPOPTSTRIP/],
  ['-j TCPMSS', /-j TCPMSS/],
  ['-j TRACE', /-j TRACE/],
  ['user chains (-N, -j CHAIN)', /\s-N /],
  ['-P policy', /\s-P /],
  ['-I insert', /\s-I /],
];

const hits = new Map([...NFT, ...IPT].map(([n]) => [n, 0]));
let scenarios = 0;
const include = Object.keys(G.FEATURES);
for (let seed = s0; seed <= s1; seed++) {
  for (let i = 0; i < per; i++) {
    const sc = G.generate(seed, i, { include, exclude: [] });
    scenarios++;
    for (const h of sc.hosts) {
      for (const l of h.lines) {
        const nftRule = /^nft add rule /.test(l) ? l.replace(/^nft add rule \S+ \S+ \S+ /, '') : /^nft add (set|map) /.test(l) ? l : null;
        const ipt = /^ip6?tables /.test(l) ? l : null;
        if (nftRule !== null) for (const [n, re] of NFT) if (re.test(nftRule)) hits.set(n, hits.get(n) + 1);
        if (ipt !== null) for (const [n, re] of IPT) if (re.test(ipt)) hits.set(n, hits.get(n) + 1);
      }
    }
  }
}
const show = (list, tool) => {
  const never = list.filter(([n]) => !hits.get(n));
  console.log(`${tool}: ${list.length - never.length} of ${list.length} constructs drawn in ${scenarios} scenarios (seeds ${s0}-${s1}, ${per} each, every feature)`);
  if (process.argv.includes('--missing')) for (const [n] of never) console.log(`  never: ${n}`);
  else for (const [n] of list) console.log(`  ${String(hits.get(n)).padStart(6)}  ${n}`);
};
show(NFT, 'nft');
show(IPT, 'iptables');
