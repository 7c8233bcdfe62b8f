// ndisc_recv_ns (v6.12): a solicitation for a target that is not an address of the receiving
// device is freed with IPV6_NDISC_NS_OTHERHOST, DAD probe or not. Checked on the kernel by
// test/fidelity/found/fix-ndisc-ns-otherhost.yaml.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-ndisc-ns-otherhost.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-ndisc-ns-otherhost.yaml');
const otherhost = (t: Trace): string[] =>
  t.packets.filter((p) => p.fate.reason === 'SKB_DROP_REASON_IPV6_NDISC_NS_OTHERHOST').map((p) => `${p.fate.host} ${p.summary.replace(/,.*who has /, ' ').replace(/,.*/, '')}`);

describe('ndisc_recv_ns: a solicitation for another host (v6.12)', () => {
  it("drops a's solicitations for fe80::1 at b, which only shares their solicited-node group", () => {
    const t = run();
    const fe80 = otherhost(t).filter((x) => x.endsWith(' fe80::1'));
    assert.strictEqual(fe80.length, 3);
    assert.ok(fe80.every((x) => x.startsWith('b ')));
  });

  it("answers when the target is the receiving device's own address", () => {
    // the datagram comes from b's address: a solicits 2001:db8:1::1 in the same group, and b answers
    const t = run((s) => s.replace('[fe80::1]:53', '[2001:db8:1::1]:53'));
    assert.strictEqual(otherhost(t).filter((x) => x.endsWith(' 2001:db8:1::1')).length, 0);
    assert.ok(t.packets.some((p) => p.fate.host === 'a' && /neighbour advertisement, tgt is 2001:db8:1::1/.test(p.summary)));
  });
});
