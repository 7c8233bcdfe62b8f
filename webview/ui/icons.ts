// The few codicons the debugger uses, bundled as inline SVG (a few hundred bytes each) rather
// than the whole codicon font: no font file to ship, no extra CSP source, `currentColor` follows
// the theme.
import add from '@vscode/codicons/src/icons/add.svg' with { type: 'text' };
import breakpoint from '@vscode/codicons/src/icons/circle-filled.svg' with { type: 'text' };
import close from '@vscode/codicons/src/icons/close.svg' with { type: 'text' };
import cont from '@vscode/codicons/src/icons/debug-continue.svg' with { type: 'text' };
import restart from '@vscode/codicons/src/icons/debug-restart.svg' with { type: 'text' };
import reverseContinue from '@vscode/codicons/src/icons/debug-reverse-continue.svg' with { type: 'text' };
import stepBack from '@vscode/codicons/src/icons/debug-step-back.svg' with { type: 'text' };
import stepInto from '@vscode/codicons/src/icons/debug-step-into.svg' with { type: 'text' };
import stepOut from '@vscode/codicons/src/icons/debug-step-out.svg' with { type: 'text' };
import stepOver from '@vscode/codicons/src/icons/debug-step-over.svg' with { type: 'text' };
import runToEnd from '@vscode/codicons/src/icons/run-all.svg' with { type: 'text' };
import goToFile from '@vscode/codicons/src/icons/go-to-file.svg' with { type: 'text' };

export const icons = { add, breakpoint, close, cont, restart, reverseContinue, stepBack, stepInto, stepOut, stepOver, runToEnd, goToFile };
export type IconName = keyof typeof icons;

/** An inline SVG icon element (decorative: aria-hidden). */
export function icon(name: IconName): HTMLElement {
  const span = document.createElement('span');
  span.className = 'codicon-svg';
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = icons[name];
  return span;
}
