// The one place that knows the component library: @vscode-elements/elements (the maintained,
// Lit-based successor of the archived @vscode/webview-ui-toolkit), imported per component so
// that only what is used is bundled. The rest of the webview calls these helpers; swapping the
// library touches this folder only.
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { icon, type IconName } from './icons';

/** A toolbar icon button (a real <button> inside, so Tab/Enter/Space work). */
export function toolbarButton(label: string, iconName: IconName, onClick: () => void, id?: string): HTMLElement {
  const b = document.createElement('vscode-toolbar-button');
  b.label = label;
  b.title = label;
  if (id) b.id = id;
  b.appendChild(icon(iconName));
  b.addEventListener('click', onClick);
  return b;
}

/** A text button. */
export function button(label: string, onClick: () => void, opts: { secondary?: boolean; id?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (opts.secondary) b.secondary = true;
  if (opts.id) b.id = opts.id;
  b.addEventListener('click', onClick);
  return b;
}

export interface TextField {
  el: HTMLElement;
  get value(): string;
  set value(v: string);
  set invalid(v: boolean);
  focus(): void;
}

export function textField(placeholder: string, label: string, onEnter: (value: string) => void, id?: string): TextField {
  const t = document.createElement('vscode-textfield');
  t.placeholder = placeholder;
  t.setAttribute('aria-label', label);
  if (id) t.id = id;
  t.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter') onEnter(t.value);
  });
  return {
    el: t,
    get value() {
      return t.value;
    },
    set value(v: string) {
      t.value = v;
    },
    set invalid(v: boolean) {
      t.invalid = v;
    },
    focus: () => t.focus(),
  };
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, ariaLabel = label): HTMLElement {
  const c = document.createElement('vscode-checkbox');
  c.checked = checked;
  if (label) c.label = label;
  c.setAttribute('aria-label', ariaLabel);
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function badge(text: string, variant: 'counter' | 'default' = 'default'): HTMLElement {
  const b = document.createElement('vscode-badge');
  b.textContent = text;
  if (variant === 'counter') b.variant = 'counter';
  return b;
}
