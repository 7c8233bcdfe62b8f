// The replay shared by `netstack replay` and VS Code's "Replay Capture…" (src/scenario/replay.ts):
// the HOST:IF a capture arrives on, the groups of the summary, the frames.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { linkEnds, replayGroup, replayItem, runReplay, summaryLine } from '../../../src/scenario/replay';
import { fileChunks } from '../../../src/capture/file';
import { FIXTURES } from '../capture/write';

const SCENARIO = path.join(FIXTURES, 'server.yaml');

describe('capture replay (shared by the CLI and VS Code)', () => {
  const text = fs.readFileSync(SCENARIO, 'utf8');
  const sc = parseScenario(text, SCENARIO);

  it('takes HOST:IF only at an end of a link, and says why not otherwise', () => {
    assert.strictEqual(typeof replayItem(sc, 'server:eth0', 'c.pcap'), 'object');
    assert.match(replayItem(sc, 'server', 'c.pcap') as string, /^server: expected HOST:IF/);
    assert.match(replayItem(sc, 'router:eth0', 'c.pcap') as string, /no host router; hosts are client, server/);
    assert.match(replayItem(sc, 'server:eth1', 'c.pcap') as string, /server has no interface eth1 on a link/);
  });

  it('reads the ends of the links from the text, without running it', () => {
    assert.deepStrictEqual(linkEnds(text), ['client:eth0', 'server:eth0']);
    assert.deepStrictEqual(linkEnds('hosts:\n  a: |\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0  # x\n  - b:eth1 c:eth0\ntraffic: []\n'), ['a:eth0', 'b:eth0', 'b:eth1', 'c:eth0']);
  });

  it('groups a drop by function, reason and rule; a refused frame by what refused it', () => {
    assert.strictEqual(replayGroup({ kind: 'dropped', host: 'r', fn: 'nft_do_chain', reason: 'SKB_DROP_REASON_NETFILTER_DROP', detail: 'filter forward rule 3' }), 'dropped: nft_do_chain NETFILTER_DROP (filter forward rule 3)');
    assert.strictEqual(replayGroup({ kind: 'delivered', host: 's', fn: 'udp_recvmsg' }), 'delivered');
    assert.strictEqual(replayGroup(undefined, 'packet_snd: EMSGSIZE: too long'), 'not sent: packet_snd');
    assert.strictEqual(summaryLine(new Map([['delivered', 2], ['consumed', 3]])), '3 consumed; 2 delivered');
  });

  it('runs the capture after the scenario\'s traffic, at the fates level, frame by frame', () => {
    const noTraffic = { ...sc, traffic: [] };
    const item = replayItem(noTraffic, 'server:eth0', 'dumpcap.pcapng');
    assert.ok(typeof item === 'object');
    const run = runReplay(noTraffic, item, () => ({ [Symbol.iterator]: () => fileChunks(path.join(FIXTURES, 'dumpcap.pcapng')) }));
    assert.strictEqual(run.frames, 6);
    assert.strictEqual(run.trace.events.length, 0, 'no events at the fates level');
    assert.deepStrictEqual([...run.groups.entries()].sort(), [['consumed', 3], ['delivered', 2], ['dropped: nft_do_chain NETFILTER_DROP (filter input rule 1)', 1]]);
    const last = run.frame(5);
    assert.strictEqual(last.frame, 6);
    assert.strictEqual(last.packet?.fate.fn, 'nft_do_chain');
    assert.ok(last.offset > run.frame(4).offset);
  });
});
