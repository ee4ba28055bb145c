// The one place webview HTML is made. No vscode import: callers pass URIs already
// converted with asWebviewUri, so this stays testable as plain text.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  title: string;
  /** webview.cspSource */
  cspSource: string;
  scriptUris: string[];
  styleUris: string[];
  /** Extra CSP sources for img-src (e.g. for showing images from run folders). */
  imgSources?: string[];
  /** JSON-serialisable data the script reads from #runreel-boot before its first message. */
  boot?: unknown;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders a page with a fresh nonce and a strict policy: no inline script, no remote loads. */
export function renderWebviewHtml(options: WebviewHtmlOptions, nonce = makeNonce()): string {
  const img = ['data:', 'blob:', options.cspSource, ...(options.imgSources ?? [])].join(' ');
  const csp = [
    `default-src 'none'`,
    `img-src ${img}`,
    `media-src ${options.cspSource} blob:`,
    `style-src ${options.cspSource}`,
    `font-src ${options.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `worker-src blob:`,
  ].join('; ');
  // JSON in a non-executable script tag; "<" escaped so file text can never close the tag.
  const boot = JSON.stringify(options.boot ?? null).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeAttr(options.title)}</title>
${options.styleUris.map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n')}
</head>
<body>
<div id="app" role="main"></div>
<script type="application/json" id="runreel-boot">${boot}</script>
${options.scriptUris.map((u) => `<script nonce="${nonce}" src="${escapeAttr(u)}"></script>`).join('\n')}
</body>
</html>`;
}
