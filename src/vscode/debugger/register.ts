// Activation of the packet debugger: commands (open from a scenario file, showStep {fn}, the
// stepping commands the keybindings call), the webview serializer that restores a panel after a
// reload, and the context key that scopes F5/F10/F11 to a focused debugger panel.
import * as vscode from 'vscode';
import type { DebuggerSession } from '../../debugger/session';
import type { Trace } from '../../trace/contract';
import { STEP_ACTIONS, checkViewState, type StepAction } from '../../protocol';
import { DebuggerPanel, FOCUS_CONTEXT, VIEW_TYPE, type PanelDeps } from './panel';
import { ExampleIndex, traceOf, type LoadedTrace } from './traces';
import { MANAGE_TRUST_COMMAND, mayRunScenario, UNTRUSTED_WHY } from '../trust';
import { RunFailed } from '../worker/host';
import type { ScenarioRunner } from '../worker/runner';

export const OPEN_COMMAND = 'netstackExplorer.openDebugger';
export const SHOW_STEP_COMMAND = 'netstackExplorer.showStep';
const GO_TO_DEFINITION_COMMAND = 'netstackExplorer.goToKernelDefinition';

/** A trace a debugger panel shows, and the controller whose cursor moves over it. */
export interface ShownTrace {
  trace: Trace;
  file: string | null;
  session: DebuggerSession;
}
const shown = new vscode.EventEmitter<ShownTrace>();
/** Fires when a debugger panel shows a trace (e.g. to fill the "Kernel path" view and follow its cursor). */
export const onDidShowTrace: vscode.Event<ShownTrace> = shown.event;

let current: (() => DebuggerSession | undefined) | undefined;
/**
 * The controller of the focused (else the last used) debugger panel, for other views of the same
 * trace and cursor (a debug adapter, the Kernel path view): subscribe with `onState`.
 */
export function activeDebuggerSession(): DebuggerSession | undefined {
  return current?.();
}

let showLoaded: ((loaded: LoadedTrace, at: { focus?: number | null; index?: number }) => void) | undefined;
/**
 * Show a trace that was run elsewhere (a capture's replay) in the debugger, focused on a packet
 * (it opens at that packet's first event). A panel showing the same title is reused.
 */
export function showInDebugger(loaded: LoadedTrace, at: { focus?: number | null; index?: number }): void {
  if (!showLoaded) throw new Error('the packet debugger is not registered');
  showLoaded(loaded, at);
}

/** `netstackExplorer.debugger.stepOver` etc., one per toolbar action. */
export const stepCommand = (a: StepAction): string => `netstackExplorer.debugger.${a}`;

/** "Open Packet Debugger" above a scenario file (a YAML file with `hosts:` and `traffic:` at the top level). */
class ScenarioLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** the lens changes when the workspace becomes trusted */
  readonly trusted = vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire());

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const text = doc.getText();
    if (!/^hosts:/m.test(text) || !/^traffic:/m.test(text)) return [];
    if (!vscode.workspace.isTrusted) {
      return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { command: MANAGE_TRUST_COMMAND, title: '$(workspace-untrusted) Restricted Mode: scenarios do not run in an untrusted workspace. Manage Workspace Trust', tooltip: UNTRUSTED_WHY })];
    }
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { command: OPEN_COMMAND, title: '$(debug-alt) Open Packet Debugger', arguments: [doc.uri] })];
  }
}

export function registerDebugger(context: vscode.ExtensionContext, runner: ScenarioRunner): void {
  const channel = vscode.window.createOutputChannel('Netstack: packet debugger');
  context.subscriptions.push(channel);
  const log = (level: string, s: string): void => channel.appendLine(`[${level}] ${s}`);
  const examples = new ExampleIndex(context.extensionUri, (s) => log('warn', s), runner);
  let active: DebuggerPanel | undefined;
  let last: DebuggerPanel | undefined;
  current = () => (active ?? last)?.session;
  context.subscriptions.push(shown);

  const deps: PanelDeps = {
    extensionUri: context.extensionUri,
    log,
    openSource: async (fn, file) => {
      try {
        await vscode.commands.executeCommand(GO_TO_DEFINITION_COMMAND, { name: fn, fn, file });
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
    onActive: (p, from) => {
      if (from.disposed) {
        if (last === from) last = undefined;
        if (active === from) active = undefined;
      } else if (p) {
        active = last = p;
      } else if (active === from) {
        active = undefined;
      }
      void vscode.commands.executeCommand('setContext', FOCUS_CONTEXT, active !== undefined);
    },
  };

  const lens = new ScenarioLens();
  const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

  async function open(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Netstack: open a scenario file (.yaml) first.');
      return;
    }
    if (!mayRunScenario('opening the packet debugger')) return;
    let loaded;
    try {
      loaded = await traceOf(runner, target);
    } catch (e) {
      if (e instanceof RunFailed && e.cancelled) return;
      log('error', errorText(e));
      void vscode.window.showErrorMessage(`Netstack: the scenario does not run: ${errorText(e).split('\n')[0]}`);
      return;
    }
    // the panel already showing this file is reused (keeps breakpoints), else a new one
    const panel = last && last.session.scenarioFile === loaded.file ? last : (last = DebuggerPanel.create(deps, loaded.title));
    const keep = panel.session.breakpointSpecs;
    panel.show(loaded, { breakpoints: [...keep] });
    shown.fire({ trace: loaded.trace, file: loaded.file, session: panel.session });
  }

  showLoaded = (loaded, at) => {
    const panel = last && !last.disposed && last.panel.title === `Packet Debugger: ${loaded.title}` ? last : (last = DebuggerPanel.create(deps, loaded.title));
    panel.show(loaded, { ...at, breakpoints: [...panel.session.breakpointSpecs] });
    shown.fire({ trace: loaded.trace, file: loaded.file, session: panel.session });
  };

  async function showStep(arg?: { fn?: unknown }): Promise<void> {
    const fn = typeof arg?.fn === 'string' ? arg.fn : undefined;
    if (!fn) {
      void vscode.window.showErrorMessage('Netstack: showStep needs {fn: "<kernel function>"}.');
      return;
    }
    // the trace already in the debugger, when it reaches fn: the CodeLens and the Kernel path
    // view count their event numbers in that trace, so this is the event they name
    const inPanel = last && !last.disposed ? last : undefined;
    const here = inPanel?.session.loaded?.events.findIndex((e) => e.fn === fn) ?? -1;
    if (inPanel && here >= 0) {
      inPanel.session.goto(here);
      inPanel.panel.reveal(undefined, false);
      return;
    }
    const found = await examples.find(fn);
    if (!found) {
      void vscode.window.showInformationMessage(`Netstack: no built-in example reaches ${fn}() yet.`);
      return;
    }
    const panel = last ?? (last = DebuggerPanel.create(deps, found.loaded.title));
    panel.show(found.loaded, { index: Math.max(0, found.index), focus: null });
    shown.fire({ trace: found.loaded.trace, file: found.loaded.file, session: panel.session });
  }

  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_COMMAND, (uri?: vscode.Uri) => open(uri)),
    vscode.commands.registerCommand(SHOW_STEP_COMMAND, (arg?: { fn?: unknown }) => showStep(arg)),
    ...STEP_ACTIONS.map((a) =>
      vscode.commands.registerCommand(stepCommand(a), () => {
        const p = active ?? last;
        if (p) p.step(a);
      }),
    ),
    vscode.languages.registerCodeLensProvider([{ language: 'yaml' }, { pattern: '**/*.{yaml,yml}' }], lens),
    lens.trusted,
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown) {
        const panel = new DebuggerPanel(webviewPanel, deps);
        last = panel;
        const vs = checkViewState(state);
        if (!vs || !vs.file) {
          panel.error('Nothing to restore: open the debugger from a scenario file again.');
          return;
        }
        if (!vscode.workspace.isTrusted) {
          panel.error(`Not restored: ${UNTRUSTED_WHY}`);
          return;
        }
        try {
          const loaded = await traceOf(runner, vscode.Uri.parse(vs.file));
          panel.show(loaded, { index: vs.index, focus: vs.focus, breakpoints: vs.breakpoints });
          shown.fire({ trace: loaded.trace, file: loaded.file, session: panel.session });
        } catch (e) {
          log('error', errorText(e));
          panel.error(`Cannot restore: the scenario ${vs.file} does not run: ${errorText(e).split('\n')[0]}`);
        }
      },
    }),
  );
}
