// The one way a Run Reel panel gets its page: the extension icon, and the HTML for one
// webview bundle with the shared stylesheet, through renderWebviewHtml's strict policy.
import * as vscode from 'vscode';
import { renderWebviewHtml } from './webviewHtml';

/** The built webview bundles and media: what every panel may load besides its data. */
export function assetRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/** `styles`: stylesheets from dist/webview besides the shared one (e.g. uplot.css). */
export function loadPanelPage(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, page: { title: string; bundle: string; boot: unknown; styles?: string[] }): void {
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'runreel.svg');
  const webview = panel.webview;
  const asUri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  webview.html = renderWebviewHtml({
    title: page.title,
    cspSource: webview.cspSource,
    scriptUris: [asUri('dist', 'webview', `${page.bundle}.js`)],
    styleUris: [...(page.styles ?? []).map((s) => asUri('dist', 'webview', s)), asUri('media', 'webview.css')],
    boot: page.boot,
  });
}
