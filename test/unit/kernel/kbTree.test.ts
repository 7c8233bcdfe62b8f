// The KB checked against the real v6.12 tree: every entry's file exists and defines the symbol.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { all, lookup } from '../../../src/kernel/kb';
import { findDefinition, SourceText } from '../../../src/kernel/matcher';
import { kernelSrcOrSkip } from './kernelSrc';

describe('kernel KB against the v6.12 tree', function () {
  let tree = '';
  const texts = new Map<string, SourceText | null>();
  const read = (f: string): SourceText | null => {
    if (!texts.has(f)) {
      const p = path.join(tree, f);
      texts.set(f, fs.existsSync(p) ? new SourceText(fs.readFileSync(p, 'latin1')) : null);
    }
    return texts.get(f) ?? null;
  };

  before(function () {
    tree = kernelSrcOrSkip(this);
  });

  it('is v6.12', () => {
    const mk = fs.readFileSync(path.join(tree, 'Makefile'), 'utf8');
    assert.match(mk, /^VERSION = 6$/m);
    assert.match(mk, /^PATCHLEVEL = 12$/m);
  });

  it('every entry\'s file exists', () => {
    const missing = [...new Set(all().map((e) => e.file))].filter((f) => !read(f));
    assert.deepStrictEqual(missing, []);
  });

  it('every entry\'s file defines the symbol', () => {
    const wrong = all()
      .filter((e) => {
        const src = read(e.file);
        return !src || findDefinition(src, e) < 0;
      })
      .map((e) => `${e.name} (${e.kind}) not defined in ${e.file}`);
    assert.deepStrictEqual(wrong, []);
  });

  it('every SKB_DROP_REASON_* in the KB is in DEFINE_DROP_REASON and in enum skb_drop_reason', () => {
    const src = read('include/net/dropreason-core.h');
    assert.ok(src);
    const listStart = src.text.indexOf('#define DEFINE_DROP_REASON(');
    const listEnd = src.text.indexOf('\n\n', listStart);
    const list = new Set([...src.text.slice(listStart, listEnd).matchAll(/FNe?\((\w+)\)/g)].map((m) => m[1]));
    const enumStart = src.text.indexOf('enum skb_drop_reason {');
    const enumBody = src.text.slice(enumStart, src.text.indexOf('\n};', enumStart));
    for (const e of all().filter((x) => x.kind === 'drop-reason')) {
      const short = e.name.replace('SKB_DROP_REASON_', '');
      assert.ok(list.has(short), `${short} not in DEFINE_DROP_REASON`);
      assert.match(enumBody, new RegExp(`^\\s*${e.name},`, 'm'), `${e.name} not in the enum`);
    }
  });

  it('has every drop reason the IPv4 path files use (SKB_DROP_REASON_X, SKB_DR_SET/SKB_DR_OR)', () => {
    const files = [
      'net/ipv4/ip_input.c', 'net/ipv4/ip_output.c', 'net/ipv4/ip_forward.c', 'net/ipv4/ip_fragment.c', 'net/ipv4/inet_fragment.c',
      'net/ipv4/route.c', 'net/ipv4/arp.c', 'net/ipv4/icmp.c', 'net/ipv4/udp.c', 'net/ipv4/tcp_ipv4.c', 'net/ipv4/tcp_input.c',
      'net/ipv4/tcp_minisocks.c', 'net/ipv4/ping.c', 'net/ipv4/raw.c', 'net/core/dev.c', 'net/core/neighbour.c', 'net/core/gro.c',
      'net/netfilter/core.c', 'drivers/net/veth.c',
    ];
    const used = new Set<string>();
    for (const f of files) {
      const text = read(f)?.text ?? '';
      for (const m of text.matchAll(/SKB_DROP_REASON_([A-Z0-9_]+)/g)) used.add(m[1]);
      for (const m of text.matchAll(/SKB_DR_(?:SET|OR)\(\w+,\s*([A-Z0-9_]+)\)/g)) used.add(m[1]);
    }
    const missing = [...used].filter((r) => r !== 'MAX' && !lookup(`SKB_DROP_REASON_${r}`)).sort();
    assert.deepStrictEqual(missing, []);
  });
});
