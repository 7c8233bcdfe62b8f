// Hostile input, class by class, beside the corpus: the nft scanner on every kind of blank, the
// sysctl range table against the v6.12 tree, the run budget, the input limits, the file reader
// and errors of all phases together.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { lexNft, fromFile } from '../../../src/scenario/netfilter/lex';
import { NET_SYSCTL_DEFAULTS, NET_SYSCTL_RANGES, DEVCONF_DEFAULTS, sysctlRange, Net } from '../../../src/model/net/net_namespace';
import { World } from '../../../src/model/world';
import { runScenarioText, scenarioErrors } from '../../../src/scenario/run';
import { parseScenario } from '../../../src/scenario/parse';
import { scenarioFileReader, readScenarioFile } from '../../../src/scenario/files';
import { ScenarioError, ScenarioErrors } from '../../../src/scenario/types';
import { main } from '../../../src/cli/netstack';
import { skipOrFail } from '../../skip';

const KERNEL = '/usr/src/linux-source-6.12';

function errors(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    if (e instanceof ScenarioError) return [e.message];
    throw e;
  }
  return [];
}

const PING = `name: t
hosts:
  a: |
    ip addr add 10.0.0.1/24 dev eth0
    ip link set eth0 up
  b: |
    ip addr add 10.0.0.2/24 dev eth0
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: icmp echo-request to 10.0.0.2 count 50
`;

describe('hostile input: limits of the kernel and of our own', () => {
  describe('the nft scanner', () => {
    for (const [c, name] of [
      ['\v', 'vertical tab'],
      ['\f', 'form feed'],
      ['\u00a0', 'no-break space'],
      ['\ufeff', 'byte order mark'],
      ['\u2028', 'line separator'],
      ['\u2029', 'paragraph separator'],
      ['\u0085', 'next-line'],
      ['\u200b', 'zero-width space'],
      ['\u3000', 'U+3000'],
      ['\0', 'U+0000'],
    ]) {
      it(`stops at ${name} with nft's "unexpected junk", inside a word or between words`, () => {
        for (const text of [`add table ip t${c}x`, `add table${c}ip t`, `${c}add table ip t`]) {
          const at = text.indexOf(c);
          assert.throws(() => lexNft(fromFile(text, 'r.nft')), (e: ScenarioError) => e.pos.col === at + 1 && /unexpected junk/.test(e.detail) && e.detail.includes(name));
        }
      });
    }
    it('still reads blanks it knows, and any character inside a quoted string', () => {
      const toks = lexNft(fromFile('add\ttable ip "t\u00a0\v" \r\n', 'r.nft'));
      assert.deepStrictEqual(
        toks.map((t) => [t.kind, t.text]),
        [['word', 'add'], ['word', 'table'], ['word', 'ip'], ['str', 't\u00a0\v'], ['nl', '\n'], ['eof', '']],
      );
    });
  });

  describe('sysctl ranges (the ctl_table entries of v6.12)', () => {
    it('every namespace sysctl the model reads has a range, and its fresh value is in it', () => {
      const net = new Net('h', new World('fates'));
      assert.deepStrictEqual(Object.keys(NET_SYSCTL_RANGES).sort(), Object.keys(NET_SYSCTL_DEFAULTS).sort());
      for (const [key, v] of Object.entries(NET_SYSCTL_DEFAULTS)) {
        const r = sysctlRange(key)!;
        const [min, max] = [typeof r.min === 'function' ? r.min(net) : r.min, typeof r.max === 'function' ? r.max(net) : r.max];
        assert.ok(v >= min && v <= max, `${key}=${v} outside ${min}..${max}`);
      }
      for (const key of Object.keys(DEVCONF_DEFAULTS)) assert.ok(sysctlRange(`net.ipv4.conf.eth0.${key}`));
    });

    it("each range's file has the sysctl's ctl_table entry (kernel tree)", function () {
      if (!fs.existsSync(KERNEL)) skipOrFail(this, `no kernel tree at ${KERNEL}`);
      for (const [key, r] of Object.entries(NET_SYSCTL_RANGES)) {
        const name = key.startsWith('net.ipv4.tcp_rmem_') ? 'tcp_rmem' : key.split('.').pop()!;
        const src = fs.readFileSync(path.join(KERNEL, r.file), 'utf8');
        assert.ok(src.includes(`"${name}"`), `${r.file} has no entry "${name}" (for ${key})`);
      }
    });

    it('a key of the initial namespace only is not there (cannot stat), as in a new namespace', () => {
      const net = new Net('h', new World('fates'));
      for (const key of ['net.core.dev_weight', 'net.core.netdev_budget', 'net.core.netdev_max_backlog', 'net.ipv4.neigh.default.mcast_solicit']) {
        assert.throws(() => net.setSysctl(key, 1), /cannot stat \/proc\/sys\//, key);
      }
      net.setSysctl('net.ipv4.neigh.lo.mcast_solicit', 1);
      assert.strictEqual(net.get('net.ipv4.neigh.lo.mcast_solicit'), 1);
    });

    it('a value whose behaviour the model lacks is refused as not modelled, not ignored', () => {
      const net = new Net('h', new World('fates'));
      assert.throws(() => net.writeSysctl('net.ipv4.tcp_syncookies', '2'), /tcp_syncookies=2 .* is not modelled/);
      net.writeSysctl('net.ipv4.tcp_syncookies', '0');
      assert.strictEqual(net.get('net.ipv4.tcp_syncookies'), 0);
      for (const key of ['net.ipv4.conf.all.bc_forwarding', 'net.ipv4.conf.lo.bc_forwarding']) {
        assert.throws(() => net.writeSysctl(key, '1'), /bc_forwarding=1 is not modelled/);
        net.writeSysctl(key, '0');
      }
    });

    it('a write outside the range fails with EINVAL and keeps the old value; the bounds themselves are taken', () => {
      const net = new Net('h', new World('fates'));
      for (const [key, bad, good] of [
        ['net.ipv4.ip_default_ttl', [0, 256, -1], [1, 255]],
        ['net.core.rmem_default', [0, 2303], [2304, 2147483647]],
        ['net.ipv4.tcp_syn_retries', [0, 128], [1, 127]],
        ['net.ipv4.icmp_echo_ignore_all', [2, -1], [0, 1]],
        ['net.ipv4.neigh.lo.mcast_solicit', [-1, 2147483648], [0, 2147483647]],
        ['net.ipv4.conf.all.rp_filter', [2147483648, -2147483649], [-2147483648, 2]],
      ] as [string, number[], number[]][]) {
        const before = net.get(key);
        for (const v of bad) assert.throws(() => net.setSysctl(key, v), new RegExp(`^Error: setting key "${key.replace(/\./g, '\\.')}": Invalid argument`));
        assert.strictEqual(net.get(key), before);
        for (const v of good) {
          net.setSysctl(key, v);
          assert.strictEqual(net.get(key), v);
        }
      }
      // ipfrag_low_thresh is at most ipfrag_high_thresh (extra2 = &high_thresh)
      assert.throws(() => net.setSysctl('net.ipv4.ipfrag_low_thresh', net.get('net.ipv4.ipfrag_high_thresh') + 1), /Invalid argument/);
    });
  });

  describe('the run budget', () => {
    const counts = (b: object): { stopped?: { limit: string; message: string }; events: number } => {
      const t = runScenarioText(PING, 't.yaml', { budget: b });
      return { stopped: t.stopped, events: t.events.length };
    };
    it('a run within its budget is whole and says nothing', () => {
      const t = runScenarioText(PING, 't.yaml', {});
      assert.strictEqual(t.stopped, undefined);
      // the 50 echo replies reach the pinging socket
      assert.strictEqual(t.packets.filter((p) => p.fate.kind === 'delivered').length, 50);
    });
    it('stops at each limit, keeps what ran and names the setting that raises it', () => {
      const full = counts({}).events;
      for (const [b, limit, flag] of [
        [{ maxEvents: 300 }, 'maxEvents', '--max-events N'],
        [{ maxTasks: 40 }, 'maxTasks', '--max-tasks N'],
        [{ maxSimNs: 10e9 }, 'maxSimNs', '--max-sim-time DURATION'],
        [{ maxMemoryBytes: 200_000 }, 'maxMemoryBytes', '--max-memory BYTES'],
      ] as [object, string, string][]) {
        const r = counts(b);
        assert.strictEqual(r.stopped?.limit, limit);
        assert.ok(r.stopped!.message.includes(flag), r.stopped!.message);
        assert.ok(r.events > 0 && r.events < full, `${limit}: ${r.events} of ${full} events`);
      }
    });
    it('stops at the wall-clock limit (a clock that runs fast)', () => {
      let now = 0;
      const t = runScenarioText(PING, 't.yaml', { budget: { maxWallMs: 1000 }, wallClock: () => (now += 300) });
      assert.strictEqual(t.stopped?.limit, 'maxWallMs');
      assert.match(t.stopped!.message, /--max-wall-time DURATION/);
    });
    it('without a wall-clock limit reads the clock only to start, not after every task', () => {
      let reads = 0;
      const wallClock = (): number => (reads++, 0);
      const limited = runScenarioText(PING, 't.yaml', { budget: { maxWallMs: 10_000 }, wallClock });
      const limitedReads = reads;
      reads = 0;
      const unlimited = runScenarioText(PING, 't.yaml', { budget: { maxWallMs: Infinity }, wallClock });
      assert.strictEqual(unlimited.events.length, limited.events.length);
      assert.ok(limitedReads > 10, `a limited run reads the clock after each task (${limitedReads} reads)`);
      assert.ok(reads <= 2, `an unlimited run read the clock ${reads} times`);
    });
  });

  describe('input limits', () => {
    it('refuses a scenario over limits.maxInputBytes at its start', () => {
      assert.deepStrictEqual(errors(() => parseScenario(PING, 't.yaml', { limits: { maxInputBytes: 100 } })), [
        `t.yaml:1:1: the scenario has ${PING.length} characters, more than the limit of 100; raise it with --max-input-bytes N (netstack trace) or the option limits.maxInputBytes`,
      ]);
    });
    it('counts aliases and their expansion; a few are fine', () => {
      const text = (n: number): string => `name: t\nhosts:\n  h0: &s |\n    sysctl -w net.ipv4.ip_forward=1\n${Array.from({ length: n }, (_, i) => `  h${i + 1}: *s`).join('\n')}\ntraffic: []\n`;
      assert.strictEqual(parseScenario(text(5), 't.yaml').hosts.length, 6);
      assert.deepStrictEqual(errors(() => parseScenario(text(5), 't.yaml', { limits: { maxAliasCount: 3 } })), ['t.yaml:8:7: YAML: more than 3 aliases; raise it with --max-aliases N (netstack trace) or the option limits.maxAliasCount']);
      assert.match(errors(() => parseScenario(text(5), 't.yaml', { limits: { maxInputBytes: 150 } }))[0], /^t\.yaml:\d+:7: YAML: the aliases expand to more than 150 characters/);
    });
    it('refuses nesting past limits.maxDepth, and takes it when raised', () => {
      const text = `name: t\nhosts: ${'['.repeat(30)}${']'.repeat(30)}\ntraffic: []\n`;
      assert.match(errors(() => parseScenario(text, 't.yaml', { limits: { maxDepth: 20 } }))[0], /^t\.yaml:2:\d+: YAML: nested more than 20 levels deep/);
      assert.doesNotMatch(errors(() => parseScenario(text, 't.yaml', { limits: { maxDepth: 40 } }))[0], /nested/);
    });
  });

  describe('reading the files a scenario names', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-files-'));
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'r.nft'), 'table ip t {}\n');
      fs.writeFileSync(path.join(dir, 'secret'), 'root:x:0:0\n');
      fs.symlinkSync(path.join(dir, 'secret'), path.join(dir, 'sub', 'out.nft'));
      fs.symlinkSync(path.join(dir, 'sub', 'r.nft'), path.join(dir, 'sub', 'in.nft'));
      fs.writeFileSync(path.join(dir, 'sub', 'big.nft'), 'x'.repeat(2000));
      execFileSync('mkfifo', [path.join(dir, 'sub', 'fifo.nft')]);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads regular files in the scenario's folder, through links that stay in it", () => {
      const read = scenarioFileReader(path.join(dir, 'sub', 's.yaml'));
      assert.strictEqual(read('r.nft'), 'table ip t {}\n');
      assert.strictEqual(read('in.nft'), 'table ip t {}\n');
      assert.strictEqual(scenarioFileReader(path.join(dir, 'sub', 's.yaml'), { root: dir })('../secret'), 'root:x:0:0\n');
    });
    it('refuses what is outside, links out, FIFOs, devices, folders and files over the limit, and shows none of them', () => {
      const read = scenarioFileReader(path.join(dir, 'sub', 's.yaml'), { maxBytes: 1000 });
      for (const [name, why] of [
        ['../secret', "is outside the scenario's folder"],
        ['out.nft', 'is a symbolic link to a file outside'],
        ['fifo.nft', 'is not a regular file'],
        ['/dev/zero', 'is outside'],
        ['.', 'is not a regular file'],
        ['big.nft', 'has 2000 bytes, more than the limit of 1000; raise it with --max-file-bytes N'],
        ['none.nft', 'No such file or directory'],
      ]) {
        assert.throws(
          () => read(name),
          (e: Error) => e.message.includes(why) && !e.message.includes('root:'),
          name,
        );
      }
      assert.throws(() => scenarioFileReader(path.join(dir, 'sub', 's.yaml'), { root: dir })('/dev/zero'), /is outside the workspace/);
      assert.throws(() => readScenarioFile('/dev/zero'), /is not a regular file/);
    });
  });

  describe('errors of all phases together', () => {
    it('scenarioErrors (what the editor shows) has the parse and the setup errors, and none for a good file', () => {
      const text = PING.replace('ip link set eth0 up\n  b:', 'nft add rule ip nosuch c accept\n    ip link set eth0 up\n  b:').replace('10.0.0.2/24', '10.0.0.2/33');
      assert.deepStrictEqual(
        scenarioErrors(text, 't.yaml').map((e) => e.message),
        ['t.yaml:5:21: Could not process rule: No such file or directory: table ip nosuch does not exist', 't.yaml:8:26: prefix length: `33` is out of range (0..32)'],
      );
      assert.deepStrictEqual(errors(() => runScenarioText(text, 't.yaml')), scenarioErrors(text, 't.yaml').map((e) => e.message));
      assert.deepStrictEqual(scenarioErrors(PING, 't.yaml'), []);
    });
  });

  describe('the CLI', () => {
    const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await main(args, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
      return { code, out, err };
    };
    it('prints errors to stderr with exit code 1, and a stopped run with its trace and exit code 3', async () => {
      const hostile = path.resolve(__dirname, '../../../../test/hostile');
      const bad = await cli(['trace', path.join(hostile, 'sysctl-range.yaml')]);
      assert.strictEqual(bad.code, 1);
      assert.strictEqual(bad.out, '');
      assert.match(bad.err, /sysctl-range\.yaml:5:15: sysctl: cannot stat \/proc\/sys\/net\/core\/dev_weight/);
      const stopped = await cli(['trace', path.join(hostile, 'neigh-solicit-huge.yaml'), '--max-events', '2000']);
      assert.strictEqual(stopped.code, 3);
      assert.match(stopped.out, /arp_create/);
      assert.match(stopped.err, /the run stopped at its budget of 2000 trace events/);
      const flag = await cli(['trace', path.join(hostile, 'sysctl-range.yaml'), '--max-events', 'many']);
      assert.strictEqual(flag.code, 2);
      assert.match(flag.err, /--max-events needs n, like 1000000/);
    });
  });
});
