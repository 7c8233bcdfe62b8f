// nf_nat_icmp_reply_translation (v6.12 nf_nat_proto.c) drops an ICMP redirect about a connection
// whose NAT is not null or not yet done in both directions.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import { ROOT } from './helpers';

const FILE = path.join(ROOT, 'test/fidelity/found/fix-nat-icmp-redirect.yaml');

describe('netfilter: NAT and ICMP redirects', () => {
  const text = fs.readFileSync(FILE, 'utf8');
  const redirects = (t: ReturnType<typeof runScenarioText>): { dropped: boolean; why: string }[] =>
    t.packets
      .filter((p) => p.summary.includes('ICMP redirect'))
      .map((p) => {
        const ev = t.events.filter((e) => e.packet === p.id && e.host === 'h3');
        return { dropped: ev.some((e) => e.drop === 'SKB_DROP_REASON_NETFILTER_DROP'), why: ev.find((e) => e.fn === 'nf_nat_icmp_reply_translation')?.what ?? '' };
      });

  it('drops the redirect of a DNATed connection and of a first packet (no source binding yet), not of a settled null NAT', () => {
    const r = redirects(runScenarioText(text, 'fix.yaml'));
    assert.deepStrictEqual(r.map((x) => x.dropped), [true, true, false]);
    assert.match(r[0].why, /destination translation/);
    assert.match(r[1].why, /no source binding yet/);
  });

  it('without nat chains no NAT hook runs, and every redirect goes out', () => {
    const noNat = text.replace(/^ {4}nft .*\n/gm, '');
    const r = redirects(runScenarioText(noNat, 'fix.yaml'));
    // the first datagram is not DNATed now: h3 takes it itself, only the two forwarded ones are redirected
    assert.strictEqual(r.length, 2);
    assert.ok(r.every((x) => !x.dropped));
  });
});
