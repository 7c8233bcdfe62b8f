// Sysctl writes against the real kernel: every key the model accepts (IPv4 and IPv6, per device too), written with values at and
// past its bounds and in the spellings proc_get_long reads (octal, hex, a second number, junk),
// in a network namespace of its own. The model must refuse exactly what `sysctl -w` refuses there,
// and what it accepts must read back the same (`010` is 8; 1 ms is one jiffy, 4 ms at HZ=250).
// Needs root and iproute2 (procps' sysctl); otherwise skipped with the reason. Only the test's own
// namespace is written: net.core's buffer sizes, whose data is the machine's, are read-only in it
// (written here only with the value they already have).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { Net, NET_SYSCTL_RANGES, DEVCONF_DEFAULTS, IPV6_DEVCONF_DEFAULTS, NEIGH_PARMS, initNetOnly, sysctlRange } from '../../src/model/net/net_namespace';
import { World } from '../../src/model/world';
import { skipOrFail } from '../skip';

const NS = `nsx-sysctl-${process.pid}`;
const sh = (argv: string[]): { ok: boolean; out: string; err: string } => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return { ok: r.status === 0 && !r.stderr.trim(), out: r.stdout.trim(), err: r.stderr.trim() };
};
const inNs = (...argv: string[]): { ok: boolean; out: string; err: string } => sh(['ip', 'netns', 'exec', NS, ...argv]);

/** Values to try for a key: its bounds and one past each, extremes, and proc_get_long's spellings. */
function valuesFor(min: number, max: number): string[] {
  const around = [min - 1, min, max, max + 1].filter((v) => Number.isSafeInteger(v) && Math.abs(v) < 2 ** 63).map(String);
  return [...new Set([...around, '0', '1', '-1', '-0', '010', '08', '0x1f', '0x', '5 7', '5x', ' 3', '2147483647', '2147483648', '-2147483648', '-2147483649', '4294967296', '4294967301', '99999999999999999999', '123456789012345678901'])];
}

describe('fidelity: sysctl writes against the real kernel', function () {
  this.timeout(10 * 60 * 1000);
  before(function () {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) skipOrFail(this, 'needs root to make a network namespace');
    if (!sh(['ip', '-V']).out && !sh(['ip', '-V']).ok) skipOrFail(this, 'needs iproute2 (ip)');
    if (!sh(['sh', '-c', 'command -v sysctl']).ok) skipOrFail(this, 'needs procps (sysctl)');
    sh(['ip', 'netns', 'del', NS]);
    const made = sh(['ip', 'netns', 'add', NS]);
    if (!made.ok) skipOrFail(this, `cannot make a network namespace: ${made.err}`);
    // one device for the per-device keys, made inside the namespace (nothing joins the root one)
    assert.ok(inNs('ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1').ok);
  });
  after(() => {
    sh(['ip', 'netns', 'del', NS]);
  });

  it('the model refuses what the kernel refuses, and what both take reads back the same', () => {
    const keys = Object.keys(NET_SYSCTL_RANGES)
      .filter((k) => !initNetOnly(k) && !k.startsWith('net.ipv4.tcp_rmem_') && !k.startsWith('net.core.'))
      .concat(Object.keys(DEVCONF_DEFAULTS).map((k) => `net.ipv4.conf.eth0.${k}`))
      .concat(NEIGH_PARMS.map((p) => `net.ipv4.neigh.eth0.${p}`))
      .concat(['eth0', 'all', 'default'].flatMap((d) => Object.keys(IPV6_DEVCONF_DEFAULTS).map((k) => `net.ipv6.conf.${d}.${k}`)));
    const differ: string[] = [];
    let tried = 0;
    for (const key of keys) {
      const r = sysctlRange(key);
      const lo = typeof r?.min === 'number' ? r.min : 0;
      const hi = typeof r?.max === 'number' ? r.max : 2 ** 31 - 1;
      // one shell in the namespace per key (a process per write made this minutes long): each
      // value written, read back, and the key put back, so each value meets the same start
      const values = valuesFor(lo, hi);
      const script = 'k=$1; shift; b=$(sysctl -n "$k"); for v in "$@"; do if e=$(sysctl -w "$k=$v" 2>&1 >/dev/null) && [ -z "$e" ]; then printf "ok\\t%s\\n" "$(sysctl -n "$k")"; else printf "no\\t%s\\n" "$e"; fi; sysctl -qw "$k=$b" >/dev/null 2>&1; done';
      const res = inNs('sh', '-c', script, 'sh', key, ...values).out.split('\n');
      values.forEach((v, i) => {
        tried++;
        const [tag, text] = (res[i] ?? 'no\t(no answer)').split('\t');
        let model: string;
        const net = modelNet();
        try {
          net.writeSysctl(key, v);
          model = String(net.get(key));
        } catch (e) {
          model = `refused (${(e as Error).message})`;
        }
        // a value the model refuses as not modelled is a refusal by design, not a difference
        if (model.includes('is not modelled')) return;
        const kernel = tag === 'ok' ? text : `refused (${text})`;
        if ((tag === 'ok') !== !model.startsWith('refused') || (tag === 'ok' && kernel !== model)) differ.push(`${key}=${JSON.stringify(v)}: kernel ${kernel}, model ${model}`);
      });
    }
    console.log(`      ${tried} writes of ${keys.length} keys compared`);
    assert.deepStrictEqual(differ, []);
  });

  it('net.core buffer sizes are read-only in a namespace, and tcp_rmem takes up to three values', () => {
    for (const key of ['net.core.rmem_default', 'net.core.rmem_max', 'net.core.wmem_default', 'net.core.wmem_max']) {
      const cur = inNs('sysctl', '-n', key).out;
      const k = inNs('sysctl', '-w', `${key}=${cur}`);
      assert.strictEqual(k.ok, false, `${key} is writable in a new namespace`);
      assert.throws(() => modelNet().writeSysctl(key, cur), /Invalid argument/);
    }
    // (a value under 4096 is left out: Debian's v6.12.117 refuses it, tcp_min_rcvbuf, and the
    // model with it; 6.18.44 takes down to 1, SYSCTL_ONE: a version difference, docs/fidelity.md)
    for (const v of ['4096 131072 6291456', '8192', '4096 8192 16384 32768', '0x2000 010000', '8192 x']) {
      const before = inNs('sysctl', '-n', 'net.ipv4.tcp_rmem').out;
      const k = inNs('sysctl', '-w', `net.ipv4.tcp_rmem=${v}`);
      const after = inNs('sysctl', '-n', 'net.ipv4.tcp_rmem').out.split(/\s+/).map(Number);
      inNs('sysctl', '-w', `net.ipv4.tcp_rmem=${before}`);
      const net = modelNet();
      // the machine's tcp_rmem[2] depends on its memory; start the model from the kernel's three
      const b = before.split(/\s+/);
      net.writeSysctl('net.ipv4.tcp_rmem', b.join(' '));
      let refused = false;
      try {
        net.writeSysctl('net.ipv4.tcp_rmem', v);
      } catch {
        refused = true;
      }
      assert.strictEqual(refused, !k.ok, `tcp_rmem=${v}: kernel ${k.ok ? 'took it' : k.err}`);
      assert.deepStrictEqual([net.get('net.ipv4.tcp_rmem_min'), net.get('net.ipv4.tcp_rmem_default'), net.get('net.ipv4.tcp_rmem_max')], after, `tcp_rmem=${v}`);
    }
  });
});

function modelNet(): Net {
  const net = new Net('h', new World('fates'));
  net.addDevice('eth0', '02:00:00:00:00:01', 'veth', 1500, 1000);
  return net;
}
