import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { explainCommand, resolveCommand } from '../../../src/cli/kernelCommands';
import { all } from '../../../src/kernel/kb';
import { kernelSrcOrSkip } from './kernelSrc';

function capture(): { out: (s: string) => void; text: () => string; lines: string[] } {
  const lines: string[] = [];
  return { out: (s) => lines.push(s), text: () => lines.join('\n'), lines };
}

describe('netstack explain', () => {
  it('prints an entry: explanation, file, layer, model steps', () => {
    const c = capture();
    assert.strictEqual(explainCommand(['ip_forward'], c.out), 0);
    assert.match(c.text(), /^ip_forward {2}\(function, L3\)/);
    assert.match(c.text(), /defined in: net\/ipv4\/ip_forward\.c \(v6\.12\)/);
    assert.match(c.text(), /model steps: ip_forward/);
  });
  it('takes skb->len, sk_buff.len and struct names', () => {
    for (const q of [['skb->len'], ['sk_buff.len'], ['struct', 'sk_buff']]) {
      const c = capture();
      assert.strictEqual(explainCommand(q, c.out), 0, q.join(' '));
    }
    const c = capture();
    explainCommand(['sk_buff'], c.out);
    assert.match(c.text(), /fields: .*pkt_type/);
  });
  it('unknown symbol: suggestions and exit 1; no symbol: usage and exit 2', () => {
    const c = capture();
    assert.strictEqual(explainCommand(['ip_foward'], c.out), 1);
    assert.match(c.text(), /unknown kernel symbol: ip_foward/);
    assert.match(c.text(), /did you mean: .*ip_forward/);
    const u = capture();
    assert.strictEqual(explainCommand([], u.out), 2);
    assert.match(u.text(), /usage: netstack explain/);
  });
});

describe('netstack resolve', () => {
  const SUMMARY = /^(\d+) symbols, (\d+) found, (\d+) missing in (\d+) ms$/;

  it('a tree with missing symbols: lists them, exit 1, ends with the summary line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-resolve-'));
    try {
      fs.mkdirSync(path.join(dir, 'net/core'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\n');
      fs.writeFileSync(path.join(dir, 'net/core/dev.c'), 'int netif_rx(struct sk_buff *skb)\n{\n\treturn 0;\n}\n');
      const c = capture();
      assert.strictEqual(await resolveCommand([dir], c.out), 1);
      assert.ok(c.lines.some((l) => l.startsWith('missing: ip_forward ')));
      const m = SUMMARY.exec(c.lines[c.lines.length - 1]);
      assert.ok(m, c.lines[c.lines.length - 1]);
      assert.strictEqual(Number(m[1]), all().length);
      assert.strictEqual(Number(m[2]), 1);
      assert.strictEqual(Number(m[3]), all().length - 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('not a tree, or no argument: exit 2', async () => {
    const c = capture();
    assert.strictEqual(await resolveCommand([os.tmpdir()], c.out), 2);
    assert.match(c.text(), /not a kernel tree/);
    assert.strictEqual(await resolveCommand([], capture().out), 2);
  });

  it('the real v6.12 tree: everything found, exit 0', async function () {
    const tree = kernelSrcOrSkip(this);
    const c = capture();
    assert.strictEqual(await resolveCommand([tree], c.out), 0, c.text());
    const m = SUMMARY.exec(c.lines[c.lines.length - 1]);
    assert.ok(m, c.text());
    assert.strictEqual(m[1], m[2]);
    assert.strictEqual(m[3], '0');
  });
});
