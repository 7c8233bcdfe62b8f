// The packet debugger page: strict Content-Security-Policy (scripts only with the nonce, styles
// and fonts only from the webview's own resource origin, nothing inline, no eval), the
// stylesheet and the bundle. Pure, so the panel and the UI tests' page are the same page.

export interface PageParts {
  /** webview.cspSource in VS Code; the test server's origin in the UI tests */
  cspSource: string;
  nonce: string;
  styleUri: string;
  /** scripts in order; all get the nonce (the UI tests put their fake host first) */
  scriptUris: string[];
  title: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `img-src ${cspSource} data:`, `style-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function debuggerPage(p: PageParts): string {
  const scripts = p.scriptUris.map((u) => `<script nonce="${esc(p.nonce)}" src="${esc(u)}"></script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(p.styleUri)}">
<title>${esc(p.title)}</title>
</head>
<body>
<div id="app"></div>
${scripts}
</body>
</html>`;
}

/** 32 characters from [A-Za-z0-9], from a caller's random source (crypto where there is one). */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(random() * chars.length));
  return s;
}
