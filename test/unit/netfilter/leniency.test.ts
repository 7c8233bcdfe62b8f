// Issue 15: what the real tools refuse is refused here, at its position and in the tools' words
// (each line checked with nft 1.0.6 `nft -c -f` and iptables-nft 1.8.9 in a network namespace),
// and the lines they accept are accepted. A line accepted and ignored would make a user believe
// the rule means something.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { NfEngine } from '../../../src/model/net/netfilter/engine';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { runIptables, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { ScenarioError } from '../../../src/scenario/types';
import { run, threeHosts } from './helpers';

/** One rule in a base chain of a table of `fam`; the rule is line 4, from column 3. */
function nftRule(fam: string, chain: string, rule: string): { col: number; msg: string } | null {
  const [t, hook] = chain.split(' ');
  const type = t === 'nat' ? `type nat hook ${hook} priority ${hook === 'prerouting' ? -100 : 100}` : `type filter hook ${hook} priority 0`;
  const text = `table ${fam} ${t} {\n chain ${hook} {\n  ${type};\n  ${rule}\n }\n}\n`;
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(text, 'r.nft'));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    assert.strictEqual(e.pos.line, 4, `${rule}: ${e.message}`);
    return { col: e.pos.col - 2, msg: e.detail };
  }
  return null;
}

function iptables(line: string): { col: number; msg: string } | null {
  const net = new World().addHost('h');
  const full = `iptables ${line}`;
  try {
    runIptables(net, splitFileLine(full, 'x', 1));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { col: e.pos.col - 'iptables '.length, msg: e.detail };
  }
  return null;
}

/** [family, table hook, rule, the word the error points at (null: accepted), message] */
const NFT: [string, string, string, string | null, string?][] = [
  ['ip', 'filter input', 'meta l4proto udp tcp dport 8080 counter continue', 'tcp dport', 'conflicting protocols specified: udp vs. tcp'],
  ['ip', 'filter input', 'meta l4proto tcp udp dport 53 drop', 'udp dport', 'conflicting protocols specified: tcp vs. udp'],
  ['ip', 'filter input', 'meta l4proto udp icmp type echo-request drop', 'icmp', 'conflicting protocols specified: udp vs. icmp'],
  ['ip', 'filter input', 'ip protocol udp tcp dport 80 drop', 'tcp', 'conflicting protocols specified: udp vs. tcp'],
  ['ip', 'filter input', 'udp dport 53 tcp dport 80 drop', 'tcp', 'conflicting protocols specified: udp vs. tcp'],
  ['ip', 'filter input', 'tcp flags syn udp dport 53 drop', 'udp', 'conflicting protocols specified: tcp vs. udp'],
  ['ip', 'filter input', 'meta l4proto { tcp, udp } tcp dport 80 drop', 'tcp dport', 'conflicting protocols specified: udp vs. tcp'],
  // every protocol the rule's matches named counts, not only the first (gen-990081-40; nft 1.0.6)
  ['ip', 'filter input', 'meta l4proto tcp meta l4proto udp tcp doff 10 drop', 'tcp doff', 'conflicting protocols specified: udp vs. tcp'],
  ['ip', 'filter input', 'meta l4proto udp meta l4proto tcp tcp dport 22 drop', 'tcp dport', 'conflicting protocols specified: udp vs. tcp'],
  ['ip', 'filter input', 'meta l4proto tcp ip protocol udp tcp dport 22 drop', 'tcp dport', 'conflicting protocols specified: udp vs. tcp'],
  ['ip', 'filter input', 'ip protocol tcp ip protocol udp udp dport 1 drop', 'udp dport', 'conflicting protocols specified: tcp vs. udp'],
  ['ip', 'filter input', 'meta l4proto != tcp tcp dport 22 drop', null],
  ['ip', 'filter input', 'meta l4proto tcp meta l4proto udp udp dport 5 drop', 'udp dport', 'conflicting protocols specified: tcp vs. udp'],
  ['ip', 'filter input', 'meta l4proto tcp tcp dport 80 drop', null],
  ['ip', 'filter input', 'meta l4proto { tcp, udp } th dport 80 drop', null],
  ['ip', 'filter input', 'meta l4proto != udp tcp dport 80 drop', null],
  ['ip', 'filter input', 'meta l4proto { tcp } tcp dport 80 drop', null],
  ['ip', 'filter input', 'tcp dport 80 meta l4proto udp drop', null],
  ['inet', 'nat prerouting', 'dnat to 1.2.3.4', 'dnat', 'ip or ip6 must be specified with address for inet tables.'],
  ['inet', 'nat postrouting', 'snat to 1.2.3.4', 'snat', 'ip or ip6 must be specified with address for inet tables.'],
  ['inet', 'nat prerouting', 'tcp dport 80 dnat to 1.2.3.4:80', 'dnat', 'ip or ip6 must be specified with address for inet tables.'],
  ['inet', 'nat prerouting', 'dnat ip to 1.2.3.4', null],
  ['inet', 'nat prerouting', 'ip daddr 1.1.1.1 dnat to 1.2.3.4', null],
  ['inet', 'nat prerouting', 'meta nfproto ipv4 dnat to 1.2.3.4', null],
  ['ip', 'nat prerouting', 'redirect to :1234', '1234', 'transport protocol mapping is only valid after transport protocol match'],
  ['ip', 'nat prerouting', 'th dport 80 redirect to :1234', '1234', 'transport protocol mapping is only valid after transport protocol match'],
  ['ip', 'nat prerouting', 'dnat to 1.2.3.4:80', '80', 'transport protocol mapping is only valid after transport protocol match'],
  ['ip', 'nat postrouting', 'masquerade to :1024-2000', '1024', 'transport protocol mapping is only valid after transport protocol match'],
  ['ip', 'nat prerouting', 'tcp dport 80 redirect to :1234', null],
  ['ip', 'nat prerouting', 'meta l4proto { tcp, udp } redirect to :1234', null],
  ['ip', 'nat prerouting', 'ip protocol tcp dnat to 1.2.3.4:80', null],
  ['ip', 'nat prerouting', 'redirect', null],
  ['ip', 'filter input', 'meta iifname ""', '""', 'Empty string is not allowed'],
  ['ip', 'filter input', 'oifname "" drop', '""', 'Empty string is not allowed'],
  ['ip', 'filter input', 'iifname "eth*" drop', null],
  ['ip', 'filter input', 'log level audit prefix "x"', 'log', "log level audit doesn't support any further options"],
  ['ip', 'filter input', 'log prefix "x" level audit', 'log', "log level audit doesn't support any further options"],
  ['ip', 'filter input', 'log level audit', 'log', 'log level audit (an audit record instead of a log line) is not modelled'],
  ['ip', 'filter input', 'log prefix "x" level warn', null],
  ['ip', 'filter input', 'log flags tcp sequence', 'flags', 'log flags are not modelled (the log line is modelled with the default flags)'],
  ['ip', 'filter input', 'udp dport 53 reject with tcp reset', 'reject', 'you cannot use tcp reset with this protocol'],
  ['ip', 'filter input', 'meta l4proto udp reject with tcp reset', 'reject', 'you cannot use tcp reset with this protocol'],
  ['ip', 'filter input', 'reject with tcp reset', null],
  ['ip', 'filter input', 'th dport 22 reject with tcp reset', null],
  ['ip', 'filter input', 'tcp dport 4-3 drop', '4-3', 'Range has zero or negative size'],
  ['ip', 'filter input', 'ip saddr 1.2.3.4-1.2.3.1 drop', '1.2.3.4-', 'Range has zero or negative size'],
  ['ip', 'filter input', 'tcp dport 4-4 drop', null],
  ['ip', 'nat prerouting', 'tcp dport 80 dnat to 1.2.3.4:80 random', 'random', 'nat flag random is not modelled (the kernel picks the port at random)'],
  ['ip', 'nat prerouting', 'tcp dport 80 dnat to 1.2.3.4:80 persistent', null],
  // nft 1.0.6 reads a list after `V /` (two or more elements joined by commas)
  ['ip', 'filter input', 'tcp flags rst / rst counter drop', 'counter', 'syntax error, unexpected "counter", expecting comma: the mask after / is a list of two or more flags (write `rst / rst,ack` or `& rst == rst`)'],
  ['ip', 'filter input', 'tcp flags syn / syn|ack drop', 'drop', 'syntax error, unexpected "drop", expecting comma: the mask after / is a list of two or more flags (write `rst / rst,ack` or `& rst == rst`)'],
  ['ip', 'filter input', 'tcp flags rst / rst,ack counter drop', null],
  ['ip', 'filter input', 'tcp flags syn / syn,ack|fin drop', null],
  ['ip', 'filter input', 'tcp flags != syn / syn,ack drop', null],
];

/** [line after `iptables`, the word the error points at (null: accepted), message] */
const IPT: [string, string | null, string?][] = [
  ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4 --to-destination 1.2.3.5', '--to-destination 1.2.3.5', 'DNAT: option "--to-destination" can only be used once.'],
  ['-A INPUT -j LOG --log-level bad', 'bad', 'log level "bad" unknown'],
  ['-A INPUT -j LOG --log-level warn', 'warn', 'log level "warn" unknown'],
  ['-A INPUT -j LOG --log-level warning', null],
  ['-A INPUT -j LOG --log-level 4', null],
  ['-A INPUT -j LOG --log-uid', '--log-uid', 'LOG --log-uid is not modelled (the log line is modelled with the default flags)'],
  ['-A INPUT -m ttl -j ACCEPT', 'ttl', "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt'"],
  ['-A INPUT -m mark -j ACCEPT', 'mark', 'mark: option "--mark" must be specified'],
  ['-A INPUT -m conntrack -j ACCEPT', 'conntrack', 'conntrack: At least one option is required'],
  ['-A INPUT -p tcp -m multiport -j ACCEPT', 'multiport', 'multiport expection an option'],
  ['-A INPUT -p icmp -m icmp -j ACCEPT', 'icmp', 'icmp: option "--icmp-type" must be specified'],
  ['-A INPUT -p tcp -m tcp -j ACCEPT', null],
  ['-A INPUT -p tcp --dport 4:3 -j ACCEPT', '4:3', 'invalid portrange (min > max)'],
  ['-A INPUT -p tcp -m multiport --dports 4:3 -j ACCEPT', '4:3', 'invalid portrange specified'],
  ['-A INPUT -p tcp --dport 1:2:3 -j ACCEPT', '1:2:3', 'invalid port/service "2:3" specified'],
  ['-A INPUT -p tcp --dport 4:4 -j ACCEPT', null],
  ['-A INPUT -p udp --dport 4:3 -j ACCEPT', null],
  ['-A INPUT ! -p 0 -j ACCEPT', '-p', 'rule would never match protocol'],
  ['-A INPUT ! -p all -j ACCEPT', '-p', 'rule would never match protocol'],
  ['-A INPUT -p 0 -j ACCEPT', null],
  ['-A INPUT -p tcp -p udp -j ACCEPT', '-p udp', 'multiple -p flags not allowed'],
  ['-A INPUT -p tcp --sport 1 --sport 2 -j ACCEPT', '--sport 2', "Only one `--source-port' allowed"],
  ['-A INPUT -m ttl --ttl-eq 5 --ttl-lt 3 -j ACCEPT', '--ttl-lt', 'ttl: option "--ttl-lt" cannot be used together with "--ttl-eq".'],
  ['-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4 --persistent', null],
  ['-A INPUT -m tcp -p tcp --dport 80 -j ACCEPT', null],
  ['-A INPUT -m tcp --dport 80 -p tcp -j ACCEPT', null],
  ['-A INPUT -m tcp -p udp -j ACCEPT', 'tcp', '-m tcp needs -p tcp in the rule (the kernel refuses it otherwise: RULE_APPEND failed (Invalid argument))'],
  ['-A INPUT -p tcp --sport=80 -j ACCEPT', null],
  ['-A INPUT --protocol=tcp -j ACCEPT', '--protocol=tcp', 'unknown protocol "--protocol=tcp" specified'],
  ['-A INPUT -ptcp -j ACCEPT', '-ptcp', 'unknown protocol "-ptcp" specified'],
  ['-A INPUT -p tcp --dport ssh -j ACCEPT', null],
  ['-A INPUT -p tcp --dport :ssh -j ACCEPT', null],
  ['-A INPUT -p tcp --dport constructor -j ACCEPT', 'constructor', 'invalid port/service "constructor" specified'],
  ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:1000-2000/1500', null],
  ['-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000-2000/1500', '/1500', 'a port range with a base (PORT-PORT/BASE) is only valid for DNAT'],
  ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.9', null],
  ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.9-1.2.3.4', '1.2.3.9-1.2.3.4', 'a reversed address range (1.2.3.9-1.2.3.4) is not modelled: give the lower address first'],
  ['-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:1000 --random-fully', '--random-fully', 'unknown option "--random-fully"'],
  ['-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4 --random-fully', '--random-fully', 'SNAT --random-fully is not modelled (the kernel picks the port at random)'],
  ['-t nat -A POSTROUTING -p tcp -j MASQUERADE --random', '--random', 'MASQUERADE --random is not modelled (the kernel picks the port at random)'],
  ['-t nat -A POSTROUTING -j MASQUERADE --to-ports 1000', '1000', 'Need TCP, UDP, SCTP or DCCP with port specification'],
  ['-A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT', null],
  ['-A INPUT -j AUDIT --type accept', 'AUDIT', 'target AUDIT is not modelled'],
  ['-A INPUT -j TOS --set-tos 0x10', 'TOS', 'TOS target: only valid in the mangle table, not filter (iptables: RULE_APPEND failed (Invalid argument))'],
  ['-A INPUT -p tcp ! -m tcp --dport 5 -j ACCEPT', '-m', 'unexpected ! flag before --match'],
];

describe('netfilter: nothing the real tools refuse is accepted (issue 15)', () => {
  for (const [fam, chain, rule, at, msg] of NFT) {
    it(`nft ${fam} ${chain}: ${rule} ${at === null ? 'is accepted' : `is refused at ${JSON.stringify(at)}`}`, () => {
      const r = nftRule(fam, chain, rule);
      if (at === null) return assert.strictEqual(r, null, r?.msg);
      assert.ok(r, 'accepted');
      assert.strictEqual(r.msg, msg);
      assert.strictEqual(r.col, rule.indexOf(at) + 1);
    });
  }

  for (const [line, at, msg] of IPT) {
    it(`iptables ${line} ${at === null ? 'is accepted' : `is refused at ${JSON.stringify(at)}`}`, () => {
      const r = iptables(line);
      if (at === null) return assert.strictEqual(r, null, r?.msg);
      assert.ok(r, 'accepted');
      assert.strictEqual(r.msg, msg);
      assert.strictEqual(r.col, line.lastIndexOf(at) + 1);
    });
  }

  it('reject with tcp reset alone gets the dependency nft adds: a UDP datagram does not match it', () => {
    const net = new World().addHost('h');
    runNft(net, fromFile('table ip f {\n chain input {\n  type filter hook input priority 0;\n  reject with tcp reset\n }\n}\n', 'r.nft'));
    const rule = NfEngine.of(net).table('ip', 'f')!.chains.get('input')!.rules[0];
    assert.deepStrictEqual(rule.exprs.map((e) => e.text), ['meta l4proto tcp', 'reject with tcp reset']);
    const t = run(threeHosts({ server: ['nft add table ip filter', "nft add chain ip filter input '{ type filter hook input priority 0; }'", 'nft add rule ip filter input reject with tcp reset'] }, 'traffic:\n  - from: client\n    send: udp to 10.0.2.2:7000\n'));
    assert.ok(!t.packets.some((p) => p.fate.fn === 'nft_do_chain'), 'no packet is dropped by the rule');
    assert.strictEqual(t.counters.server.IcmpOutDestUnreachs, 1, 'the datagram reaches UDP, which finds no socket');
  });

  it('a dotted mask with holes compares the masked bits, as iptables-nft does', () => {
    const drop = (mask: string): boolean => {
      const t = run(threeHosts({ router: [`iptables -A FORWARD -s ${mask} -j DROP`] }, 'traffic:\n  - from: client\n    send: udp to 10.0.2.2:7000\n'));
      return t.packets.some((p) => p.fate.fn === 'nft_do_chain');
    };
    assert.strictEqual(drop('10.7.1.2/255.0.255.255'), true, '10.0.1.2 and 10.7.1.2 agree where the mask has ones');
    assert.strictEqual(drop('10.0.0.2/255.255.0.255'), true);
    assert.strictEqual(drop('10.0.0.3/255.255.0.255'), false);
  });

  it('-m tcp before -p tcp: the port match uses the protocol given later', () => {
    const drop = (port: number): boolean => {
      const t = run(threeHosts({ router: ['iptables -A FORWARD -m tcp --dport 80 -p tcp -j DROP'] }, `traffic:\n  - from: client\n    send: tcp connect to 10.0.2.2:${port}\n`));
      return t.packets.some((p) => p.fate.fn === 'nft_do_chain');
    };
    assert.strictEqual(drop(80), true);
    assert.strictEqual(drop(81), false);
  });
  it('an nft keyword is not a name: chain fwd, table counter, set log, jump position are refused as nft 1.0.6 refuses them', () => {
    const refused = (text: string): string => {
      try {
        runNft(new World().addHost('h'), fromFile(text, 'k.nft'));
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        return `${e.pos.line}:${e.pos.col} ${e.detail}`;
      }
      return 'accepted';
    };
    assert.match(refused('table ip t {\n chain fwd {\n }\n}\n'), /^2:8 syntax error, unexpected fwd, expecting string/);
    assert.match(refused('table ip counter {\n}\n'), /^1:10 syntax error, unexpected counter/);
    assert.match(refused('table ip t {\n set log { type ipv4_addr; }\n}\n'), /^2:6 syntax error, unexpected log/);
    assert.match(refused('add table ip t\nadd chain ip t position\n'), /^2:16 syntax error, unexpected position/);
    assert.match(refused('table ip t {\n chain a {\n }\n chain b {\n  jump meta\n }\n}\n'), /^5:8 syntax error, unexpected meta/);
    // words that look like keywords but are not nft's: the usual names of tables and chains
    assert.strictEqual(refused('table ip filter {\n chain input {\n }\n chain forward {\n }\n chain lan {\n }\n chain state {\n }\n}\ntable ip nat {\n}\ntable ip raw {\n}\n'), 'accepted');
  });
});
