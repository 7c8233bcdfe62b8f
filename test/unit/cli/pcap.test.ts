// `netstack trace --pcap`: the frames every device was handed, as a pcapng file.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { traceToPcapng } from '../../../src/cli/pcap';
import { runExample } from '../model/helpers';
import { skipOrFail } from '../../skip';

interface Block {
  type: number;
  body: DataView;
}

function blocks(b: Uint8Array): Block[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Block[] = [];
  for (let at = 0; at < b.length; ) {
    const type = v.getUint32(at, true);
    const len = v.getUint32(at + 4, true);
    assert.strictEqual(v.getUint32(at + len - 4, true), len, 'block length is repeated at its end');
    out.push({ type, body: new DataView(b.buffer, b.byteOffset + at + 8, len - 12) });
    at += len;
  }
  return out;
}

describe('pcapng export of a trace', () => {
  const t = runExample('forward-ping');
  const pc = traceToPcapng(t);

  it('has one interface per host:device and one packet block per frame handed to a device', () => {
    const bs = blocks(pc.bytes);
    assert.strictEqual(bs[0].type, 0x0a0d0d0a);
    const idbs = bs.filter((x) => x.type === 1);
    const epbs = bs.filter((x) => x.type === 6);
    assert.deepStrictEqual(pc.interfaces, ['client:eth0', 'router:eth0', 'router:eth1', 'server:eth0']);
    assert.strictEqual(idbs.length, 4);
    const sent = t.events.filter((e) => e.fn === 'dev_hard_start_xmit');
    assert.strictEqual(epbs.length, sent.length);
    assert.strictEqual(pc.frames, sent.length);
    // The first frame is the client's ARP request, byte for byte, broadcast.
    const first = epbs[0].body;
    const len = first.getUint32(12, true);
    assert.strictEqual(len, 42);
    const dst = Array.from({ length: 6 }, (_, i) => first.getUint8(20 + i));
    assert.deepStrictEqual(dst, [255, 255, 255, 255, 255, 255]);
    assert.strictEqual(first.getUint16(20 + 12), 0x0806);
  });

  it('is read by tcpdump', function () {
    if (spawnSync('tcpdump', ['--version']).status !== 0) skipOrFail(this, 'tcpdump is not installed (apt-get install tcpdump)');
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-pcap-')), 't.pcapng');
    fs.writeFileSync(f, pc.bytes);
    const r = spawnSync('tcpdump', ['-nr', f], { encoding: 'utf8' });
    fs.rmSync(path.dirname(f), { recursive: true, force: true });
    assert.strictEqual(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.strictEqual(lines.length, pc.frames);
    assert.match(lines[2], /IP 10\.0\.1\.2 > 10\.0\.2\.2: ICMP echo request, id \d+, seq 1, length 64/);
  });
});

describe('netstack trace --pcap with --fates', () => {
  it('is refused: a fates-level run records no frames, so the capture would be empty', async () => {
    const { main } = await import('../../../src/cli/netstack');
    const errs: string[] = [];
    const file = path.join(os.tmpdir(), `nsx-fates-pcap-${process.pid}.pcapng`);
    const code = await main(['trace', path.resolve(__dirname, '../../../../examples/forward-ping.yaml'), '--fates', '--pcap', file], () => undefined, (s) => errs.push(s));
    assert.strictEqual(code, 2);
    assert.match(errs.join('\n'), /--pcap .* --fates records none/);
    assert.strictEqual(fs.existsSync(file), false);
  });
});
