// The VS Code webview API as the webview sees it (injected by VS Code, or by the UI tests' fake).
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}
