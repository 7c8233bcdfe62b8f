// "Replay Capture…": a capture (pcap or pcapng, inside the workspace) sent into HOST:IF of a
// scenario, after the scenario's own traffic, in the scenario worker at the fates level, with
// progress and Cancel. The summary by fate, function, reason and rule, and the frames, go to the
// "Capture Replay" view; a frame opens in the packet debugger at its packet's first event (the
// replay run again with the full trace, in the worker). The replay itself is the CLI's
// (src/scenario/replay.ts), so `netstack replay` and this view agree.
import * as path from 'path';
import * as vscode from 'vscode';
import { linkEnds } from '../../scenario/replay';
import { activeDebuggerSession, showInDebugger } from '../debugger/register';
import { mayRunScenario } from '../trust';
import { problemText, scenarioPath, sourceOf, stoppedText } from '../worker/host';
import type { ReplayCapture, ReplaySummary, WorkProblem } from '../worker/messages';
import type { ScenarioRunner } from '../worker/runner';
import { OPEN_REPLAY_PACKET, REPLAY_VIEW, ReplayTree, type ShownReplay } from './tree';

export const REPLAY_COMMAND = 'netstackExplorer.replayCapture';
const CAPTURE_GLOB = '**/*.{pcap,pcapng,cap}';

/** What a test (or a caller) may give instead of being asked. */
export interface ReplayArgs {
  capture?: vscode.Uri | string;
  scenario?: vscode.Uri | string;
  into?: string;
  timing?: 'asis' | 'max';
}

const asUri = (u: vscode.Uri | string | undefined): vscode.Uri | undefined => (u === undefined ? undefined : typeof u === 'string' ? vscode.Uri.file(u) : u);
const isScenarioText = (t: string): boolean => /^hosts:/m.test(t) && /^traffic:/m.test(t);
/** A capture must be a file inside a workspace folder (the worker checks it again, symlinks followed). */
const inWorkspace = (u: vscode.Uri): boolean => u.scheme === 'file' && !!vscode.workspace.getWorkspaceFolder(u);
/** Problems at line 0 are not places in the scenario (the capture, --into): told without a position. */
const told = (p: WorkProblem): string => (p.pos.line === 0 ? p.detail : problemText(p));

export function registerReplay(context: vscode.ExtensionContext, runner: ScenarioRunner): { tree: ReplayTree } {
  const tree = new ReplayTree();
  const view = vscode.window.createTreeView(REPLAY_VIEW, { treeDataProvider: tree, showCollapseAll: true });

  async function pickCapture(): Promise<vscode.Uri | undefined> {
    const found = (await vscode.workspace.findFiles(CAPTURE_GLOB, '**/node_modules/**', 500)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const browse = { label: '$(folder-opened) Browse…', uri: undefined };
    const items = [...found.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri, true), uri })), browse];
    const pick = await vscode.window.showQuickPick(items, { title: 'Replay Capture (1/3): the capture', placeHolder: found.length ? 'a pcap or pcapng file of the workspace' : 'no .pcap or .pcapng in the workspace: browse for one inside it' });
    if (!pick) return undefined;
    if (pick.uri) return pick.uri;
    const chosen = await vscode.window.showOpenDialog({ title: 'A capture inside the workspace', canSelectMany: false, filters: { Captures: ['pcap', 'pcapng', 'cap'] }, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    return chosen?.[0];
  }

  async function pickScenario(): Promise<vscode.Uri | undefined> {
    const active = vscode.window.activeTextEditor?.document;
    const files = (await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,Documentation,.git}/**', 1000)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const items: { label: string; description: string; uri: vscode.Uri }[] = [];
    for (const uri of files) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (isScenarioText(text)) items.push({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri, true), uri });
    }
    if (active && isScenarioText(active.getText())) {
      const i = items.findIndex((x) => x.uri.toString() === active.uri.toString());
      const [it] = i >= 0 ? items.splice(i, 1) : [{ label: path.basename(active.uri.fsPath), description: 'the active editor', uri: active.uri }];
      items.unshift({ ...it, description: `${it.description} · the active editor` });
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Replay Capture (2/3): the scenario', placeHolder: 'the network, setup and ruleset the frames arrive in' });
    return pick?.uri;
  }

  async function pickInto(text: string, scenario: vscode.Uri): Promise<string | undefined> {
    const ends = linkEnds(text);
    const qp = vscode.window.createQuickPick();
    qp.title = 'Replay Capture (3/3): the interface the frames arrive on (HOST:IF)';
    qp.placeholder = `an end of a link of ${path.basename(scenario.fsPath)}, or type HOST:IF`;
    qp.items = ends.map((label) => ({ label }));
    return new Promise((resolve) => {
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined));
        qp.hide();
      });
      qp.onDidHide(() => {
        resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
  }

  /** Runs the replay in the worker; progress with Cancel. Returns undefined when it gave no result (the user was told). */
  async function runInWorker(kind: 'replay' | 'trace', scenario: vscode.Uri, text: string, capture: ReplayCapture, title: string) {
    const run = runner.run(`replay:${kind}`, { kind, text, file: scenarioPath(scenario), source: sourceOf(scenario), capture });
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
      token.onCancellationRequested(() => run.cancel());
      return run.done;
    });
    if (outcome.status !== 'done') {
      if (outcome.status !== 'cancelled') void vscode.window.showErrorMessage(`Netstack: replay of ${path.basename(capture.fsPath)}: ${stoppedText(outcome)}`);
      return undefined;
    }
    const r = outcome.reply;
    if (!r.ok) {
      const why = 'problems' in r ? r.problems.map(told).join('\n') : `internal error in the model (please report it): ${r.internal.split('\n')[0]}`;
      void vscode.window.showErrorMessage(`Netstack: replay of ${path.basename(capture.fsPath)} into ${capture.into}: ${why}`);
      return undefined;
    }
    return r;
  }

  async function replay(arg?: ReplayArgs | vscode.Uri): Promise<ShownReplay | undefined> {
    if (!mayRunScenario('replaying a capture')) return undefined;
    const given: ReplayArgs = arg instanceof vscode.Uri ? { capture: arg } : (arg ?? {});
    const capture = asUri(given.capture) ?? (await pickCapture());
    if (!capture) return undefined;
    if (!inWorkspace(capture)) {
      void vscode.window.showErrorMessage(`Netstack: ${capture.fsPath} is not inside a workspace folder; captures are read only from the workspace.`);
      return undefined;
    }
    const scenario = asUri(given.scenario) ?? (await pickScenario());
    if (!scenario) return undefined;
    const doc = await vscode.workspace.openTextDocument(scenario);
    const text = doc.getText();
    const into = given.into ?? (await pickInto(text, scenario));
    if (!into) return undefined;
    const c: ReplayCapture = { fsPath: capture.fsPath, into, timing: given.timing ?? 'asis' };
    const r = await runInWorker('replay', scenario, text, c, `Netstack: replaying ${path.basename(capture.fsPath)} into ${into}`);
    if (!r || r.kind !== 'replay') return undefined;
    const shown: ShownReplay = { capture, scenario, into, timing: c.timing, summary: r.replay };
    // the message first: it sits above the rows, which would otherwise move down as it arrives
    view.title = `Capture Replay`;
    view.message = `${summaryText(r.replay)}`;
    tree.show(shown);
    await vscode.commands.executeCommand(`${REPLAY_VIEW}.focus`);
    if (r.replay.stopped) void vscode.window.showWarningMessage(`Netstack: ${r.replay.stopped}`);
    return shown;
  }

  /**
   * The replay once more with the full trace, in the debugger at `packet`'s first event. Given the
   * frame (1-based) the packet came from, only a window of frames around it is re-executed with
   * the full trace (the frames before it at the fates level, none after it).
   */
  async function openPacket(packet: number, frame?: number): Promise<OpenedPacket | undefined> {
    const r = tree.replay;
    if (!r || typeof packet !== 'number') return undefined;
    if (!mayRunScenario('stepping a replayed packet')) return undefined;
    const doc = await vscode.workspace.openTextDocument(r.scenario);
    const c: ReplayCapture = { fsPath: r.capture.fsPath, into: r.into, timing: r.timing, ...(typeof frame === 'number' && Number.isInteger(frame) && frame >= 1 && { frame }) };
    const what = c.frame !== undefined ? `frames around frame ${c.frame}` : 'the whole capture';
    const reply = await runInWorker('trace', r.scenario, doc.getText(), c, `Netstack: re-executing ${what} of ${path.basename(r.capture.fsPath)} with the full trace`);
    if (!reply || reply.kind !== 'trace') return undefined;
    const trace = reply.trace;
    if (trace.stopped) void vscode.window.showWarningMessage(`Netstack: ${trace.stopped.message}`);
    if (!trace.packets.some((p) => p.id === packet)) {
      void vscode.window.showWarningMessage(`Netstack: packet #${packet} is not in the full trace (the run stopped before it).`);
      return undefined;
    }
    const w = trace.window;
    const span = w?.fromFrame !== undefined ? ` · frames ${w.fromFrame + 1}–${(w.untilFrame ?? w.fromFrame) + 1}` : '';
    const title = `${path.basename(r.capture.fsPath)} → ${r.into}${span} (${path.basename(r.scenario.fsPath)})`;
    showInDebugger({ trace, title, file: r.scenario.toString() }, { focus: packet });
    const at = activeDebuggerSession()?.state();
    const e = at ? trace.events[at.index] : undefined;
    return { packet, title, index: at?.index, focus: at?.focus ?? null, event: e && { packet: e.packet, fn: e.fn, host: e.host } };
  }

  context.subscriptions.push(view, vscode.commands.registerCommand(REPLAY_COMMAND, (arg?: ReplayArgs | vscode.Uri) => replay(arg)), vscode.commands.registerCommand(OPEN_REPLAY_PACKET, (packet: number, frame?: number) => openPacket(packet, frame)));
  return { tree };
}

/** Where the debugger opened a replayed packet (for tests and callers). */
export interface OpenedPacket {
  packet: number;
  title: string;
  index?: number;
  focus: number | null;
  event?: { packet: number; fn: string; host: string };
}

/** `1,200 frames: 1,180 delivered; 20 dropped: nft_do_chain NETFILTER_DROP (…)`, as the CLI ends. */
export function summaryText(s: ReplaySummary): string {
  const groups = s.groups.map(([k, n]) => `${n.toLocaleString('en')} ${k}`).join('; ');
  return `${s.frames.toLocaleString('en')} frame${s.frames === 1 ? '' : 's'}: ${groups || 'none'}`;
}
