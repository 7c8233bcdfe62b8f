// The `pcap:` traffic item: parsed with its errors at file:line:col, confined to the scenario's
// folder, and run: the capture's frames arrive on HOST:IF and go through the model's stack.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario } from '../../../src/scenario/run';
import { ScenarioErrors, type PcapItem } from '../../../src/scenario/types';
import { fileChunks, scenarioCaptureOpener } from '../../../src/capture/file';
import { readCapture } from '../../../src/capture/reader';
import type { CaptureSent } from '../../../src/scenario/runPcap';
import { FIXTURES, pcap } from './write';

const SCENARIO = path.join(FIXTURES, 'server.yaml');

function scenario(traffic: string): string {
  return `name: t
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
links:
  - client:eth0 server:eth0
listen:
  - server: udp 53
traffic:
${traffic}`;
}

function errors(text: string): string[] {
  try {
    parseScenario(text, 'sc.yaml');
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  return [];
}

describe('scenario: the pcap traffic item', () => {
  it('parses FILE, HOST:IF and timing, asis by default', () => {
    const sc = parseScenario(scenario('  - pcap: caps/a.pcap\n    into: server:eth0\n  - pcap: b.pcapng\n    into: server:eth0\n    timing: max\n'), 'sc.yaml');
    const [a, b] = sc.traffic as PcapItem[];
    assert.deepStrictEqual([a.kind, a.file.text, a.host.text, a.ifname.text, a.timing], ['pcap', 'caps/a.pcap', 'server', 'eth0', 'asis']);
    assert.deepStrictEqual(a.file.pos, { file: 'sc.yaml', line: 14, col: 11 });
    assert.strictEqual(b.timing, 'max');
  });

  it('refuses what it cannot take, each at its line and column', () => {
    assert.deepStrictEqual(errors(scenario('  - pcap: ../secret.pcap\n    into: server:eth0\n')), ["sc.yaml:14:11: `../secret.pcap` leaves the scenario's folder: a scenario reads only files in its folder or below"]);
    assert.deepStrictEqual(errors(scenario('  - pcap: /etc/shadow\n    into: server:eth0\n')), ["sc.yaml:14:11: `/etc/shadow` is an absolute path: name a file in the scenario's folder, relative to it"]);
    assert.deepStrictEqual(errors(scenario('  - pcap: a/../../x.pcap\n    into: server:eth0\n')).length, 1);
    assert.deepStrictEqual(errors(scenario('  - pcap: a.pcap\n')), ['sc.yaml:14:5: a capture item needs `into: HOST:IF`: the interface its frames arrive on']);
    assert.deepStrictEqual(errors(scenario('  - pcap: a.pcap\n    into: server:eth0\n    timing: fast\n')), ['sc.yaml:16:13: `fast`: expected asis (the captured spacing) or max (each frame once the network has settled)']);
    assert.deepStrictEqual(errors(scenario('  - pcap: a.pcap\n    into: server:eth0\n    send: udp\n')), ['sc.yaml:16:5: `send`: unknown key in a capture item; it has pcap: FILE, into: HOST:IF and timing: asis|max']);
    assert.deepStrictEqual(errors(scenario('  - pcap: a.pcap\n    into: server:eth9\n')), ['sc.yaml:15:18: host `server` has no interface `eth9`']);
    assert.deepStrictEqual(errors(scenario('  - pcap: a.pcap\n    into: router:eth0\n')), ['sc.yaml:15:11: unknown host `router`; hosts are client, server']);
  });

  it('runs the capture tcpdump took: ARP answered, pings answered, DNS delivered, port 9 dropped by the rule', () => {
    const sc = parseScenario(fs.readFileSync(SCENARIO, 'utf8'), SCENARIO);
    const sent: CaptureSent[] = [];
    const t = runScenario(sc, { readFile: () => '', openCapture: scenarioCaptureOpener(FIXTURES), onCaptureFrame: (s) => sent.push(s) });
    assert.strictEqual(sent.length, 6);
    const fates = sent.map((s) => t.packets.find((p) => p.id === s.packet)!.fate);
    assert.deepStrictEqual(
      fates.map((f) => `${f.kind} ${f.host}:${f.fn} ${f.reason ?? ''} ${f.detail ?? ''}`.trim()),
      [
        'consumed server:arp_process  answered',
        'consumed server:icmp_echo  answered with an echo reply',
        'consumed server:icmp_echo  answered with an echo reply',
        'delivered server:udp_recvmsg  read by the application on 0.0.0.0:53',
        'delivered server:udp_recvmsg  read by the application on 0.0.0.0:53',
        'dropped server:nft_do_chain SKB_DROP_REASON_NETFILTER_DROP filter input rule 1',
      ],
    );
    // every frame came in on server:eth0 from the wire (packet_snd on the link's other end)
    for (const s of sent) assert.strictEqual(t.events.find((e) => e.packet === s.packet)!.fn, 'packet_snd');
    const sock = t.sockets.find((s) => s.host === 'server')!;
    assert.deepStrictEqual(sock.received.map((r) => [r.data, r.packet]), [['query one', sent[3].packet], ['query two', sent[4].packet]]);
  });

  it('asis keeps the captured spacing between frames; max sends each once the network settled', () => {
    const frames = [0n, 2_000_000_000n].map((ts) => ({ tsNs: 1_700_000_000_000_000_000n + ts, data: arpRequest() }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-pcap-'));
    try {
      fs.writeFileSync(path.join(dir, 'two.pcap'), pcap(frames, { ns: true }));
      const times = (timing: string): number[] => {
        const sc = parseScenario(scenario(`  - pcap: two.pcap\n    into: server:eth0\n    timing: ${timing}\n`), path.join(dir, 'sc.yaml'));
        const sent: CaptureSent[] = [];
        const t = runScenario(sc, { openCapture: scenarioCaptureOpener(dir), onCaptureFrame: (s) => sent.push(s) });
        return sent.map((s) => t.events.find((e) => e.packet === s.packet)!.time);
      };
      const asis = times('asis');
      assert.strictEqual(asis[1] - asis[0], 2_000_000_000);
      const max = times('max');
      assert.ok(max[1] - max[0] < 1_000_000, `max: ${max[1] - max[0]} ns apart`);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('a capture outside the folder through a symlink, a missing one, or a bad one: an error at the item', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-pcap-'));
    try {
      fs.symlinkSync(path.join(FIXTURES, 'tcpdump-us.pcap'), path.join(dir, 'link.pcap'));
      fs.writeFileSync(path.join(dir, 'bad.pcap'), pcap([{ tsNs: 0n, data: arpRequest() }]).subarray(0, 50));
      fs.mkdirSync(path.join(dir, 'sub.pcap'));
      const run = (file: string): string => {
        const sc = parseScenario(scenario(`  - pcap: ${file}\n    into: server:eth0\n`), path.join(dir, 'sc.yaml'));
        try {
          runScenario(sc, { openCapture: scenarioCaptureOpener(dir) });
        } catch (e) {
          if (e instanceof ScenarioErrors) return e.message;
          throw e;
        }
        return 'ran';
      };
      assert.match(run('link.pcap'), /sc\.yaml:14:11: cannot read link\.pcap: it resolves to .*tcpdump-us\.pcap, outside the scenario's folder/);
      assert.match(run('missing.pcap'), /sc\.yaml:14:11: cannot read missing\.pcap: ENOENT/);
      assert.match(run('sub.pcap'), /sc\.yaml:14:11: cannot read sub\.pcap: not a regular file/);
      assert.match(run('bad.pcap'), /sc\.yaml:14:11: bad\.pcap: at byte 24: the capture is truncated: the file ends inside a packet record/);
      const sc = parseScenario(scenario('  - pcap: x.pcap\n    into: server:eth0\n'), 'sc.yaml');
      assert.throws(() => runScenario(sc), /sc\.yaml:14:11: cannot read x\.pcap: this run was given no capture reader/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('packet_snd refuses a frame shorter than an Ethernet header or longer than the MTU allows', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-pcap-'));
    try {
      const big = new Uint8Array(1515);
      big.set(arpRequest());
      fs.writeFileSync(path.join(dir, 'odd.pcap'), pcap([{ tsNs: 0n, data: new Uint8Array(10) }, { tsNs: 0n, data: big }, { tsNs: 0n, data: arpRequest() }]));
      const sc = parseScenario(scenario('  - pcap: odd.pcap\n    into: server:eth0\n'), path.join(dir, 'sc.yaml'));
      const sent: CaptureSent[] = [];
      runScenario(sc, { openCapture: (f) => fileChunks(path.join(dir, f)), onCaptureFrame: (s) => sent.push(s) });
      assert.deepStrictEqual(sent.map((s) => s.refused ?? `packet ${s.packet !== undefined}`), [
        'packet_snd: EINVAL: 10 bytes is shorter than an Ethernet header',
        "packet_snd: EMSGSIZE: the 1515-byte frame is longer than eth0's MTU 1500 plus its link header, and it carries no 802.1Q tag",
        'packet true',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

/** An ARP request from the fixtures' capture (client asks for 10.0.1.1). */
function arpRequest(): Uint8Array {
  let first: Uint8Array | undefined;
  readCapture(fileChunks(path.join(FIXTURES, 'tcpdump-us.pcap')), (f) => (first ??= f.data.slice()));
  return first!;
}
