// Exercises in VS Code: the view, opening an exercise (its task in a panel beside its scenario,
// a fix task's scenario copied where the learner may edit it), Check (answers for predict, the
// debugger's position or breakpoints for find, the edited scenario for fix), one hint at a
// time, the solution as a diff, failing goals as diagnostics, progress in the status bar.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { checkExercise, choicesOf, type CheckInput, type CheckReport, type CheckResult } from '../../exercise/check';
import { loadAll, viewOf } from '../../exercise/files';
import type { Exercise, ScenarioRef } from '../../exercise/types';
import type { Trace } from '../../trace/contract';
import { ScenarioError, ScenarioErrors } from '../../scenario/types';
import { activeDebuggerSession } from '../debugger/register';
import { RunFailed, traceInWorker } from '../worker/host';
import type { ScenarioRunner } from '../worker/runner';
import type { ExerciseAction, ExerciseCheckView } from '../../protocol';
import { ExerciseTaskPanel } from './panel';
import { ProgressStore } from './progress';
import { EXERCISES_VIEW, ExercisesTree, OPEN_EXERCISE } from './tree';

export const CHECK_EXERCISE = 'netstackExplorer.exercise.check';
export const HINT_EXERCISE = 'netstackExplorer.exercise.hint';
export const SOLUTION_EXERCISE = 'netstackExplorer.exercise.showSolution';
export const RESET_PROGRESS = 'netstackExplorer.exercise.resetProgress';

export interface ExercisesApi {
  /** the exercise being worked on, for tests and other views */
  active(): Exercise | undefined;
  check(id?: string, input?: CheckInput): Promise<CheckReport | undefined>;
  progress: ProgressStore;
}

export function registerExercises(context: vscode.ExtensionContext, runner: ScenarioRunner): ExercisesApi {
  // the model runs in the scenario worker, never on the extension host's thread (issue 12)
  const runRef = (ref: ScenarioRef, title: string): Promise<Trace> => traceInWorker(runner, vscode.Uri.file(ref.file), ref.text, title);
  const root = path.join(context.extensionPath, 'exercises');
  let cache: Exercise[] | undefined;
  let loadError: string | undefined;
  const list = (): Exercise[] => {
    if (!cache) {
      try {
        cache = fs.existsSync(root) ? loadAll(root) : [];
      } catch (e) {
        loadError = e instanceof Error ? e.message : String(e);
        cache = [];
      }
    }
    return cache;
  };
  const byId = (id: string): Exercise | undefined => list().find((e) => e.id === id);
  const progress = new ProgressStore(context.globalState);
  const tree = new ExercisesTree(list, progress);
  const diags = vscode.languages.createDiagnosticCollection('netstack-exercises');
  const output = vscode.window.createOutputChannel('Netstack Exercises');
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  const hintsShown = new Map<string, number>();
  let active: Exercise | undefined;
  let taskPanel: ExerciseTaskPanel | undefined;
  const workDir = (ex: Exercise): string => path.join(context.globalStorageUri.fsPath, 'exercises', ex.id);
  /** the learner's editable copy of a fix task's scenario, named after the exercise (the tab says which) */
  const copyOf = (ex: Exercise): string => path.join(workDir(ex), `${ex.id}.yaml`);

  const updateStatus = (report?: CheckReport): void => {
    // the packet debugger's title bar offers Check while an exercise is active
    void vscode.commands.executeCommand('setContext', 'netstackExplorer.exerciseActive', !!active);
    if (!active) {
      status.hide();
      return;
    }
    const done = list().filter((e) => progress.get(e.id) === 'done').length;
    const last = report ? ` · ${report.results.filter((r) => r.pass).length}/${report.results.length} checks` : '';
    status.text = `$(mortar-board) ${active.id}${last} · ${done}/${list().length} done`;
    status.tooltip = `${active.title}: click to check`;
    status.command = CHECK_EXERCISE;
    status.show();
  };

  const open = async (id: string): Promise<void> => {
    const ex = byId(id);
    if (!ex) return void vscode.window.showErrorMessage(`No exercise ${id}`);
    active = ex;
    fs.mkdirSync(workDir(ex), { recursive: true });
    let scenarioFile = ex.scenario.path ? ex.scenario.file : ex.file;
    if (ex.kind === 'fix') {
      scenarioFile = copyOf(ex);
      if (!fs.existsSync(scenarioFile)) fs.writeFileSync(scenarioFile, ex.scenario.text.replace(/^\s*\n/, ''));
    }
    await vscode.window.showTextDocument(vscode.Uri.file(scenarioFile), { viewColumn: vscode.ViewColumn.One });
    // VS Code's own Markdown renderer (the built-in extension) makes the task's HTML: no renderer of ours
    const md = taskMarkdown(ex);
    let taskHtml: string;
    try {
      taskHtml = String(await vscode.commands.executeCommand<string>('markdown.api.render', md));
    } catch {
      taskHtml = `<pre>${md.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`;
    }
    if (!taskPanel) {
      taskPanel = ExerciseTaskPanel.create(
        context.extensionUri,
        (id, action) => void panelAction(id, action),
        (s) => output.appendLine(s),
        () => (taskPanel = undefined),
      );
    } else taskPanel.panel.reveal(vscode.ViewColumn.Beside, true);
    const shown = hintsShown.get(ex.id) ?? 0;
    taskPanel.show({ id: ex.id, title: ex.title, kind: ex.kind, track: ex.track, order: ex.order, taskHtml, hints: ex.hints.slice(0, shown), hintCount: ex.hints.length });
    updateStatus();
  };

  const panelAction = async (id: string, action: ExerciseAction): Promise<void> => {
    if (action === 'check') await check(id);
    else if (action === 'hint') hint(id);
    else await solution(id);
  };

  const exerciseFor = (arg: unknown): Exercise | undefined => {
    if (typeof arg === 'string') return byId(arg);
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (uri) {
      const f = uri.fsPath;
      const hit = list().find((e) => path.resolve(e.file) === f || copyOf(e) === f);
      if (hit) return hit;
    }
    return active;
  };

  const check = async (arg?: unknown, given?: CheckInput): Promise<CheckReport | undefined> => {
    const ex = exerciseFor(arg);
    if (!ex) {
      void vscode.window.showInformationMessage('Open an exercise from the Exercises view first.');
      return undefined;
    }
    active = ex;
    let ref: ScenarioRef = ex.scenario;
    const input: CheckInput = { ...given };
    taskPanel?.update(ex.id, { checking: true });
    try {
      if (ex.kind === 'fix') {
        const file = copyOf(ex);
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
        const text = doc?.getText() ?? (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ex.scenario.text);
        ref = { text, file, pos: { file, line: 1, col: 1 } };
      }
      const view = viewOf(await runRef(ref, `Checking ${ex.title}`));
      if (ex.kind === 'predict' && !given) {
        input.answers = {};
        for (let i = 0; i < ex.questions.length; i++) {
          const q = ex.questions[i];
          const choices = choicesOf(ex, view, i);
          const a = choices.length
            ? await vscode.window.showQuickPick(choices, { title: `${ex.title} (${i + 1}/${ex.questions.length})`, placeHolder: q.ask, ignoreFocusOut: true })
            : await vscode.window.showInputBox({ title: `${ex.title} (${i + 1}/${ex.questions.length})`, prompt: q.ask, ignoreFocusOut: true });
          if (a === undefined) return undefined;
          input.answers[q.id] = a;
        }
      }
      if (ex.kind === 'find' && !given) {
        const s = activeDebuggerSession();
        const same = s?.scenarioFile && path.resolve(s.scenarioFile) === path.resolve(ex.scenario.file);
        if (s && same) {
          input.at = s.state().index;
          input.breakpoints = s.breakpointSpecs.filter((b) => b.enabled).map((b) => b.text);
        } else {
          // "open the kernel function that does this": the cursor in a C file of the user's tree
          const ed = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'c');
          if (ed?.document.languageId === 'c') input.fn = enclosingFunction(ed.document, ed.selection.active.line);
        }
        if (input.at === undefined && !input.fn) {
          void vscode.window.showInformationMessage('Open the packet debugger on the exercise\'s scenario and stop at the step (or put the cursor in the kernel function), then Check.');
        }
      }
      const report = checkExercise(ex, view, { ...input, mine: ex.kind === 'fix' ? ref : undefined });
      taskPanel?.update(ex.id, { checking: false, results: report.results.map(resultView) });
      // the walkthrough's "Do the first exercise" completes on this, however Check was pressed
      void vscode.commands.executeCommand('setContext', 'netstackExplorer.exerciseChecked', true);
      await progress.record(ex.id, report.pass);
      tree.refresh();
      show(ex, report, ref);
      updateStatus(report);
      return report;
    } catch (e) {
      if (e instanceof RunFailed) {
        if (!e.cancelled) void vscode.window.showErrorMessage(`The scenario does not run: ${e.message.split('\n')[0]}`);
        return undefined;
      }
      if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
        void vscode.window.showErrorMessage(`The scenario does not run: ${e.message.split('\n')[0]}`);
        return undefined;
      }
      throw e;
    } finally {
      taskPanel?.update(ex.id, { checking: false });
    }
  };

  const show = (ex: Exercise, report: CheckReport, ref: ScenarioRef): void => {
    diags.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const add = (file: string, line: number, col: number, msg: string): void => {
      const d = new vscode.Diagnostic(new vscode.Range(line - 1, col - 1, line - 1, 200), msg, vscode.DiagnosticSeverity.Warning);
      d.source = 'netstack exercise';
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    };
    output.clear();
    output.appendLine(`${ex.id} (${ex.kind}): ${ex.title}`);
    for (const r of report.results) {
      output.appendLine(`  ${r.pass ? 'PASS' : 'FAIL'} ${r.name}: ${r.text.split('\n')[0]}`);
      for (const w of r.why) output.appendLine(`       ${w}`);
      if (r.pass) continue;
      const story = reasonOf(r);
      add(path.resolve(r.pos.file), r.pos.line, r.pos.col, `${r.name} fails: ${r.text.split('\n')[0]}: ${story}`);
      const inScenario = r.decidedAt.filter((at) => path.resolve(at.file) === path.resolve(ref.file));
      for (const at of inScenario) add(path.resolve(at.file), at.line, at.col, `${r.name} (${r.text.split('\n')[0]}) fails here: ${story}`);
      // a fix task's learner edits the scenario, not the exercise file: the failure shows there too
      if (ex.kind === 'fix' && !inScenario.length) add(path.resolve(ref.file), 1, 1, `${r.name} fails: ${r.text.split('\n')[0]}: ${story}`);
    }
    for (const [f, ds] of byFile) diags.set(vscode.Uri.file(f), ds);
    const n = report.results.filter((r) => r.pass).length;
    const first = report.results.find((r) => !r.pass);
    if (report.pass) void vscode.window.showInformationMessage(`✓ ${ex.title}: all ${report.results.length} checks pass.`);
    else void vscode.window.showWarningMessage(`${ex.title}: ${n} of ${report.results.length} checks pass. ${first ? `${first.name} fails: ${first.text.split('\n')[0]}: ${reasonOf(first)}` : ''}`, 'Show Details').then((a) => a && output.show(true));
  };

  const hint = (arg?: unknown): void => {
    const ex = exerciseFor(arg);
    if (!ex) return;
    const n = Math.min((hintsShown.get(ex.id) ?? 0) + 1, ex.hints.length);
    hintsShown.set(ex.id, n);
    // the task panel lists the hints shown so far; without it, a notification tells this one
    if (taskPanel?.exerciseId === ex.id && taskPanel.panel.visible) taskPanel.update(ex.id, { hints: ex.hints.slice(0, n) });
    else void vscode.window.showInformationMessage(`Hint ${n}/${ex.hints.length}: ${ex.hints[n - 1]}`);
  };

  const solution = async (arg?: unknown): Promise<void> => {
    const ex = exerciseFor(arg);
    if (!ex) return;
    if (ex.kind !== 'fix' || !ex.solution) {
      let v;
      try {
        v = viewOf(await runRef(ex.scenario, `Computing the answers of ${ex.title}`));
      } catch (e) {
        if (!(e instanceof RunFailed)) throw e;
        if (!e.cancelled) void vscode.window.showErrorMessage(`The exercise's scenario does not run: ${e.message.split('\n')[0]}`);
        return;
      }
      const r = checkExercise(ex, v, { solution: true });
      const lines = ex.kind === 'predict' ? ex.questions.map((q, i) => `${q.ask} → ${r.results[i].expected}`) : [`the step: ${ex.target?.text}`];
      void vscode.window.showInformationMessage(lines.join('\n'), { modal: true });
      return;
    }
    const sol = path.join(workDir(ex), 'solution.yaml');
    fs.mkdirSync(workDir(ex), { recursive: true });
    fs.writeFileSync(sol, ex.solution.text.replace(/^\s*\n/, ''));
    const mine = copyOf(ex);
    if (!fs.existsSync(mine)) fs.writeFileSync(mine, ex.scenario.text);
    await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(mine), vscode.Uri.file(sol), `${ex.id}: yours ↔ solution`);
  };

  class Lens implements vscode.CodeLensProvider {
    provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
      const f = doc.uri.fsPath;
      const ex = list().find((e) => path.resolve(e.file) === f || copyOf(e) === f);
      if (!ex) return [];
      const r = new vscode.Range(0, 0, 0, 0);
      return [
        new vscode.CodeLens(r, { command: CHECK_EXERCISE, title: '$(check) Check', arguments: [ex.id] }),
        new vscode.CodeLens(r, { command: HINT_EXERCISE, title: '$(lightbulb) Hint', arguments: [ex.id] }),
        new vscode.CodeLens(r, { command: SOLUTION_EXERCISE, title: '$(diff) Show Solution', arguments: [ex.id] }),
      ];
    }
  }

  context.subscriptions.push(
    diags,
    output,
    status,
    vscode.window.registerTreeDataProvider(EXERCISES_VIEW, tree),
    vscode.languages.registerCodeLensProvider({ language: 'yaml' }, new Lens()),
    vscode.commands.registerCommand(OPEN_EXERCISE, (id: string) => open(id)),
    vscode.commands.registerCommand(CHECK_EXERCISE, (arg?: unknown) => check(arg)),
    vscode.commands.registerCommand(HINT_EXERCISE, (arg?: unknown) => hint(arg)),
    vscode.commands.registerCommand(SOLUTION_EXERCISE, (arg?: unknown) => solution(arg)),
    vscode.commands.registerCommand(RESET_PROGRESS, async () => {
      await progress.reset();
      hintsShown.clear();
      if (taskPanel?.exerciseId) taskPanel.update(taskPanel.exerciseId, { hints: [], results: undefined });
      tree.refresh();
      updateStatus();
    }),
  );
  if (loadError) void vscode.window.showErrorMessage(`Exercises: ${loadError}`);
  return { active: () => active, check: (id, input) => check(id, input ?? {}), progress };
}

/**
 * Why a check failed, in the words a learner reads first: the story of the packet (where it ended
 * and which rule decided, at the scenario's file name and line) rather than the goal's expression.
 */
function reasonOf(r: CheckResult): string {
  const stories = r.why.filter((w) => w.startsWith('packet #') || w.startsWith('nothing in the trace') || w.startsWith('your ') || w.startsWith('event ') || w.startsWith('no position'));
  const told = (stories.length ? stories : r.why.filter((w) => !w.startsWith('expected: '))).map((w) => w.replace(/ at (?:[^ ]*[\\/])?([^ \\/]+:\d+)/g, ' at $1'));
  return told.join('; ') || 'it does not hold';
}

/** A check as the task panel lists it: a failing one with its story first, then what was expected. */
function resultView(r: CheckResult): ExerciseCheckView {
  const why = r.pass ? [] : [reasonOf(r), ...r.why.filter((w) => w.startsWith('expected: '))];
  return { name: r.name, text: r.text.split('\n')[0], pass: r.pass, why };
}

/** The C function whose body holds a line: the nearest definition line above (kernel style). */
function enclosingFunction(doc: vscode.TextDocument, line: number): string | undefined {
  for (let l = line; l >= 0; l--) {
    const m = /^\w[^;=()]*?[\s*](\w+)\(/.exec(doc.lineAt(l).text);
    if (m) return m[1];
    if (l < line && /^}/.test(doc.lineAt(l).text)) return undefined;
  }
  return undefined;
}

function taskMarkdown(ex: Exercise): string {
  const parts = [ex.task.trim(), '## You will learn', ex.learn.map((l) => `- ${l}`).join('\n')];
  if (ex.kind === 'predict') parts.push('## Questions', ex.questions.map((q, i) => `${i + 1}. ${q.ask}`).join('\n'), 'Press **Check** to answer.');
  if (ex.kind === 'find') parts.push('Open the packet debugger on the scenario, stop at the step (or put the cursor in the kernel function), then press **Check**.');
  if (ex.kind === 'fix') parts.push('Edit the scenario on the left, then press **Check**. The goals:', ex.goals.map((g) => `- ${g.expect}`).join('\n'));
  parts.push('## Read in the kernel (v6.12)', ex.kernel.map((k) => `- \`${k.function}\` in \`${k.file}\``).join('\n'));
  return parts.join('\n\n') + '\n';
}
