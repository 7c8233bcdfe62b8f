// The editor side of issue 5 run against a stub `vscode` (see vscodeStub.ts): registrations,
// the hover, "Go to definition in your tree", the CodeLens and the Kernel path view.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Trace } from '../../../src/trace/contract';
import { KERNEL_SRC, kernelSrcOrSkip } from './kernelSrc';
import { CodeLens, Hover, installVscodeStub, MarkdownString, Position, registry, TreeItem, Uri } from './vscodeStub';

installVscodeStub();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerKernelFeatures } = require('../../../src/vscode/kernel/register') as typeof import('../../../src/vscode/kernel/register');

type Features = ReturnType<typeof registerKernelFeatures>;

function doc(text: string, file = '/tmp/x.c', languageId = 'c') {
  const lines = text.split('\n');
  return { uri: Uri.file(file), languageId, lineAt: (i: number) => ({ text: lines[i] }), getText: () => text };
}

function hoverProvider() {
  return registry.hovers[registry.hovers.length - 1].provider as { provideHover(d: unknown, p: Position): Hover | undefined };
}

const TRACE: Trace = {
  scenario: 'forward a packet',
  kernel: 'v6.12',
  packets: [],
  counters: {},
  sockets: [],
  events: [
    { seq: 1, time: 0, host: 'router', packet: 1, layer: 'L3', fn: 'ip_rcv', file: 'net/ipv4/ip_input.c', stack: ['ip_rcv'], what: 'IPv4 receive.' },
    { seq: 2, time: 0, host: 'router', packet: 1, layer: 'L3', fn: 'ip_forward', file: 'net/ipv4/ip_forward.c', stack: ['ip_forward'], what: 'TTL is 1.', drop: 'SKB_DROP_REASON_IP_INHDR' },
  ],
};

describe('editor: kernel features without a kernel tree', () => {
  let features: Features;
  before(() => {
    registry.reset();
    registry.workspaceFolders = [];
    features = registerKernelFeatures({ subscriptions: [] } as never);
  });

  it('registers the command, the view, hovers for C and YAML, and the CodeLens', () => {
    assert.ok(registry.commands.has('netstackExplorer.goToKernelDefinition'));
    assert.ok(registry.trees.has('netstackExplorer.kernelPath'));
    const langs = JSON.stringify(registry.hovers[0].selector);
    assert.ok(langs.includes('"c"') && langs.includes('"yaml"'), langs);
    assert.strictEqual(registry.codeLenses.length, 1);
  });

  it('hovers kernel symbols with trusted command links, and stays silent on other words', () => {
    const h = hoverProvider().provideHover(doc('\tif (skb->len < hlen)'), new Position(0, 11));
    assert.ok(h);
    const md = h.contents as MarkdownString;
    assert.match(md.value, /sk_buff->len/);
    assert.match(md.value, /elixir\.bootlin\.com\/linux\/v6\.12/);
    assert.deepStrictEqual(md.isTrusted, { enabledCommands: ['netstackExplorer.showStep', 'netstackExplorer.goToKernelDefinition'] });
    assert.strictEqual(h.range?.start.character, 5);
    assert.strictEqual(hoverProvider().provideHover(doc('\tint hlen = 20;'), new Position(0, 6)), undefined);
  });

  it('go to definition opens the cross-referencer', async () => {
    await features.goToDefinition({ name: 'ip_forward' });
    assert.deepStrictEqual(registry.external, ['https://elixir.bootlin.com/linux/v6.12/A/ident/ip_forward']);
    await features.goToDefinition({ fn: 'raw_icmp_thing', file: 'net/ipv4/raw.c' });
    assert.strictEqual(registry.external[1], 'https://elixir.bootlin.com/linux/v6.12/source/net/ipv4/raw.c');
  });

  it('the Kernel path view lists the trace\'s functions with jump-to-source', () => {
    features.setTrace(TRACE);
    const view = registry.trees.get('netstackExplorer.kernelPath') as { getChildren(): unknown[]; getTreeItem(e: unknown): TreeItem };
    const items = view.getChildren().map((e) => view.getTreeItem(e));
    assert.deepStrictEqual(items.map((i) => i.label), ['ip_rcv', 'ip_forward']);
    assert.match(items[1].description ?? '', /#3 router · L3 · pkt 1 · drop/);
    assert.deepStrictEqual(items[1].command?.arguments, [{ name: 'ip_forward', file: 'net/ipv4/ip_forward.c' }]);
  });
});

describe('editor: kernel features with the v6.12 tree open', function () {
  let features: Features;
  before(function () {
    kernelSrcOrSkip(this);
    registry.reset();
    registry.workspaceFolders = [{ uri: Uri.file(KERNEL_SRC) }];
    features = registerKernelFeatures({ subscriptions: [] } as never);
  });

  it('finds the tree in the workspace and opens definitions in it', async () => {
    await features.goToDefinition({ name: 'ip_forward' });
    assert.strictEqual(features.kernelTree(), KERNEL_SRC);
    assert.strictEqual(registry.external.length, 0);
    const shown = registry.shown[registry.shown.length - 1];
    assert.strictEqual(shown.uri.fsPath, path.join(KERNEL_SRC, 'net/ipv4/ip_forward.c'));
    const line = fs.readFileSync(shown.uri.fsPath, 'latin1').split('\n')[shown.selection?.start.line ?? -1];
    assert.match(line, /^int ip_forward\(/);
  });

  it('the hover links to the definition in the user\'s tree once resolved', () => {
    const h = hoverProvider().provideHover(doc('\tstruct sk_buff *skb;'), new Position(0, 10));
    assert.ok(h);
    assert.match((h.contents as MarkdownString).value, /\[include\/linux\/skbuff\.h:\d+\]\(file:\/\/.*skbuff\.h#L\d+\) in your tree/);
    // a hover shown completes the walkthrough's "Hover a kernel symbol" step (an onContext event)
    assert.strictEqual(registry.contexts.get('netstackExplorer.hoveredKernelSymbol'), true);
  });

  it('CodeLens marks the modelled functions of a kernel file, only in the kernel\'s own file', () => {
    const file = path.join(KERNEL_SRC, 'net/ipv4/ip_forward.c');
    const text = fs.readFileSync(file, 'latin1');
    const provider = registry.codeLenses[0].provider as { provideCodeLenses(d: unknown): CodeLens[]; setTrace?: unknown };
    const lenses = provider.provideCodeLenses(doc(text, file));
    const titles = lenses.map((l) => `${l.range.start.line + 1}:${l.command?.title}`);
    assert.ok(titles.some((t) => /^\d+:modelled: step \d+ of 'forward a packet'$/.test(t)), titles.join('\n'));
    const lens = lenses.find((l) => /ip_forward\(/.test(text.split('\n')[l.range.start.line]));
    assert.deepStrictEqual(lens?.command?.arguments, [{ fn: 'ip_forward' }]);
    assert.strictEqual(lens?.command?.command, 'netstackExplorer.showStep');
    // the same text elsewhere is not the kernel's file
    assert.strictEqual(provider.provideCodeLenses(doc(text, '/home/me/project/forward.c')).length, 0);
    // with a trace, the lens names the trace event
    features.setTrace(TRACE);
    const withTrace = provider.provideCodeLenses(doc(text, file)).map((l) => l.command?.title);
    assert.ok(withTrace.includes("modelled: event 3 of 'forward a packet'"), withTrace.join('\n'));
  });
});
