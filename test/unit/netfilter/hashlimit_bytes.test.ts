// Issue 15: -m hashlimit with a rate in bytes (XT_HASHLIMIT_BYTES, xt_hashlimit.c v6.12; the
// conversions of libxt_hashlimit in iptables 1.8.9). The save forms and refusals below were
// checked with iptables 1.8.9 and iptables-save in `unshare -rn`.
import * as assert from 'assert';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { evalRule, loadAll, pkt, refused } from './helpers';

/** a UDP packet of 400 bytes (20 of IP header): 26 chunks of 16 bytes */
const big = () => pkt(17, [0, 1, 0, 2, 1, 124, 0, 0, ...new Array<number>(372).fill(0)]);
const passes = (line: string, n: number): boolean[] => {
  const r = loadAll([`-A INPUT ${line}`]);
  return Array.from({ length: n }, () => evalRule(r.net, r.rules[0], big()) === true);
};
const count = (got: boolean[]): number => got.filter(Boolean).length;

describe('hashlimit: rates in bytes (issue 15)', () => {
  it('lists each rate and burst as iptables-save 1.8.9 does', () => {
    const cases: [string, string][] = [
      ['--hashlimit-upto 4kb/s --hashlimit-burst 400kb', '--hashlimit-upto 4kb/s --hashlimit-burst 400kb'],
      ['--hashlimit-upto 10mb/s', '--hashlimit-upto 10mb/s'],
      ['--hashlimit-upto 123456b/s --hashlimit-burst 1mb', '--hashlimit-upto 123456b/s --hashlimit-burst 1mb'],
      ['--hashlimit-above 1000b/s --hashlimit-burst 3000', '--hashlimit-above 992b/s --hashlimit-burst 3kb'],
      ['--hashlimit-above 5000000000b/s', '--hashlimit-above 5286113568b/s'],
      ['--hashlimit-upto 100000000000b/s', '--hashlimit-upto 34359738336b/s'],
      ['--hashlimit-upto 10b/s', '--hashlimit-upto 0b/s'],
      ['--hashlimit-upto 1000b/s --hashlimit-htable-expire 15000', '--hashlimit-upto 992b/s'],
      ['--hashlimit-upto 1000b/s --hashlimit-burst 4kb --hashlimit-htable-expire 15000', '--hashlimit-upto 992b/s --hashlimit-burst 4kb --hashlimit-htable-expire 15000'],
      ['--hashlimit-upto 5/sec --hashlimit-burst 4kb', '--hashlimit-upto 5/sec --hashlimit-burst 4096'],
    ];
    for (const [opts, want] of cases) {
      const r = loadAll([`-A INPUT -m hashlimit ${opts} --hashlimit-name n`]);
      // the expire follows the name; a default one (15 s, 60 s with a burst) is not listed
      const saved = (saveRuleSpec(r.rules[0]) ?? '').replace(/ --hashlimit-name n/, '');
      assert.strictEqual(saved, `-m hashlimit ${want}`, opts);
    }
    assert.match(refused('-A INPUT -m hashlimit --hashlimit-above 1000b/s --hashlimit-burst 100b --hashlimit-name n'), /burst cannot be smaller than 992b/);
    assert.match(refused('-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 20kb --hashlimit-name n'), /out of range \(1-10000\)/);
  });

  it('a bucket holds one second of credit and a packet pays by its length in 16-byte chunks', () => {
    // 1000b/s: 26 chunks cost 41 % of the bucket, so two 400-byte packets fit and the third does not
    assert.deepStrictEqual(passes('-m hashlimit --hashlimit-upto 1000b/s --hashlimit-name n', 4), [true, true, false, false]);
    // 4kb/s: the same packets cost a quarter as much
    assert.strictEqual(count(passes('-m hashlimit --hashlimit-upto 4kb/s --hashlimit-name n', 12)), 9);
  });

  it('a burst in bytes is a number of refills of a whole bucket (hashlimit_byte_cost)', () => {
    // 2kb over 992b/s is 3 refills: 2 packets from the first bucket, 2 from each refill
    const got = passes('-m hashlimit --hashlimit-upto 1000b/s --hashlimit-burst 2kb --hashlimit-name n', 10);
    assert.deepStrictEqual(got, [true, true, true, true, true, true, true, true, false, false]);
    // --hashlimit-above inverts the match, not the accounting
    assert.deepStrictEqual(passes('-m hashlimit --hashlimit-above 1000b/s --hashlimit-name n', 3), [false, false, true]);
  });

  it('--hashlimit-rate-match with bytes counts the bytes of an interval against the rate (times the burst)', () => {
    // 992 bytes an interval: 400 and 800 are within, 1200 is not
    assert.deepStrictEqual(passes('-m hashlimit --hashlimit-upto 1000b/s --hashlimit-rate-match --hashlimit-name n', 3), [true, true, false]);
    // burst 3 (2kb): 2976 bytes, seven packets
    assert.strictEqual(count(passes('-m hashlimit --hashlimit-upto 1000b/s --hashlimit-burst 2kb --hashlimit-rate-match --hashlimit-name n', 9)), 7);
  });
});
