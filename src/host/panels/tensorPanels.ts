// The Safetensors Inspector (a read-only custom editor: VS Code restores it itself) and the
// Latent Store panel. Both delegate to vscode-free sessions; this file wires them to
// webviews, file watching, the clipboard and settings.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { LatentStoreSession } from '../../domain/latents/storeSession';
import { InspectorSession } from '../../domain/tensors/inspectorSession';
import {
  INSPECTOR_EDITOR_TYPE, LATENT_STORE_VIEW_TYPE,
  type InspectorState, type InspectorWebviewToHost, type LatentStoreState, type LatentStoreWebviewToHost,
} from '../../protocol/tensors';
import { Disposable } from '../dispose';
import { assetRoots, loadPanelPage } from '../panelPage';
import { postToPage } from '../postToPage';
import { watchFolder } from '../watchFolder';
import type { StepClock } from '../stepClock';
import { FolderPanelSet } from './panelSet';

/** Opens a .safetensors file in the inspector. */
export function inspectTensorFile(path: string): Thenable<unknown> {
  return vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), INSPECTOR_EDITOR_TYPE);
}

export class SafetensorsInspectorEditors extends Disposable implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(vscode.window.registerCustomEditorProvider(INSPECTOR_EDITOR_TYPE, this, { supportsMultipleEditorsPerDocument: true }));
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => {} };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    panel.webview.options = { enableScripts: true, localResourceRoots: assetRoots(this.extensionUri) };
    const view = new InspectorView(panel, file, this.extensionUri, this.log);
    panel.onDidDispose(() => view.dispose());
  }
}

class InspectorView extends Disposable {
  constructor(panel: vscode.WebviewPanel, file: string, extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    super();
    const session = new InspectorSession(file, {
      post: (m) => postToPage(panel.webview, m),
      copy: (text) => void vscode.env.clipboard.writeText(text).then(() => vscode.window.setStatusBarMessage(`Copied ${text}`, 3000)),
    });
    const state: InspectorState = { file };
    loadPanelPage(panel, extensionUri, { title: 'Tensor Inspector', bundle: 'inspector', boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: InspectorWebviewToHost) => void session.handle(m).catch((err) => log.warn(`inspector: ${describeError(err, file)}`))));
    // A checkpoint or latent rewritten in place: show the new header.
    this.register(watchFolder(dirname(file), () => void session.fileChanged(), basename(file)));
    this.register({ dispose: () => session.dispose() });
  }
}

export class LatentStorePanels extends FolderPanelSet<LatentStoreState, LatentStoreView> {
  constructor(extensionUri: vscode.Uri, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, LATENT_STORE_VIEW_TYPE, title);
  }

  /** Opens the store's panel (or reveals it), with latent `selected` when given. */
  show(dir: string, selected?: string): void {
    this.showFolder({ dir, selected }, selected);
  }

  protected create(panel: vscode.WebviewPanel, state: LatentStoreState): LatentStoreView {
    return new LatentStoreView(panel, state, this.extensionUri, this.clock, this.log);
  }
}

const title = (dir: string) => `Latents · ${basename(dir)}`;

class LatentStoreView extends Disposable {
  private readonly session: LatentStoreSession;

  constructor(readonly panel: vscode.WebviewPanel, readonly state: LatentStoreState, extensionUri: vscode.Uri, clock: StepClock, log: vscode.LogOutputChannel) {
    super();
    this.session = new LatentStoreSession(state.dir, {
      post: (m) => postToPage(panel.webview, m),
      copy: (text) => void vscode.env.clipboard.writeText(text).then(() => vscode.window.setStatusBarMessage(`Copied latent ID ${text}`, 3000)),
      inspect: (path) => void inspectTensorFile(path),
      reveal: (path) => void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path)),
    }, () => vscode.workspace.getConfiguration('runreel').get<number>('latentTtlHours', 24), clock.stepOf(state.dir));
    loadPanelPage(panel, extensionUri, { title: 'Latent Store', bundle: 'latents', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: LatentStoreWebviewToHost) => void this.session.handle(m).catch((err) => log.warn(`latent store: ${describeError(err, state.dir)}`))));
    // The producer stores and its TTL thread deletes: relist on any change in the folder.
    this.register(watchFolder(state.dir, () => void this.session.refresh()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('runreel.latentTtlHours')) void this.session.refresh(); }));
    this.register({ dispose: () => this.session.dispose() });
    this.register(clock.follow(state.dir, (step) => this.session.goToStep(step, panel.visible)));
  }

  reveal(selected?: string): void {
    this.panel.reveal();
    if (selected) void this.panel.webview.postMessage({ type: 'select', id: selected });
  }
}
