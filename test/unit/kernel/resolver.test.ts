import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { all, lookup } from '../../../src/kernel/kb';
import type { KbEntry } from '../../../src/kernel/kb/types';
import { findDefinition, functionDefinitions, SourceText } from '../../../src/kernel/matcher';
import { isKernelTree, resolveTree, treeVersion } from '../../../src/kernel/resolver';
import { kernelSrcOrSkip } from './kernelSrc';

const q = (name: string): KbEntry => {
  const e = lookup(name);
  if (!e) throw new Error(name);
  return e;
};

// Small C texts written for these tests (not kernel code): each exercises one definition pattern.
const SAMPLE = `/* ip_forward(skb) is mentioned in a comment */
int ip_forward(struct sk_buff *skb);

static int helper(void)
{
	return ip_forward(NULL);
}

int
ip_forward(struct sk_buff *skb)
{
	return 0;
}

static int tcp_child_process(struct sock *parent,
			     struct sock *child)
	__releases(&((child)->lock))
{
	return 0;
}

struct sk_buff {
	/* len: not this line */
	unsigned char		*head,
				*data;
	unsigned int		len,
				data_len;
	__u8			pkt_type:3;
	int			(*poll)(int);
	struct {
		int x;
	} sk_backlog;
#define sk_state	common.state
};

#define NF_DROP 0
enum nf_inet_hooks {
	NF_INET_PRE_ROUTING,
	NF_INET_LOCAL_IN = 1,
};
#define DEFINE_DROP_REASON(FN, FNe)	\\
	FN(NOT_SPECIFIED)		\\
	FNe(MAX)
struct neigh_table arp_tbl = {
	.family = 2,
};
`;

describe('kernel matcher (definition patterns)', () => {
  const src = new SourceText(SAMPLE);
  const line = (s: string): number => SAMPLE.split('\n').findIndex((l) => l.includes(s));

  it('finds a function definition, not its prototype, call or comment', () => {
    assert.strictEqual(findDefinition(src, { name: 'ip_forward', kind: 'function' }), 9);
    assert.strictEqual(findDefinition(src, { name: 'helper', kind: 'function' }), line('static int helper'));
  });
  it('sees through multi-line parameters and attribute macros with nested parentheses', () => {
    assert.strictEqual(findDefinition(src, { name: 'tcp_child_process', kind: 'function' }), line('static int tcp_child_process'));
  });
  it('finds struct members: continued declarators, bitfields, function pointers, nested structs, #define aliases', () => {
    const f = (field: string): number => findDefinition(src, { name: `sk_buff.${field}`, kind: 'field', struct: 'sk_buff', field });
    assert.strictEqual(f('data'), line('*data;'));
    assert.strictEqual(f('len'), line('unsigned int\t\tlen,'));
    assert.strictEqual(f('data_len'), line('data_len;'));
    assert.strictEqual(f('pkt_type'), line('pkt_type:3'));
    assert.strictEqual(f('poll'), line('(*poll)'));
    assert.strictEqual(f('sk_backlog'), line('} sk_backlog;'));
    assert.strictEqual(f('sk_state'), line('#define sk_state'));
    assert.strictEqual(f('nothere'), -1);
  });
  it('finds structs, macros, enums, enumerators, drop reasons through FN(), variables', () => {
    assert.strictEqual(findDefinition(src, { name: 'sk_buff', kind: 'struct' }), line('struct sk_buff {'));
    assert.strictEqual(findDefinition(src, { name: 'NF_DROP', kind: 'macro' }), line('#define NF_DROP'));
    assert.strictEqual(findDefinition(src, { name: 'nf_inet_hooks', kind: 'enum' }), line('enum nf_inet_hooks'));
    assert.strictEqual(findDefinition(src, { name: 'NF_INET_LOCAL_IN', kind: 'enumerator' }), line('NF_INET_LOCAL_IN = 1'));
    assert.strictEqual(findDefinition(src, { name: 'SKB_DROP_REASON_NOT_SPECIFIED', kind: 'drop-reason' }), line('FN(NOT_SPECIFIED)'));
    assert.strictEqual(findDefinition(src, { name: 'arp_tbl', kind: 'variable' }), line('arp_tbl = {'));
  });
  it('lists the function definitions of a file for CodeLens', () => {
    const defs = functionDefinitions(SAMPLE, new Set(['ip_forward', 'tcp_child_process', 'helper', 'absent']));
    assert.deepStrictEqual([...defs.keys()].sort(), ['helper', 'ip_forward', 'tcp_child_process']);
    assert.strictEqual(defs.get('ip_forward'), 9);
  });
});

describe('kernel resolver on a small synthetic tree', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-tree-'));
    const w = (f: string, t: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), t);
    };
    w('Makefile', 'VERSION = 7\nPATCHLEVEL = 1\nSUBLEVEL = 0\n');
    w('net/core/dev.c', 'int netif_rx(struct sk_buff *skb)\n{\n\treturn 0;\n}\n');
    // ip_forward moved to another file in this "version"
    w('net/ipv4/ip_forward.c', '/* nothing here */\n');
    w('net/ipv4/forwarding.c', '#include <x.h>\n\nint ip_forward(struct sk_buff *skb)\n{\n\treturn 1;\n}\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('recognises a tree and its version', () => {
    assert.ok(isKernelTree(dir));
    assert.strictEqual(treeVersion(dir), '7.1.0');
    assert.ok(!isKernelTree(os.tmpdir()));
  });

  it('finds symbols in their expected file, falls back to a search, and reports the rest', async () => {
    const r = await resolveTree(dir, [q('netif_rx'), q('ip_forward'), q('ip_rcv'), q('sk_buff.len')]);
    assert.deepStrictEqual(r.found.get('netif_rx'), { file: 'net/core/dev.c', line: 1, relocated: false });
    assert.deepStrictEqual(r.found.get('ip_forward'), { file: 'net/ipv4/forwarding.c', line: 3, relocated: true });
    assert.deepStrictEqual(r.missing.map((e) => e.name), ['ip_rcv', 'sk_buff.len']);
  });

  it('can skip the full search', async () => {
    const r = await resolveTree(dir, [q('ip_forward')], { fullSearch: false });
    assert.deepStrictEqual(r.missing.map((e) => e.name), ['ip_forward']);
  });
});

describe('kernel resolver on the real tree', function () {
  let tree = '';
  before(function () {
    tree = kernelSrcOrSkip(this);
  });

  it('resolves every KB symbol in its expected file (its speed is measured by npm run bench, not asserted)', async () => {
    await resolveTree(tree, all().slice(0, 5)); // warm the file cache of the OS a little
    const r = await resolveTree(tree);
    assert.deepStrictEqual(r.missing.map((e) => e.name), []);
    const moved = [...r.found].filter(([, l]) => l.relocated).map(([n]) => n);
    assert.deepStrictEqual(moved, []);
  });

  it('gives the lines where the definitions are', async () => {
    const r = await resolveTree(tree, [q('ip_forward'), q('sk_buff'), q('sk_buff.len'), q('NF_INET_FORWARD'), q('SKB_DROP_REASON_OTHERHOST')]);
    for (const [name, loc] of r.found) {
      const text = fs.readFileSync(path.join(tree, loc.file), 'latin1').split('\n')[loc.line - 1];
      const ident = name.includes('.') ? name.split('.')[1] : name;
      assert.ok(text.includes(ident), `${name}: line ${loc.line} is "${text}"`);
    }
    assert.strictEqual(r.found.size, 5);
  });
});
