// The Animation panel: plays a created GIF or WebM. Restored after a reload.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { AnimationSession } from '../../domain/animation/animationSession';
import { ANIMATION_VIEW_TYPE, type AnimationState, type AnimationWebviewToHost } from '../../protocol/animation';
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
    const session = new AnimationSession(state.paths, title, frames, {
      post: (m) => void webview.postMessage(m),
      uri: (p) => webview.asWebviewUri(vscode.Uri.file(p)).toString(),
      reveal: (p) => vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(p)),
    });
    const subscriptions = [
      webview.onDidReceiveMessage((m: AnimationWebviewToHost) => session.handle(m)),
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
