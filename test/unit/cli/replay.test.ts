// `netstack replay` and the streamed output of `netstack trace`.
import * as assert from 'assert';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { main } from '../../../src/cli/netstack';
import { formatTrace } from '../../../src/debugger/format';
import { traceJsonParts, writeParts, type Sink } from '../../../src/cli/stream';
import { runExample } from '../model/helpers';
import * as fs from 'fs';
import * as os from 'os';
import { FIXTURES, pcap } from '../capture/write';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const SCENARIO = path.join(FIXTURES, 'server.yaml');
const CAPTURE = path.join(FIXTURES, 'dumpcap.pcapng');

describe('netstack replay', () => {
  it('prints each frame\'s fate and a summary by fate, function, reason and rule', async () => {
    const r = await cli('replay', CAPTURE, '--scenario', SCENARIO, '--into', 'server:eth0');
    assert.strictEqual(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.strictEqual(lines.length, 7);
    assert.match(lines[0], /^frame 1 \(#\d+\) consumed server:arp_process \(answered\) {2}ARP, Request who-has 10\.0\.1\.1 tell 10\.0\.1\.2$/);
    assert.match(lines[5], /^frame 6 \(#\d+\) dropped server:nft_do_chain SKB_DROP_REASON_NETFILTER_DROP \(filter input rule 1\) {2}10\.0\.1\.2\.40000 > 10\.0\.1\.1\.9: UDP/);
    assert.strictEqual(lines[6], '6 frames: 3 consumed; 2 delivered; 1 dropped: nft_do_chain NETFILTER_DROP (filter input rule 1)');
  });

  it('--json: one JSON object per frame, then the summary', async () => {
    const r = await cli('replay', CAPTURE, '--scenario', SCENARIO, '--into', 'server:eth0', '--json', '--timing', 'max');
    const objs = r.out.split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(objs.slice(0, 6).map((o) => [o.frame, o.fate.kind, o.fate.fn]), [
      [1, 'consumed', 'arp_process'],
      [2, 'consumed', 'icmp_echo'],
      [3, 'consumed', 'icmp_echo'],
      [4, 'delivered', 'udp_recvmsg'],
      [5, 'delivered', 'udp_recvmsg'],
      [6, 'dropped', 'nft_do_chain'],
    ]);
    assert.deepStrictEqual(objs[0].offset, 264, 'the byte offset of its block in the file');
    assert.deepStrictEqual(objs[6], { summary: { consumed: 3, delivered: 2, 'dropped: nft_do_chain NETFILTER_DROP (filter input rule 1)': 1 }, frames: 6 });
  });

  it('takes a scenario without `traffic:` (made only to replay captures into)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-replay-'));
    try {
      const text = fs.readFileSync(SCENARIO, 'utf8').replace(/^traffic:[^]*$/m, '');
      assert.ok(!text.includes('traffic:'));
      fs.writeFileSync(path.join(dir, 'bare.yaml'), text);
      fs.copyFileSync(CAPTURE, path.join(dir, 'c.pcapng'));
      const r = await cli('replay', path.join(dir, 'c.pcapng'), '--scenario', path.join(dir, 'bare.yaml'), '--into', 'server:eth0');
      assert.strictEqual(r.code, 0, r.err);
      assert.strictEqual(r.out.split('\n').pop(), '6 frames: 3 consumed; 2 delivered; 1 dropped: nft_do_chain NETFILTER_DROP (filter input rule 1)');
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('a frame packet_snd refuses is reported as not sent, with the errno', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-replay-'));
    try {
      const file = path.join(dir, 'short.pcap');
      fs.writeFileSync(file, pcap([{ tsNs: 0n, data: new Uint8Array(10) }]));
      const r = await cli('replay', file, '--scenario', SCENARIO, '--into', 'server:eth0');
      assert.deepStrictEqual(r.out.split('\n'), ['frame 1 not sent: packet_snd: EINVAL: 10 bytes is shorter than an Ethernet header', '1 frame: 1 not sent: packet_snd']);
      const j = await cli('replay', file, '--scenario', SCENARIO, '--into', 'server:eth0', '--json');
      assert.deepStrictEqual(JSON.parse(j.out.split('\n')[0]), { frame: 1, offset: 24, packet: null, summary: null, fate: { kind: 'not-sent', detail: 'packet_snd: EINVAL: 10 bytes is shorter than an Ethernet header' } });
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('reads the scenario and its rules files as `netstack trace` does: in its folder, regular files only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-replay-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'secret.nft'), 'secret words\n');
      const sc = fs.readFileSync(SCENARIO, 'utf8').replace('    nft add table ip filter\n', `    nft -f ../${path.basename(outside)}/secret.nft\n    nft add table ip filter\n`);
      fs.writeFileSync(path.join(dir, 's.yaml'), sc);
      const r = await cli('replay', CAPTURE, '--scenario', path.join(dir, 's.yaml'), '--into', 'server:eth0');
      assert.strictEqual(r.code, 1, r.out);
      assert.match(r.err, /s\.yaml:\d+:\d+: .*secret\.nft is outside the scenario's folder/);
      assert.ok(!r.err.includes('secret words'), r.err);
      // a FIFO named as the scenario is refused at once, not waited on
      const fifo = path.join(dir, 'fifo.yaml');
      execFileSync('mkfifo', [fifo]);
      const f = await cli('replay', CAPTURE, '--scenario', fifo, '--into', 'server:eth0');
      assert.strictEqual(f.code, 2);
      assert.match(f.err, /fifo\.yaml is not a regular file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('says what is wrong with the command line, the interface or the capture', async () => {
    assert.match((await cli('replay', CAPTURE, '--scenario', SCENARIO)).err, /--into HOST:IF is needed/);
    assert.match((await cli('replay', '--scenario', SCENARIO, '--into', 'server:eth0')).err, /give exactly one capture file/);
    assert.match((await cli('replay', CAPTURE, '--scenario', SCENARIO, '--into', 'server:eth7')).err, /server has no interface eth7 on a link/);
    assert.match((await cli('replay', CAPTURE, '--scenario', SCENARIO, '--into', 'router:eth0')).err, /no host router; hosts are client, server/);
    const bad = await cli('replay', SCENARIO, '--scenario', SCENARIO, '--into', 'server:eth0');
    assert.strictEqual(bad.code, 1);
    assert.match(bad.err, /^netstack replay: .*server\.yaml: at byte 0: unknown magic number 0x6e616d65/);
  });
});

describe('netstack trace: output written as it goes', () => {
  const t = runExample('nf-forward-drop');

  it('the streamed JSON is one document with the same content as JSON.stringify', async () => {
    const parts: string[] = [];
    let drains = 0;
    // a sink that always asks to wait: the writer must wait and go on
    const sink: Sink = { write: (s) => parts.push(s) < 0, drain: async () => void drains++ };
    await writeParts(traceJsonParts(t), sink);
    const text = parts.join('');
    assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(t)));
    assert.strictEqual(text.split('\n').length, 1 + t.packets.length + t.events.length, 'each packet and event on a line of its own');
    assert.ok(drains >= 1);
  });

  it('the CLI prints the same text and JSON as before, now streamed', async () => {
    const file = path.resolve(__dirname, '../../../../examples/nf-forward-drop.yaml');
    const text = await cli('trace', file);
    assert.strictEqual(text.out, formatTrace(t, { color: process.stdout.isTTY }));
    const json = await cli('trace', file, '--json');
    assert.deepStrictEqual(JSON.parse(json.out), JSON.parse(JSON.stringify(t)));
  });
});
