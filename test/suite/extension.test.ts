// Inside a real extension host: activation, every contributed command, the examples, the
// scenario Problems, the packet debugger panel and the kernel hovers on the real v6.12 source.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { closeAll, debuggerTabs, examples, extension, hoverText, KERNEL_MISSING, kernelSrc, netstackDiagnostics, scratchDir, waitFor } from './helpers';
import { skipOrFail } from '../skip';

interface ContributedCommand {
  command: string;
  title: string;
}

const contributed = (): ContributedCommand[] => (extension().packageJSON as { contributes: { commands: ContributedCommand[] } }).contributes.commands;

const BAD_SCENARIO = `name: One bad line
hosts:
  a: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1 frobnicate
  b: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: icmp echo-request to 10.0.1.1
`;

describe('Netstack Explorer in the extension host', () => {
  describe('activation', () => {
    it('is not active before anything asks for it (activation is lazy)', () => {
      // The workbench opened an empty folder and ran no command before the tests.
      assert.strictEqual(extension().isActive, false);
    });

    it('activates when a scenario file is opened', async () => {
      const doc = await vscode.workspace.openTextDocument(examples()[0]);
      await vscode.window.showTextDocument(doc);
      assert.strictEqual(doc.languageId, 'yaml');
      await waitFor('the extension to activate on a YAML file', () => extension().isActive, 15_000);
    });

    it('registers every command it contributes', async () => {
      await extension().activate();
      const registered = new Set(await vscode.commands.getCommands(true));
      const cmds = contributed();
      assert.ok(cmds.length >= 4, `only ${cmds.length} commands contributed`);
      const missing = cmds.map((c) => c.command).filter((c) => !registered.has(c));
      assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    });
  });

  describe('the examples', () => {
    afterEach(closeAll);

    it('every example runs through "Run Scenario and Show Trace" to a non-empty trace', async function () {
      const list = examples();
      assert.ok(list.length > 0, 'no examples/*.yaml');
      // each run opens the trace view in the extension host (about 0.3 s an example): the budget
      // grows with the examples, which a fixed 30 s no longer covered at 88 of them
      this.timeout(30_000 + 1_000 * list.length);
      for (const uri of list) {
        const trace = (await vscode.commands.executeCommand('netstackExplorer.runScenario', uri)) as { events?: unknown[] } | undefined;
        assert.ok(trace && Array.isArray(trace.events) && trace.events.length > 0, `${path.basename(uri.fsPath)} gave no trace`);
      }
    });

    it('no example has a problem in the Problems view', async function () {
      // opening each example and computing its diagnostics: a budget that grows with the examples
      this.timeout(30_000 + 1_000 * examples().length);
      for (const uri of examples()) {
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
      }
      // diagnostics are computed on open; give the debounce time to settle, then check
      await new Promise((r) => setTimeout(r, 500));
      const bad = examples().flatMap((u) => netstackDiagnostics(u).map((d) => `${path.basename(u.fsPath)}:${d.range.start.line + 1}: ${d.message}`));
      assert.deepStrictEqual(bad, []);
    });
  });

  describe('scenario problems', () => {
    let file: string;
    before(() => {
      file = path.join(scratchDir(), 'bad-scenario.yaml');
      fs.writeFileSync(file, BAD_SCENARIO);
    });
    after(async () => {
      await closeAll();
      fs.rmSync(file, { force: true });
    });

    it('shows a bad setup line in Problems at its line and column', async () => {
      const uri = vscode.Uri.file(file);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const diags = await waitFor('a netstack diagnostic on bad-scenario.yaml', () => netstackDiagnostics(uri).length > 0 && netstackDiagnostics(uri));
      assert.strictEqual(diags.length, 1, diags.map((d) => d.message).join('\n'));
      const d = diags[0];
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
      assert.match(d.message, /frobnicate/);
      // line 6, column 39 in the file (1-based): the unknown keyword, and only it
      assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [5, 38, 5, 38 + 'frobnicate'.length]);
    });

    it('clears the problem when the line is fixed', async () => {
      const uri = vscode.Uri.file(file);
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = doc.lineAt(5);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, line.range, line.text.replace(' frobnicate', ''));
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor('the diagnostic to go away', () => netstackDiagnostics(uri).length === 0);
    });

    it('"Run Scenario" on a bad file returns nothing and does not throw', async () => {
      const bad = path.join(scratchDir(), 'bad-run.yaml');
      fs.writeFileSync(bad, BAD_SCENARIO);
      try {
        const r = await vscode.commands.executeCommand('netstackExplorer.runScenario', vscode.Uri.file(bad));
        assert.strictEqual(r, undefined);
      } finally {
        fs.rmSync(bad, { force: true });
      }
    });
  });

  describe('the packet debugger', () => {
    after(closeAll);

    it('opens from a scenario file as a webview panel', async () => {
      const uri = examples().find((u) => u.fsPath.endsWith('forward-ttl-exceeded.yaml')) ?? examples()[0];
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await vscode.commands.executeCommand('netstackExplorer.openDebugger', uri);
      const tab = await waitFor('a packet debugger tab', () => debuggerTabs()[0]);
      assert.match(tab.label, /Packet Debugger/);
      assert.match(tab.label, new RegExp(path.basename(uri.fsPath).replace('.', '\\.')));
    });

    it('opening the same scenario again reuses the panel', async () => {
      const uri = examples().find((u) => u.fsPath.endsWith('forward-ttl-exceeded.yaml')) ?? examples()[0];
      await vscode.commands.executeCommand('netstackExplorer.openDebugger', uri);
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(debuggerTabs().length, 1);
    });

    it('runs every stepping command without error', async () => {
      const steps = contributed().filter((c) => c.command.startsWith('netstackExplorer.debugger.'));
      assert.ok(steps.length >= 8, `only ${steps.length} stepping commands`);
      for (const c of steps) await vscode.commands.executeCommand(c.command);
      assert.strictEqual(debuggerTabs().length, 1);
    });

    it('"Show Step" opens the step of a kernel function from the built-in examples', async () => {
      await closeAll();
      await vscode.commands.executeCommand('netstackExplorer.showStep', { fn: 'ip_forward' });
      const tab = await waitFor('a packet debugger tab from showStep', () => debuggerTabs()[0]);
      assert.match(tab.label, /Packet Debugger/);
    });

    it('"Open Packet Debugger" with no scenario open says so and opens nothing', async () => {
      await closeAll();
      await vscode.commands.executeCommand('netstackExplorer.openDebugger');
      assert.strictEqual(debuggerTabs().length, 0);
    });
  });

  describe('the kernel source (v6.12)', () => {
    const src = kernelSrc();
    let file = '';
    before(function () {
      if (!src) skipOrFail(this, KERNEL_MISSING);
      file = path.join(src as string, 'net', 'ipv4', 'ip_forward.c');
    });
    after(closeAll);

    const find = (doc: vscode.TextDocument, re: RegExp): vscode.Position => {
      for (let i = 0; i < doc.lineCount; i++) {
        const m = re.exec(doc.lineAt(i).text);
        if (m) return new vscode.Position(i, m.index);
      }
      throw new Error(`${re} not in ${doc.uri.fsPath}`);
    };

    it('opens net/ipv4/ip_forward.c as C', async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc);
      assert.strictEqual(doc.languageId, 'c');
    });

    it('hovers ip_forward with the explanation and a link to the source', async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const pos = find(doc, /\bip_forward(?=\(struct sk_buff \*skb\))/).translate(0, 3);
      const hovers = await waitFor('a Netstack hover on ip_forward', async () => {
        const hs = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos)) ?? [];
        return hs.find((h) => /\*\*`ip_forward`\*\*/.test(hoverText(h)));
      });
      const text = hoverText(hovers);
      assert.match(text, /function/);
      assert.match(text, /net\/ipv4\/ip_forward\.c/);
      assert.ok(hovers.range && hovers.range.start.line === pos.line, 'the hover covers the word');
    });

    it('resolves the symbol to its line in this tree', async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const pos = find(doc, /\bip_forward(?=\(struct sk_buff \*skb\))/).translate(0, 3);
      const line = pos.line + 1;
      await waitFor(
        `the hover to say ip_forward.c:${line} in your tree`,
        async () => {
          const hs = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos)) ?? [];
          // the markdown escapes `_` as `\_`
          return hs.some((h) => hoverText(h).replace(/\\/g, '').includes(`ip_forward.c:${line}`) && /in your tree/.test(hoverText(h)));
        },
        25_000,
      );
    });

    it('hovers struct sk_buff, and gives no ip_forward hover on another word', async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const unknown = find(doc, /\bip_forward_finish\b/).translate(0, 2);
      const hs = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, unknown)) ?? [];
      for (const h of hs) assert.doesNotMatch(hoverText(h), /\*\*`ip_forward`\*\*/, 'a hover for the wrong word');
      const kw = find(doc, /\bstruct sk_buff\b/).translate(0, 'struct '.length + 2);
      const hs2 = await waitFor('a hover on struct sk_buff', async () => {
        const r = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, kw)) ?? [];
        return r.find((h) => /sk_buff/.test(hoverText(h)));
      });
      assert.match(hoverText(hs2), /struct sk_buff/);
    });

    it('puts a "modelled" CodeLens above ip_forward', async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const def = find(doc, /^int ip_forward\(/);
      const lenses = await waitFor('a CodeLens on ip_forward', async () => {
        const ls = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
        return ls.find((l) => l.range.start.line === def.line && /modelled/.test(l.command?.title ?? ''));
      });
      assert.strictEqual(lenses.command?.command, 'netstackExplorer.showStep');
    });

    it('"Go to Kernel Definition" opens ip_forward in this tree', async () => {
      await closeAll();
      // open a file of the tree first: the tree is found from the open file
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(src as string, 'net', 'core', 'dev.c'))));
      await vscode.commands.executeCommand('netstackExplorer.goToKernelDefinition', { name: 'ip_forward' });
      const ed = await waitFor('ip_forward.c in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === file && vscode.window.activeTextEditor);
      assert.match(ed.document.lineAt(ed.selection.active.line).text, /ip_forward\(/);
    });
  });
});
