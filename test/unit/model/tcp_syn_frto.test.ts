// A SYN's timeouts and the SYN-ACK that ends them (v6.12 tcp_retransmit_timer → tcp_enter_loss;
// tcp_rcv_synsent_state_process → tcp_ack → tcp_process_loss): F-RTO undoes only timeouts whose
// SYN never went out again.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FILE = path.resolve(EXAMPLES, '../test/fidelity/found/fix-tcp-syn-frto-undo.yaml');
const run = (edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(FILE, 'utf8')), 'fix-tcp-syn-frto-undo.yaml');
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;

describe('TCP: a SYN-ACK after SYN timeouts (F-RTO, v6.12)', () => {
  it('a SYN held in the arp_queue through two timeouts: the SYN-ACK undoes them as spurious', () => {
    const t = run();
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPSpuriousRtxHostQueues'), 2);
    assert.strictEqual(counter(t, 'a', 'TcpRetransSegs'), 0);
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPLossUndo'), 1);
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPSpuriousRTOs'), 1);
    assert.strictEqual(counter(t, 'a', 'TcpActiveOpens'), 1);
    assert.strictEqual(counter(t, 'a', 'TcpAttemptFails'), 0);
  });

  it('no timeout, no undo', () => {
    const t = run((s) => s.replace('    sysctl -w net.ipv4.neigh.eth0.app_solicit=2\n', ''));
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPLossUndo'), 0);
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPSpuriousRTOs'), 0);
  });

  it('a SYN that was sent again is not undone: the SYN-ACK acknowledges retransmitted data', () => {
    // the ARP is answered at once, and b drops the first SYN: the retransmission at 1 s goes out
    const t = run((s) =>
      s
        .replace('    sysctl -w net.ipv4.neigh.eth0.app_solicit=2\n', '')
        .replace("    ip link set eth0 up\nlinks", "    ip link set eth0 up\n    nft add table ip f\n    nft add chain ip f in '{ type filter hook input priority 0; policy accept; }'\n    nft add rule ip f in tcp flags syn quota until 60 bytes drop\nlinks"),
    );
    assert.strictEqual(counter(t, 'a', 'TcpRetransSegs'), 1);
    assert.strictEqual(counter(t, 'a', 'TcpActiveOpens'), 1);
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPLossUndo'), 0);
    assert.strictEqual(counter(t, 'a', 'TcpExtTCPSpuriousRTOs'), 0);
  });
});
