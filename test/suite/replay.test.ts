// "Replay Capture…" inside a real extension host: a capture of the workspace replayed into a
// scenario's interface in the scenario worker, the summary by fate, function, reason and rule in
// the Capture Replay view, a packet opened in the debugger at its first event, and the refusals
// (a capture outside the workspace, an interface that is no link's end).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { closeAll, debuggerTabs, extension, scratchDir, waitFor } from './helpers';

interface Shown {
  into: string;
  summary: { frames: number; groups: [string, number][]; rows: { frame: number; packet: number | null; group: string; fate: { kind: string; fn: string; host: string } | null }[] };
}
interface Opened {
  packet: number;
  title: string;
  index?: number;
  focus: number | null;
  event?: { packet: number; fn: string; host: string };
}

const SCENARIO = `name: a server with a firewall, for a capture
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
    nft add table ip filter
    nft add chain ip filter input '{ type filter hook input priority 0; policy accept; }'
    nft add rule ip filter input udp dport 9 counter drop
links:
  - client:eth0 server:eth0
listen:
  - server: udp 53
traffic:
  - from: client
    send: icmp echo-request to 10.0.1.1
`;

describe('Replay Capture in the extension host', function () {
  // the worker runs the model; minutes on a busy machine
  this.timeout(180_000);
  const dir = path.join(scratchDir(), 'replay');
  const capture = path.join(dir, 'capture.pcapng');
  const scenario = path.join(dir, 'server.yaml');
  let shown: Shown | undefined;

  before(async () => {
    await extension().activate();
    fs.mkdirSync(dir, { recursive: true });
    // written by dumpcap on a real veth (test/fixtures/captures/make.sh): ARP, two pings, UDP to 53 twice and to 9
    fs.copyFileSync(path.join(extension().extensionPath, 'test', 'fixtures', 'captures', 'dumpcap.pcapng'), capture);
    fs.writeFileSync(scenario, SCENARIO);
  });
  after(closeAll);

  it('replays the capture into server:eth0: the summary by fate, function, reason and rule, and each frame', async () => {
    shown = (await vscode.commands.executeCommand('netstackExplorer.replayCapture', { capture, scenario, into: 'server:eth0' })) as Shown | undefined;
    assert.ok(shown, 'the replay gave a result');
    assert.strictEqual(shown.summary.frames, 6);
    assert.deepStrictEqual(shown.summary.groups, [
      ['consumed', 3],
      ['delivered', 2],
      ['dropped: nft_do_chain NETFILTER_DROP (filter input rule 1)', 1],
    ]);
    assert.deepStrictEqual(
      shown.summary.rows.map((r) => [r.frame, r.fate?.kind, r.fate?.fn]),
      [
        [1, 'consumed', 'arp_process'],
        [2, 'consumed', 'icmp_echo'],
        [3, 'consumed', 'icmp_echo'],
        [4, 'delivered', 'udp_recvmsg'],
        [5, 'delivered', 'udp_recvmsg'],
        [6, 'dropped', 'nft_do_chain'],
      ],
    );
  });

  it('opens the dropped frame\'s packet in the packet debugger at its first event', async () => {
    const dropped = shown!.summary.rows[5];
    assert.notStrictEqual(dropped.packet, null);
    const opened = (await vscode.commands.executeCommand('netstackExplorer.replay.openPacket', dropped.packet)) as Opened | undefined;
    assert.ok(opened, 'the debugger opened');
    assert.strictEqual(opened.focus, dropped.packet);
    assert.strictEqual(opened.event?.packet, dropped.packet, 'the debugger stands on an event of that packet');
    await waitFor('a debugger tab for the replay', () => debuggerTabs().find((t) => t.label.includes('capture.pcapng → server:eth0')), 60_000);
  });

  it('refuses a capture outside the workspace, and an interface that is no end of a link', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-outside-'));
    try {
      const far = path.join(outside, 'capture.pcapng');
      fs.copyFileSync(capture, far);
      assert.strictEqual(await vscode.commands.executeCommand('netstackExplorer.replayCapture', { capture: far, scenario, into: 'server:eth0' }), undefined);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
    assert.strictEqual(await vscode.commands.executeCommand('netstackExplorer.replayCapture', { capture, scenario, into: 'server:eth9' }), undefined);
  });
});
