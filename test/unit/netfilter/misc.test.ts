import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runIptables } from '../../../src/scenario/netfilter/iptables';
import { listRule } from '../../../src/scenario/netfilter/nft_list';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import type { Tok } from '../../../src/scenario/types';
import { nfEvents, run, runExample } from './helpers';

function words(line: string): Tok[] {
  const out: Tok[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push({ text: m[0], pos: { file: 'l', line: 1, col: m.index + 1 } });
  return out;
}

describe('netfilter: more of the languages and the engine', () => {
  it('nftrace: later chains add the lines nft monitor trace prints', () => {
    const t = runExample('nf-nftrace.yaml');
    const lines = t.events.filter((e) => e.host === 'b').flatMap((e) => [...e.what.matchAll(/«([^»]*)»/g)].map((m) => m[1].replace(/trace id \w+ /, '')));
    assert.deepStrictEqual(
      lines.map((l) => l.replace(/ packet: .*/, ' packet:')),
      ['ip filter pre packet:', 'ip filter pre rule meta nftrace set 1 (verdict continue)', 'ip filter pre policy accept', 'ip filter input packet:', 'ip filter input rule icmp type echo-request counter accept (verdict accept)'],
    );
    assert.match(lines[0], /packet: iif "eth0" ip saddr 10\.9\.0\.1 ip daddr 10\.9\.0\.2 ip ttl 64 .*icmp type echo-request/);
  });

  it('conntrack defrag at -400 reassembles before the chains; the rule sees the whole datagram', () => {
    const t = runExample('nf-conntrack-defrag.yaml');
    const rule = t.events.find((e) => e.host === 'router' && e.fn === 'nft_do_chain' && e.hook!.ruleIndex === 1)!;
    assert.strictEqual(rule.hook!.verdict, 'NF_ACCEPT');
    assert.strictEqual(rule.skb!.len, 3000);
    const whole = t.packets.find((p) => p.id === rule.packet)!;
    assert.strictEqual(whole.fate.fn, 'ip_do_fragment');
    assert.strictEqual(t.counters.router.IpReasmOKs, 1);
    assert.ok(t.packets.some((p) => p.fate.kind === 'delivered' && p.fate.host === 'server'));
    const stolen = t.events.filter((e) => e.host === 'router' && e.fn === 'nf_hook_slow' && e.hook?.verdict === 'NF_STOLEN');
    assert.strictEqual(stolen.length, 2, 'the first two fragments are held by defrag');
  });

  it('an iptables-save dump: DNAT, a user chain with LOG and DROP, counters from the dump', () => {
    const t = runExample('nf-iptables-restore.yaml');
    assert.ok(t.packets.some((p) => p.fate.detail === 'connection established'));
    const udp = t.packets.find((p) => /UDP/.test(p.summary))!;
    assert.strictEqual(udp.fate.reason, 'SKB_DROP_REASON_NETFILTER_DROP');
    const ev = nfEvents(t, 'router', udp.id).filter((e) => e.fn === 'nft_do_chain').map((e) => `${e.hook!.chain}:${e.hook!.ruleIndex}:${e.hook!.verdict}`);
    // the nat chain runs for the first packet of this new connection, finds nothing, and a null binding follows
    assert.deepStrictEqual(ev, ['PREROUTING:1:NFT_BREAK', 'PREROUTING:undefined:NF_ACCEPT', 'FORWARD:1:NFT_BREAK', 'FORWARD:2:NFT_BREAK', 'FORWARD:3:NFT_JUMP', 'LOGDROP:1:NFT_CONTINUE', 'LOGDROP:2:NF_DROP']);
    const log = t.events.find((e) => e.packet === udp.id && e.fn === 'nf_log_ip_packet')!;
    assert.match(log.what, /"fw drop: IN=eth0 OUT=eth1 SRC=10\.0\.1\.2 DST=10\.0\.2\.2 /);
    const rule = t.events.find((e) => e.packet === udp.id && e.fn === 'nft_do_chain' && e.hook?.chain === 'LOGDROP' && e.hook.ruleIndex === 1)!;
    assert.deepStrictEqual([rule.hook!.rule, rule.hook!.ruleAt?.file, rule.hook!.ruleAt?.line], ['-A LOGDROP -j LOG --log-prefix "fw drop: "', 'examples/nf-rules/router.v4', 17]);
  });

  it('iptables -I, -D, -P, -N and the chains iptables-nft creates on first use', () => {
    const net = new World().addHost('h');
    runIptables(net, words('iptables -A INPUT -p udp --dport 53 -j ACCEPT'));
    runIptables(net, words('iptables -I INPUT -s 10.0.0.0/8 -j DROP'));
    runIptables(net, words('iptables -I INPUT 2 -p tcp -m multiport --dports 22,80:90 -j ACCEPT'));
    runIptables(net, words('iptables -P FORWARD DROP'));
    runIptables(net, words('iptables -t nat -N web'));
    const e = NfEngine.of(net);
    const f = e.table('ip', 'filter')!;
    assert.deepStrictEqual([...f.chains.keys()], ['INPUT', 'FORWARD']);
    // each rule's text is its iptables-save line (what the trace and the debugger show)
    assert.deepStrictEqual(f.chains.get('INPUT')!.rules.map((r) => r.text), ['-A INPUT -s 10.0.0.0/8 -j DROP', '-A INPUT -p tcp -m multiport --dports 22,80:90 -j ACCEPT', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT']);
    // -D SPEC finds the rule by meaning: a mask for a prefix, the implicit -m udp
    runIptables(net, words('iptables -D INPUT -s 10.0.0.0/255.0.0.0 -j DROP'));
    runIptables(net, words('iptables -D INPUT 1'));
    assert.deepStrictEqual(f.chains.get('INPUT')!.rules.map((r) => r.text), ['-A INPUT -p udp -m udp --dport 53 -j ACCEPT']);
    runIptables(net, words('iptables -D INPUT -p udp -m udp --dport 53 -j ACCEPT'));
    assert.deepStrictEqual(f.chains.get('INPUT')!.rules.length, 0);
    assert.strictEqual(f.chains.get('FORWARD')!.base!.policy, 'drop');
    assert.strictEqual(e.table('ip', 'nat')!.chains.get('web')!.base, null);
    assert.strictEqual(e.ctSeq, null, 'no rule needs conntrack');
    runIptables(net, words('iptables -A INPUT -m state --state ESTABLISHED -j ACCEPT'));
    assert.notStrictEqual(e.ctSeq, null, 'a state match loads conntrack');
  });

  it('nft insert, position, delete by handle, flush, and a dump with counters, defines and comments', () => {
    const net = new World().addHost('h');
    const nft = (s: string): void => runNft(net, fromFile(s, 'x.nft'));
    nft('define LAN = 10.0.1.0/24\ntable inet t {\n  chain c {\n    type filter hook input priority filter + 5; policy drop;\n    ip saddr $LAN counter packets 4 bytes 336 accept # from the LAN\n  }\n}\n');
    const e = NfEngine.of(net);
    const c = e.table('inet', 't')!.chains.get('c')!;
    assert.deepStrictEqual([c.base!.priority, c.base!.policy, c.rules[0].counter], [5, 'drop', { packets: 4, bytes: 336 }]);
    nft('insert rule inet t c tcp dport ssh accept');
    const h = c.rules[1].handle;
    nft(`add rule inet t c position ${h} udp dport { 53, 123 } accept`);
    // the rules as nft lists them: the service as its number, the define expanded, the counter's values with the listing
    assert.deepStrictEqual(c.rules.map((r) => r.text), ['tcp dport 22 accept', 'ip saddr 10.0.1.0/24 counter accept', 'udp dport { 53, 123 } accept']);
    assert.strictEqual(listRule(c.rules[1]), 'ip saddr 10.0.1.0/24 counter packets 4 bytes 336 accept');
    nft(`delete rule inet t c handle ${h}`);
    assert.strictEqual(c.rules.length, 2);
    nft('flush chain inet t c');
    assert.strictEqual(c.rules.length, 0);
    nft('flush ruleset');
    assert.strictEqual(e.tables.length, 0);
    assert.strictEqual(e.hasChains('NF_INET_LOCAL_IN'), false);
  });

  it('nft defines as nft evaluates them: a set over several lines, a define of a define, none of itself', () => {
    const net = new World().addHost('h');
    const nft = (s: string): void => runNft(net, fromFile(s, 'x.nft'));
    nft('define ONE = 10.0.0.1\ndefine LAN = {\n  $ONE,\n  10.0.2.0/24\n}\ndefine PORTS = { 22, 80 }\ntable inet t {\n  chain c {\n    type filter hook input priority 0; policy drop;\n    ip saddr $LAN tcp dport $PORTS accept\n  }\n}\n');
    const c = NfEngine.of(net).table('inet', 't')!.chains.get('c')!;
    assert.deepStrictEqual(c.rules.map((r) => r.text), ['ip saddr { 10.0.0.1, 10.0.2.0/24 } tcp dport { 22, 80 } accept']);
    // nft: "Error: unknown identifier 'b'" at the definition, which is evaluated where it stands
    assert.throws(() => nft('define a = $b\n'), /x\.nft:1:12: unknown variable "\$b" \(no define b before it\)/);
    assert.throws(() => nft('define a = { 10.0.0.1, $a }\n'), /x\.nft:1:24: unknown variable "\$a"/);
    assert.throws(() => nft('define a = { 10.0.0.1,\n'), /missing } at the end of its set/);
  });

  it('nft refuses what it would refuse: list, unknown families, a missing terminator in a chain block', () => {
    const net = new World().addHost('h');
    const err = (s: string): string => {
      try {
        runNft(net, fromFile(s, 'x.nft'));
      } catch (e) {
        const x = e as { pos: { line: number; col: number }; detail: string };
        return `${x.pos.line}:${x.pos.col} ${x.detail}`;
      }
      return 'no error';
    };
    assert.match(err('list ruleset'), /^1:1 .*only prints/);
    assert.match(err('add table bridge t'), /^1:11 .*family bridge is not modelled/);
    assert.match(err('table ip t { chain c { type filter hook prerouting priority raw } }'), /^1:65 .*expecting newline or semicolon/); // the column real nft 1.0 reports for this line
    assert.match(err('table ip t {\n chain c {\n  ip saddr 10.0.0.300 accept\n }\n}'), /^3:12 .*not an IPv4 address/);
  });

  it('a SYN on a connection this side reset re-creates it (NF_REPEAT inside nf_conntrack_in)', () => {
    const c = (rest: string): string => `  - into: router:eth0\n    send: tcp from 10.0.1.2:1000 to 10.0.2.2:80 ${rest}\n`;
    const s = (rest: string): string => `  - into: router:eth1\n    send: tcp from 10.0.2.2:80 to 10.0.1.2:1000 ${rest}\n`;
    const t = run(
      `name: t\nhosts:\n  router: |\n    sysctl -w net.ipv4.ip_forward=1\n    ip addr add 10.0.1.1/24 dev eth0\n    ip addr add 10.0.2.1/24 dev eth1\n    ip link set eth0 up\n    ip link set eth1 up\n    nft add table ip filter\n    nft add chain ip filter forward '{ type filter hook forward priority 0; }'\n    nft add rule ip filter forward ct state new counter\n  client: |\n    ip link set eth0 up\n  server: |\n    ip link set eth0 up\nlinks:\n  - client:eth0 router:eth0\n  - router:eth1 server:eth0\ntraffic:\n${c('flags S seq 1000')}${s('flags SA seq 5000 ack 1001')}${c('flags A seq 1001 ack 5001')}${c('flags R seq 1001')}${c('flags S seq 9000')}${c('flags A seq 9001 ack 1')}${c('flags SA seq 9001 ack 1')}`,
    );
    const tcp = new Set(t.packets.filter((p) => /TCP/.test(p.summary)).map((p) => p.id));
    const ct = t.events.filter((e) => e.host === 'router' && e.fn === 'nf_conntrack_in' && tcp.has(e.packet));
    // the handshake, then this side's in-window RST (CLOSE, last_dir/last_index RST): its next SYN
    // reopens (NF_REPEAT, #2); then A and SA from the same end while #2 is in SYN_SENT: invalid
    assert.deepStrictEqual(
      ct.map((e) => `${e.hook!.verdict} ${e.skb!.ct}`),
      ['NF_ACCEPT IP_CT_NEW', 'NF_ACCEPT IP_CT_ESTABLISHED_REPLY', 'NF_ACCEPT IP_CT_ESTABLISHED', 'NF_ACCEPT IP_CT_ESTABLISHED', 'NF_REPEAT null', 'NF_ACCEPT IP_CT_NEW', 'NF_ACCEPT null', 'NF_ACCEPT null'],
    );
    assert.match(ct[3].what, /TCP state CLOSE/);
    assert.match(ct[5].what, /connection #2/);
    assert.match(ct[6].what, /an ACK segment in the original direction of connection #2 in TCP state SYN_SENT is invalid/);
    assert.match(ct[7].what, /a SYN-ACK segment in the original direction of connection #2 in TCP state SYN_SENT is invalid/);
  });

  it('an in-window RST before any reply kills the entry, whichever end sends it', () => {
    const wire = (flags: string): string => `  - into: router:eth0\n    send: tcp from 10.0.1.2:1000 to 10.0.2.2:80 flags ${flags}\n`;
    const t = run(
      `name: t\nhosts:\n  router: |\n    sysctl -w net.ipv4.ip_forward=1\n    ip addr add 10.0.1.1/24 dev eth0\n    ip addr add 10.0.2.1/24 dev eth1\n    ip link set eth0 up\n    ip link set eth1 up\n    nft add table ip filter\n    nft add chain ip filter forward '{ type filter hook forward priority 0; }'\n    nft add rule ip filter forward ct state new counter\n  client: |\n    ip link set eth0 up\n  server: |\n    ip link set eth0 up\nlinks:\n  - client:eth0 router:eth0\n  - router:eth1 server:eth0\ntraffic:\n${wire('S')}${wire('R')}${wire('S')}`,
    );
    const tcp = new Set(t.packets.filter((p) => /TCP/.test(p.summary)).map((p) => p.id));
    const ct = t.events.filter((e) => e.host === 'router' && e.fn === 'nf_conntrack_in' && tcp.has(e.packet));
    assert.deepStrictEqual(ct.map((e) => `${e.hook!.verdict} ${e.skb!.ct}`), ['NF_ACCEPT IP_CT_NEW', 'NF_ACCEPT IP_CT_NEW', 'NF_ACCEPT IP_CT_NEW']);
    assert.match(ct[1].what, /kills connection #1/);
    assert.match(ct[2].what, /makes connection #2/);
  });
});
