// Properties for fuzzing with fast-check, shared by the short run in `npm test`
// (fuzz.test.ts) and the long one (`npm run fuzz`, test/fuzz/long.ts). Every input is a stranger's:
//   - the parser and the runner end with a Trace or with the project's own errors, each of which
//     names a file, line and column; any other exception is a defect;
//   - the run's budget bounds time and heap per input (small budgets here, so that no input can
//     take long: the bound is enforced by the budget, not measured);
//   - the codecs read any bytes and write back what they read.
import * as fc from 'fast-check';
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { ScenarioError, ScenarioErrors } from '../../../src/scenario/types';
import type { Trace } from '../../../src/trace/contract';
import { readEth, writeEth, ETH_HLEN } from '../../../src/model/proto/ethernet';
import { readArp, writeArp, ARP_HLEN } from '../../../src/model/proto/arp';
import { readIp, writeIp } from '../../../src/model/proto/ipv4';
import { readIcmp, writeIcmp, icmpOk } from '../../../src/model/proto/icmp';
import { readUdp, writeUdp } from '../../../src/model/proto/udp';
import { readTcp, writeTcp } from '../../../src/model/proto/tcp';
import { l4Csum } from '../../../src/model/proto/checksum';
import { describeFrame } from '../../../src/model/sim/describe';

/** A small budget: a fuzzed input may ask for anything, and each must end quickly. */
export const FUZZ_BUDGET = { maxTasks: 20_000, maxEvents: 20_000, maxWallMs: 5_000, maxMemoryBytes: 64 * 1024 * 1024 };
export const FUZZ_LIMITS = { maxInputBytes: 64 * 1024, maxFileBytes: 64 * 1024 };

/** The outcome of one input: a trace, or the project's errors, each with a position. Throws on anything else. */
export function runChecked(text: string, files: Record<string, string> = {}): Trace | ScenarioError[] {
  try {
    return runScenarioText(text, 'fuzz.yaml', {
      level: 'full',
      budget: FUZZ_BUDGET,
      limits: FUZZ_LIMITS,
      readFile: (p) => {
        if (!Object.prototype.hasOwnProperty.call(files, p)) throw new Error('No such file or directory');
        return files[p];
      },
    });
  } catch (e) {
    const errs = e instanceof ScenarioErrors ? e.errors : e instanceof ScenarioError ? [e] : null;
    if (!errs) throw e;
    assert.ok(errs.length > 0, 'ScenarioErrors without an error');
    for (const x of errs) {
      assert.ok(x instanceof ScenarioError, `not a ScenarioError: ${String(x)}`);
      assert.ok(typeof x.pos.file === 'string' && x.pos.file.length > 0, `no file: ${x.message}`);
      assert.ok(Number.isInteger(x.pos.line) && x.pos.line >= 1, `bad line: ${x.message}`);
      assert.ok(Number.isInteger(x.pos.col) && x.pos.col >= 1, `bad column: ${x.message}`);
      assert.ok(x.detail.length > 0, 'an empty message');
    }
    return errs;
  }
}

// ---- building blocks of inputs ----

/** Characters that broke scanners before: Unicode blanks, a BOM, controls, quotes, escapes. */
const NASTY = ['\v', '\f', '\u00a0', '\ufeff', '\u2028', '\u2029', '\u0085', '\u200b', '\0', '\r', '\t', '\\', '"', "'", '#', ';', '{', '}', '$', '@', ':', '/', '-', '=', '<', '>', '!', '|', '&', ',', '(', ')', '\u00e9', '\ud83d\ude00'];

const word = (vocab: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...vocab) },
    { weight: 2, arbitrary: fc.constantFrom('0', '1', '-1', '255', '256', '65535', '65536', '2147483647', '2147483648', '4294967296', '99999999999999999999', '10.0.0.1', '10.0.0.2/24', '0.0.0.0/0', '10.0.0.300', 'eth0', 'lo', 'eth9', '02:00:00:00:00:01') },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  );

const line = (head: string, vocab: readonly string[]): fc.Arbitrary<string> =>
  fc.array(word(vocab), { maxLength: 14 }).map((ws) => [head, ...ws].join(' '));

const NFT_WORDS = ['add', 'insert', 'replace', 'delete', 'flush', 'list', 'create', 'table', 'chain', 'rule', 'set', 'map', 'element', 'ip', 'inet', 'ip6', 't', 'c', 'd', 'in', 'x', 'y', '{', '}', ';', 'type', 'filter', 'nat', 'route', 'hook', 'input', 'output', 'forward', 'prerouting', 'postrouting', 'priority', '0', '-100', 'policy', 'accept', 'drop', 'jump', 'goto', 'return', 'continue', 'counter', 'saddr', 'daddr', 'tcp', 'udp', 'icmp', 'dport', 'sport', 'vmap', ':', 'ct', 'state', 'established,related', 'new', 'meta', 'mark', 'set', 'iifname', 'oifname', 'log', 'prefix', 'reject', 'with', 'snat', 'dnat', 'masquerade', 'to', 'limit', 'rate', '10/second', 'elements', '=', '@s', 'define', '$v', '-f', 'rules.nft', 'handle', '1', 'position', 'flags', 'interval', 'ipv4_addr', 'inet_service', 'verdict', 'comment', '"x y"', '\\\n'];
const IPT_WORDS = ['-A', '-I', '-D', '-N', '-X', '-F', '-P', '-t', 'filter', 'nat', 'mangle', 'raw', 'INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING', 'A', 'B', '-j', '-g', 'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG', 'MARK', 'SNAT', 'DNAT', 'MASQUERADE', '-p', 'tcp', 'udp', 'icmp', '--dport', '--sport', '-s', '-d', '-i', '-o', '!', '-m', 'conntrack', '--ctstate', 'NEW,ESTABLISHED', 'state', '--state', 'comment', '--comment', '--to-destination', '--to-source', '--set-mark', '--reject-with', 'tcp-reset', 'icmp-port-unreachable', 'limit', '--limit', '5/sec', 'multiport', '--dports', '80,443', '<', 'rules.v4'];
const IP_WORDS = ['addr', 'address', 'a', 'add', 'del', 'delete', 'change', 'replace', 'link', 'set', 'up', 'down', 'mtu', 'route', 'r', 'default', 'via', 'dev', 'src', 'table', 'metric', 'proto', 'scope', 'host', 'global', 'blackhole', 'unreachable', 'prohibit', 'rule', 'from', 'to', 'fwmark', 'lookup', 'pref', 'priority', 'neigh', 'lladdr', 'nud', 'permanent', 'reachable', 'stale', 'broadcast', 'brd', 'promisc', 'on', 'off', 'arp', 'txqueuelen', 'address', '-4', '-6', 'netns', 'frob'];
const SYSCTL_KEYS = ['net.ipv4.ip_forward', 'net.ipv4.ip_default_ttl', 'net.core.dev_weight', 'net.core.netdev_budget', 'net.ipv4.neigh.default.mcast_solicit', 'net.ipv4.neigh.default.ucast_solicit', 'net.ipv4.neigh.default.app_solicit', 'net.ipv4.neigh.default.retrans_time_ms', 'net.ipv4.tcp_syn_retries', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.eth0.forwarding', 'net.ipv4/conf/eth0/rp_filter', 'net.ipv4.ipfrag_high_thresh', 'net.ipv4.ipfrag_low_thresh', 'net.ipv4.ipfrag_time', 'net.core.rmem_default', 'net.ipv4.icmp_ratelimit', 'kernel.panic', 'net.nope'];
const SYSCTL_WORDS = [...SYSCTL_KEYS.flatMap((k) => [`${k}=0`, `${k}=1`, `${k}=-1`, `${k}=256`, `${k}=2147483647`, `${k}=4294967296`, `${k}=x`, `${k}=`]), '-w', '-q', '-p', '=', '1'];

export const setupLine = fc.oneof(line('nft', NFT_WORDS), line('iptables', IPT_WORDS), line('iptables-restore', ['<', 'rules.v4', '-n']), line('ip', IP_WORDS), line('sysctl', SYSCTL_WORDS));

/** A rules file: nft syntax or an iptables-save dump, assembled from lines of its words. */
export const nftFile = fc.array(fc.oneof(line('', NFT_WORDS), fc.constantFrom('table ip t {', 'chain c {', 'chain in { type filter hook input priority 0;', '}', 'jump c', 'define v = 1', '\ufefftable ip t {}')), { maxLength: 12 }).map((ls) => ls.join('\n'));
export const iptFile = fc.array(fc.oneof(line('', IPT_WORDS), fc.constantFrom('*filter', '*nat', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', 'COMMIT', '-A INPUT -j A', '-A A -j B', '-A B -j A', '# c')), { maxLength: 12 }).map((ls) => ls.join('\n'));

const BASE_A = ['ip addr add 10.0.0.1/24 dev eth0', 'ip link set eth0 up'];
const BASE_B = ['ip addr add 10.0.0.2/24 dev eth0', 'ip link set eth0 up'];
const yamlQuote = (s: string): string => JSON.stringify(s);

/** A two-host scenario whose host a runs the given extra lines, then sends the given traffic. */
export function scenarioWith(extra: string[], traffic = '  - from: a\n    send: icmp echo-request to 10.0.0.2'): string {
  return `name: fuzz
hosts:
  a:
${[...BASE_A, ...extra].map((l) => `    - ${yamlQuote(l)}`).join('\n')}
  b:
${BASE_B.map((l) => `    - ${yamlQuote(l)}`).join('\n')}
links:
  - a:eth0 b:eth0
traffic:${traffic ? `\n${traffic}` : ' []'}
`;
}

const SEND_WORDS = ['icmp', 'udp', 'tcp', 'echo-request', 'to', 'from', 'connect', '10.0.0.2', '10.0.0.2:53', '10.0.0.1:40000', ':40000', 'count', 'size', 'ttl', 'df', 'data', 'payload', 'flags', 'S', 'SA', 'R', 'id', 'frag', 'offset', 'mf', 'bad-ip-checksum', 'bad-udp-checksum', 'bad-tcp-checksum', 'dst-mac', 'src-mac', 'truncate', 'version', 'ihl', 'tos'];
export const traffic = fc.array(
  fc.oneof(
    fc.array(word(SEND_WORDS), { maxLength: 10 }).map((ws) => `  - from: a\n    send: ${yamlQuote(ws.join(' '))}`),
    fc.array(word(SEND_WORDS), { maxLength: 10 }).map((ws) => `  - into: b:eth0\n    send: ${yamlQuote(ws.join(' '))}`),
    fc.constantFrom('1ms', '31s', '0s', '1d', '100000000000s', 'x').map((w) => `  - wait: ${w}`),
  ),
  { minLength: 1, maxLength: 3 },
).map((items) => items.join('\n'));

/** Whole YAML texts: a valid scenario cut, spliced and salted with nasty characters. */
export const yamlText = fc
  .tuple(fc.array(setupLine, { maxLength: 3 }), traffic, fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ...NASTY, '&a ', '*a', '[', ']', '{', '}', '- ', ': ', '\n', '\n  ', '|', '>', '---\n', '!!str ', '%YAML 1.2\n')), { maxLength: 4 }))
  .map(([lines, tr, edits]) => {
    let s = scenarioWith(lines, tr);
    for (const [at, ins] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + ins + s.slice(i + (ins === '' ? 1 : 0));
    }
    return s;
  });

// ---- the properties ----

export const props = {
  /** one setup line of any command, parsed and applied (no traffic: the cheap, broad one) */
  setupOnly: fc.property(setupLine, nftFile, iptFile, (l, nft, ipt) => {
    runChecked(scenarioWith([l], ''), { 'rules.nft': nft, 'rules.v4': ipt });
  }),
  /** one setup line of any command on a host that then sends a ping */
  setupLine: fc.property(setupLine, nftFile, iptFile, (l, nft, ipt) => {
    runChecked(scenarioWith([l]), { 'rules.nft': nft, 'rules.v4': ipt });
  }),
  /** `nft -f` and `iptables-restore <` of a fuzzed file */
  rulesFile: fc.property(nftFile, iptFile, (nft, ipt) => {
    runChecked(scenarioWith(['nft -f rules.nft', 'iptables-restore < rules.v4']), { 'rules.nft': nft, 'rules.v4': ipt });
  }),
  /** whole scenario files, mangled */
  scenario: fc.property(yamlText, (text) => {
    runChecked(text);
  }),
  /** random bytes: any text at all */
  anyText: fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
    runChecked(text);
  }),
  /** the codecs on random bytes: read, write back, read again */
  codecs: fc.property(fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, saddr, daddr) => {
    checkCodecs(bytes, saddr, daddr);
  }),
};

/** Each codec on the bytes: no exception; where the bytes hold a whole header, writing back what was read gives the bytes again (the checksum aside). */
export function checkCodecs(bytes: Uint8Array, saddr: number, daddr: number): void {
  describeFrame(bytes, 0, bytes.length);
  const copy = (): Uint8Array => Uint8Array.from(bytes);
  if (bytes.length >= ETH_HLEN) {
    const b = copy();
    writeEth(b, 0, readEth(bytes, 0));
    assert.deepStrictEqual(b, bytes, 'Ethernet round trip');
  }
  if (bytes.length >= ARP_HLEN) {
    const b = copy();
    writeArp(b, 0, readArp(bytes, 0));
    assert.deepStrictEqual(b, bytes, 'ARP round trip');
  }
  if (bytes.length >= 20) {
    const b = copy();
    const h = readIp(bytes, 0);
    writeIp(b, 0, h);
    assert.deepStrictEqual({ ...readIp(b, 0), check: 0 }, { ...h, check: 0 }, 'IPv4 round trip');
    assert.deepStrictEqual([...b.subarray(12)], [...bytes.subarray(12)], 'IPv4 round trip: addresses and what follows');
  }
  if (bytes.length >= 8) {
    const b = copy();
    const h = readIcmp(bytes, 0);
    writeIcmp(b, 0, bytes.length, h);
    assert.ok(icmpOk(b, 0, bytes.length), 'ICMP: the written checksum verifies');
    assert.deepStrictEqual({ ...readIcmp(b, 0), checksum: 0 }, { ...h, checksum: 0 }, 'ICMP round trip');
    const u = copy();
    const uh = readUdp(bytes, 0);
    writeUdp(u, 0, { source: uh.source, dest: uh.dest, len: bytes.length }, saddr, daddr);
    assert.deepStrictEqual({ ...readUdp(u, 0), check: 0 }, { ...uh, len: bytes.length, check: 0 }, 'UDP round trip');
    assert.strictEqual(l4Csum(u, 0, bytes.length, saddr, daddr, 17) & 0xffff, 0, 'UDP: the written checksum verifies');
  }
  if (bytes.length >= 20) {
    const b = copy();
    const h = readTcp(bytes, 0);
    writeTcp(b, 0, h, bytes.length, saddr, daddr);
    assert.deepStrictEqual({ ...readTcp(b, 0), check: 0 }, { ...h, check: 0 }, 'TCP round trip');
    assert.strictEqual(l4Csum(b, 0, bytes.length, saddr, daddr, 6) & 0xffff, 0, 'TCP: the written checksum verifies');
  }
}
