// "modelled: …" above the kernel functions the model walks, in kernel .c files.
import * as vscode from 'vscode';
import { lookup, MODEL_STEP_SET } from '../../kernel/kb';
import { SHOW_STEP_COMMAND, pathPlaces } from '../../kernel/hover';
import { functionDefinitions } from '../../kernel/matcher';
import type { Trace } from '../../trace/contract';
import type { KernelTreeService } from './kernelTree';
import { eventNumber } from '../../debugger/eventNumber';

export class ModelledCodeLensProvider implements vscode.CodeLensProvider {
  private trace: Trace | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly tree: KernelTreeService) {
    tree.onDidChange(() => this.changed.fire());
  }

  setTrace(trace: Trace | undefined): void {
    this.trace = trace;
    this.changed.fire();
  }

  /** Whether a function defined in this document is the kernel's (not a same-named one elsewhere). */
  private isKernelDefinition(doc: vscode.TextDocument, fn: string): boolean {
    const p = doc.uri.path;
    const e = lookup(fn);
    if (e && p.endsWith(`/${e.file}`)) return true;
    const loc = this.tree.locationOf(fn);
    return !!loc && p.endsWith(`/${loc.file}`);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const names = new Set(MODEL_STEP_SET);
    const traceSteps = new Map<string, number>();
    for (const ev of this.trace?.events ?? []) {
      names.add(ev.fn);
      if (!traceSteps.has(ev.fn)) traceSteps.set(ev.fn, ev.seq);
    }
    const lenses: vscode.CodeLens[] = [];
    for (const [fn, line] of functionDefinitions(doc.getText(), names)) {
      if (!this.isKernelDefinition(doc, fn)) continue;
      const seq = traceSteps.get(fn);
      const where =
        seq !== undefined && this.trace
          ? `event ${eventNumber(seq)} of '${this.trace.scenario}'`
          : (pathPlaces(fn)[0] ?? 'a step of the packet trace');
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: `modelled: ${where}`,
          tooltip: 'Show this step in the packet debugger',
          command: SHOW_STEP_COMMAND,
          arguments: [{ fn }],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
