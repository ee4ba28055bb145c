// The Animation panel: plays a created GIF or WebM. Restored after a reload.
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { ANIMATION_VIEW_TYPE, type AnimationFile, type AnimationHostToWebview, type AnimationState, type AnimationWebviewToHost } from '../../protocol/animation';
import { Disposable } from '../dispose';
import { assetRoots, loadPanelPage } from '../panelPage';

export class AnimationPanels extends Disposable implements vscode.WebviewPanelSerializer<AnimationState> {
  private readonly open = new Set<vscode.WebviewPanel>();

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(ANIMATION_VIEW_TYPE, this));
  }

  show(paths: string[], title: string, frames?: number): void {
    const panel = vscode.window.createWebviewPanel(ANIMATION_VIEW_TYPE, `Animation · ${title}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: this.roots(paths) });
    this.adopt(panel, { paths }, title, frames);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: AnimationState | undefined): Promise<void> {
    const paths = Array.isArray(state?.paths) ? state.paths.filter((p): p is string => typeof p === 'string') : [];
    if (paths.length === 0) return panel.dispose();
    panel.webview.options = { enableScripts: true, localResourceRoots: this.roots(paths) };
    this.adopt(panel, { ...state, paths }, basename(dirname(paths[0])));
  }

  /** Built assets plus exactly the folders of the files shown. */
  private roots(paths: string[]): vscode.Uri[] {
    return [...assetRoots(this.extensionUri), ...new Set(paths.map((p) => vscode.Uri.file(dirname(p))))];
  }

  private adopt(panel: vscode.WebviewPanel, state: AnimationState, title: string, frames?: number): void {
    this.open.add(panel);
    loadPanelPage(panel, this.extensionUri, { title: 'Animation', bundle: 'animation', boot: state });
    const webview = panel.webview;
    const subscriptions = [
      webview.onDidReceiveMessage(async (m: AnimationWebviewToHost) => {
        if (m.type === 'ready') {
          const files: AnimationFile[] = [];
          for (const path of state.paths) {
            try {
              const s = await stat(path);
              files.push({ kind: path.endsWith('.webm') ? 'webm' : 'gif', src: webview.asWebviewUri(vscode.Uri.file(path)).toString(), name: basename(path), path, bytes: s.size });
            } catch {
              /* deleted since: not shown */
            }
          }
          const message: AnimationHostToWebview = { type: 'show', title, files, frames };
          void webview.postMessage(message);
        } else if (m.type === 'reveal' && state.paths.includes(m.path)) {
          // Only the animations this panel shows.
          await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(m.path));
        }
      }),
      panel.onDidDispose(() => {
        this.open.delete(panel);
        for (const s of subscriptions) s.dispose();
      }),
    ];
  }

  override dispose(): void {
    for (const p of [...this.open]) p.dispose();
    super.dispose();
  }
}
