// Hovers on kernel symbols in C and scenario files: a synchronous lookup in the prebuilt KB
// map and the last tree resolution; undefined for unknown words so C language servers still answer.
import * as vscode from 'vscode';
import { buildHoverMarkdown, GO_TO_DEFINITION_COMMAND, hoverTargetAt, SHOW_STEP_COMMAND } from '../../kernel/hover';
import type { KernelTreeService } from './kernelTree';

/** Set once a kernel symbol's hover was shown: the walkthrough's "Hover a kernel symbol" step completes on it. */
export const HOVERED_CONTEXT = 'netstackExplorer.hoveredKernelSymbol';

export class KernelHoverProvider implements vscode.HoverProvider {
  private hovered = false;

  constructor(private readonly tree: KernelTreeService) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const line = doc.lineAt(pos.line).text;
    const t = hoverTargetAt(line, pos.character);
    if (!t) return undefined;
    const loc = this.tree.locationOf(t.entry.name);
    const resolved = loc
      ? { uri: `${this.tree.uriOf(loc).toString()}#L${loc.line}`, file: loc.file, line: loc.line, relocated: loc.relocated }
      : undefined;
    const md = new vscode.MarkdownString(buildHoverMarkdown(t.entry, { resolved, commands: true }));
    md.isTrusted = { enabledCommands: [SHOW_STEP_COMMAND, GO_TO_DEFINITION_COMMAND] };
    if (!this.hovered) {
      this.hovered = true;
      void vscode.commands.executeCommand('setContext', HOVERED_CONTEXT, true);
    }
    return new vscode.Hover(md, new vscode.Range(pos.line, t.start, pos.line, t.end));
  }
}
