// A minimal stand-in for the `vscode` module, enough to run src/vscode/kernel under mocha in
// Node: it records what gets registered and opened. The real extension host runs the same code
// in the extension tests (issue 7).
import Module from 'module';

type Fn = (...args: never[]) => unknown;
interface Disposable {
  dispose(): void;
}
const disposable = (): Disposable => ({ dispose: () => undefined });

export const registry = {
  commands: new Map<string, Fn>(),
  hovers: [] as { selector: unknown; provider: unknown }[],
  codeLenses: [] as { selector: unknown; provider: unknown }[],
  trees: new Map<string, unknown>(),
  shown: [] as { uri: Uri; selection?: Range }[],
  external: [] as string[],
  messages: [] as string[],
  log: [] as string[],
  workspaceFolders: [] as { uri: Uri }[],
  contexts: new Map<string, unknown>(),
  reset(): void {
    this.contexts.clear();
    this.commands.clear();
    this.hovers.length = 0;
    this.codeLenses.length = 0;
    this.trees.clear();
    this.shown.length = 0;
    this.external.length = 0;
    this.messages.length = 0;
    this.log.length = 0;
  },
};

export class Uri {
  constructor(
    readonly scheme: string,
    readonly fsPath: string,
    private readonly raw: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  static file(p: string): Uri {
    return new Uri('file', p, `file://${p}`);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':')[0], '', s);
  }
  toString(): string {
    return this.raw;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
  }
}

export class MarkdownString {
  isTrusted: unknown;
  constructor(public value = '') {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
}

export class Hover {
  constructor(
    readonly contents: MarkdownString,
    readonly range?: Range,
  ) {}
}

export class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string; arguments?: unknown[] },
  ) {}
}

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

export class TreeItem {
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState?: number,
  ) {}
}

export class RelativePattern {
  constructor(
    readonly base: unknown,
    readonly pattern: string,
  ) {}
}

export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (l: (e: T) => void): Disposable => {
    this.listeners.push(l);
    return disposable();
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

const event = (): (() => Disposable) => () => disposable();

export const window = {
  activeTextEditor: undefined as unknown,
  createOutputChannel: () => ({ appendLine: (s: string) => registry.log.push(s), dispose: () => undefined }),
  registerTreeDataProvider: (id: string, p: unknown) => {
    registry.trees.set(id, p);
    return disposable();
  },
  createTreeView: (id: string, o: { treeDataProvider: unknown }) => {
    registry.trees.set(id, o.treeDataProvider);
    return { ...disposable(), reveal: async () => undefined, visible: true, selection: [] };
  },
  onDidChangeActiveTextEditor: event(),
  showTextDocument: async (doc: { uri: Uri }, opts?: { selection?: Range }) => {
    registry.shown.push({ uri: doc.uri, selection: opts?.selection });
    return {};
  },
  showInformationMessage: async (m: string) => {
    registry.messages.push(m);
    return undefined;
  },
};

export const workspace = {
  get workspaceFolders() {
    return registry.workspaceFolders;
  },
  createFileSystemWatcher: () => ({ onDidChange: event(), onDidCreate: event(), onDidDelete: event(), dispose: () => undefined }),
  onDidOpenTextDocument: event(),
  onDidChangeWorkspaceFolders: event(),
  openTextDocument: async (uri: Uri) => ({ uri }),
};

export const languages = {
  registerHoverProvider: (selector: unknown, provider: unknown) => {
    registry.hovers.push({ selector, provider });
    return disposable();
  },
  registerCodeLensProvider: (selector: unknown, provider: unknown) => {
    registry.codeLenses.push({ selector, provider });
    return disposable();
  },
};

export const commands = {
  registerCommand: (id: string, fn: Fn) => {
    registry.commands.set(id, fn);
    return disposable();
  },
  executeCommand: async (id: string, ...args: unknown[]): Promise<unknown> => {
    if (id === 'setContext') return void registry.contexts.set(String(args[0]), args[1]);
    return (registry.commands.get(id) as ((...a: unknown[]) => unknown) | undefined)?.(...args);
  },
};

export const env = {
  openExternal: async (uri: Uri) => {
    registry.external.push(uri.toString());
    return true;
  },
};

/** Make `require('vscode')` load this module. */
export function installVscodeStub(): void {
  const M = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
  const orig = M._resolveFilename;
  if ((orig as { netstackStub?: boolean }).netstackStub) return;
  const patched = function (this: unknown, req: string, ...rest: unknown[]): string {
    return req === 'vscode' ? __filename : orig.call(this, req, ...rest);
  };
  (patched as { netstackStub?: boolean }).netstackStub = true;
  M._resolveFilename = patched;
}
