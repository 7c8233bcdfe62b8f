// The hostile corpus (test/hostile): one file per class of input that used to hang, exhaust the
// heap or read past the workspace. Each is run the way the CLI runs it (runScenarioText with the
// folder-bound reader of src/scenario/files.ts) and must end with positioned errors or a trace
// whose run stopped at its budget.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import { scenarioFileReader } from '../../../src/scenario/files';
import { ScenarioErrors } from '../../../src/scenario/types';
import type { Trace } from '../../../src/trace/contract';
import type { RunBudget } from '../../../src/scenario/limits';

const DIR = path.resolve(__dirname, '../../../../test/hostile');

function runFile(name: string, budget?: Partial<RunBudget>): Trace | string[] {
  const file = path.join(DIR, name);
  try {
    return runScenarioText(fs.readFileSync(file, 'utf8'), name, { readFile: scenarioFileReader(file), budget, level: 'full' });
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
}

function errorsOf(name: string): string[] {
  const r = runFile(name);
  assert.ok(Array.isArray(r), `${name} ran; it should have been refused`);
  return r;
}

/** The error at `file:line:col` whose text has `has`. */
function hasError(errs: string[], at: string, has: string): void {
  assert.ok(
    errs.some((e) => e.startsWith(`${at}: `) && e.includes(has)),
    `no error at ${at} with ${JSON.stringify(has)} in:\n${errs.join('\n')}`,
  );
}

describe('hostile corpus (test/hostile)', function () {
  this.timeout(60_000);

  it('has a test here for every scenario in the folder', () => {
    const here = fs.readFileSync(__filename.replace(/out[\\/]test/, 'test').replace(/\.js$/, '.ts'), 'utf8');
    for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.yaml'))) assert.ok(here.includes(`'${f}'`), `${f} has no test`);
  });

  it("nft-unicode-blank.yaml: nft's junk (no-break space, vertical tab, a BOM) is refused where it stands", () => {
    const errs = errorsOf('nft-unicode-blank.yaml');
    hasError(errs, 'nft-unicode-blank.yaml:7:23', 'unexpected junk: a no-break space (U+00A0)');
    hasError(errs, 'nft-unicode-blank.yaml:9:26', 'unexpected junk: a vertical tab (U+000B)');
    hasError(errs, 'bom.nft:1:1', 'byte order mark');
    assert.strictEqual(errs.length, 3, errs.join('\n'));
  });

  it("sysctl-range.yaml: values outside the kernel's range fail with procps' EINVAL message at the value", () => {
    const errs = errorsOf('sysctl-range.yaml');
    // dev_weight exists in the initial namespace only (net_core_table): a new one has no such file
    hasError(errs, 'sysctl-range.yaml:5:15', 'sysctl: cannot stat /proc/sys/net/core/dev_weight: No such file or directory');
    for (const line of [6, 7, 8]) hasError(errs, `sysctl-range.yaml:${line}:39`, 'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument');
    hasError(errs, 'sysctl-range.yaml:9:40', '"net.ipv4.tcp_syn_retries": Invalid argument (the kernel takes 1..127');
    hasError(errs, 'sysctl-range.yaml:10:47', '"net.ipv4.neigh.lo.mcast_solicit": Invalid argument');
    hasError(errs, 'sysctl-range.yaml:11:47', '"net.ipv4.neigh.lo.ucast_solicit": Invalid argument');
    // net.core's buffer sizes are read-only in any namespace but the first (sysctl_core_net_init)
    hasError(errs, 'sysctl-range.yaml:12:37', '"net.core.rmem_default": Invalid argument (read-only in a network namespace');
    assert.strictEqual(errs.length, 8, errs.join('\n'));
  });

  it('neigh-solicit-huge.yaml: mcast_solicit INT_MAX is accepted, and the run stops at its budget with what ran', () => {
    const t = runFile('neigh-solicit-huge.yaml', { maxEvents: 20_000 });
    assert.ok(!Array.isArray(t), String(t));
    assert.strictEqual(t.stopped?.limit, 'maxEvents');
    assert.match(t.stopped!.message, /--max-events N/);
    assert.ok(t.events.length > 20_000 && t.events.length < 20_100, `${t.events.length} events`);
    // what ran is kept: the ARP requests that were sent before the budget ran out
    assert.ok(t.events.filter((e) => e.fn === 'arp_create').length > 1000);
  });

  it('chain-loop-nft.yaml: a loop reachable from a base chain is refused (EMLINK), in a file, on the command line and through vmaps', () => {
    const errs = errorsOf('chain-loop-nft.yaml');
    hasError(errs, 'loop.nft:13:5', 'Could not process rule: Too many links: in → c1 → c2 → c3 → c1 is a loop');
    hasError(errs, 'chain-loop-nft.yaml:14:9', 'Too many links: in → x → y → x is a loop');
    hasError(errs, 'chain-loop-nft.yaml:22:9', 'Too many links: in → x → y → x is a loop');
    assert.strictEqual(errs.length, 3, errs.join('\n'));
  });

  it('chain-loop-iptables.yaml: the same through iptables-nft and iptables-restore', () => {
    const errs = errorsOf('chain-loop-iptables.yaml');
    hasError(errs, 'chain-loop-iptables.yaml:9:14', 'iptables: RULE_APPEND failed (Too many links): INPUT → A → B → A is a loop');
    hasError(errs, 'loop.v4:9:1', 'RULE_APPEND failed (Too many links): INPUT → A → B → A is a loop');
    assert.strictEqual(errs.length, 2, errs.join('\n'));
  });

  it('heap-one-item.yaml: a thousand 65000-byte pings stop at the memory budget, keeping the pings that ran', () => {
    const t = runFile('heap-one-item.yaml', { maxMemoryBytes: 8 * 1024 * 1024 });
    assert.ok(!Array.isArray(t), String(t));
    assert.strictEqual(t.stopped?.limit, 'maxMemoryBytes');
    assert.match(t.stopped!.message, /--max-memory BYTES/);
    assert.ok(t.events.filter((e) => e.fn === 'ip_do_fragment').length > 45, 'whole pings were fragmented and sent before the stop');
  });

  it('yaml-alias-bomb.yaml: the 101st alias is refused (limits.maxAliasCount), nothing is expanded', () => {
    const errs = errorsOf('yaml-alias-bomb.yaml');
    assert.deepStrictEqual(errs, ['yaml-alias-bomb.yaml:155:9: YAML: more than 100 aliases; raise it with --max-aliases N (netstack trace) or the option limits.maxAliasCount']);
  });

  it('yaml-deep.yaml, yaml-deep-flow.yaml, yaml-deep-seq.yaml: nesting past limits.maxDepth is refused at the line that goes too deep', () => {
    assert.deepStrictEqual(errorsOf('yaml-deep.yaml'), ['yaml-deep.yaml:67:66: YAML: nested more than 64 levels deep; raise it with --max-depth N (netstack trace) or the option limits.maxDepth']);
    hasError(errorsOf('yaml-deep-flow.yaml'), 'yaml-deep-flow.yaml:3:71', 'nested more than 64 levels deep');
    hasError(errorsOf('yaml-deep-seq.yaml'), 'yaml-deep-seq.yaml:5:5', 'nested more than 64 levels deep');
  });

  it('read-outside.yaml: no file outside the folder, no device, FIFO or link out is read, and none is shown', () => {
    const errs = errorsOf('read-outside.yaml');
    hasError(errs, 'read-outside.yaml:6:12', "is outside the scenario's folder");
    hasError(errs, 'read-outside.yaml:8:24', "/etc/shadow is outside the scenario's folder");
    hasError(errs, 'read-outside.yaml:10:12', "/dev/zero is outside the scenario's folder");
    hasError(errs, 'read-outside.yaml:12:12', "/dev/stdin is outside the scenario's folder");
    hasError(errs, 'read-outside.yaml:14:12', 'passwd-link.nft is a symbolic link to a file outside');
    hasError(errs, 'read-outside.yaml:16:12', '. is not a regular file');
    assert.strictEqual(errs.length, 6, errs.join('\n'));
    for (const e of errs) assert.doesNotMatch(e, /root:|daemon:/, 'a line of /etc/passwd is shown');
  });

  it('all-errors.yaml: a parse error does not hide the errors of applying the rest', () => {
    const errs = errorsOf('all-errors.yaml');
    assert.deepStrictEqual(errs, [
      'all-errors.yaml:5:21: Could not process rule: No such file or directory: table ip nosuch does not exist',
      'all-errors.yaml:8:17: `10.0.0.300`: 300 is not a byte (0..255)',
    ]);
  });

  it('links-typo.yaml: a misspelt host in a link is reported on the links line only', () => {
    assert.deepStrictEqual(errorsOf('links-typo.yaml'), ['links-typo.yaml:11:5: unknown host `clinet`; hosts are client, server']);
  });
});
