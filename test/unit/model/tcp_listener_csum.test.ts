// tcp_v4_do_rcv (net/ipv4/tcp_ipv4.c, v6.12): outside ESTABLISHED, tcp_checksum_complete runs
// before tcp_rcv_state_process, so a listener never answers a segment with a bad checksum.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';

const FOUND = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', 'fix-tcp-listener-csum-first.yaml');

describe('tcp_v4_do_rcv: the checksum before the flags', () => {
  it('an ACK with a bad checksum to a listener is TCP_CSUM with no RST; a good one gets its RST', () => {
    const t = runScenarioText(fs.readFileSync(FOUND, 'utf8'), 'fix-tcp-listener-csum-first.yaml');
    const [bad, good] = t.packets.filter((p) => p.fate.host === 'b' && p.fate.fn === 'tcp_v4_do_rcv');
    assert.strictEqual(`${bad.fate.fn} ${bad.fate.reason}`, 'tcp_v4_do_rcv SKB_DROP_REASON_TCP_CSUM');
    assert.strictEqual(`${good.fate.fn} ${good.fate.reason}`, 'tcp_v4_do_rcv SKB_DROP_REASON_TCP_FLAGS');
    assert.strictEqual(t.counters.b.TcpInCsumErrors, 1);
    assert.strictEqual(t.counters.b.TcpOutRsts, 1);
  });
});
