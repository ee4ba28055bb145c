// What every data panel kind shares: its open views, a serializer that brings them back
// after a reload, and (for panels of a file type) an "Open With…" editor. Subclasses say how
// a view is made from saved state or from a file.
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { assetRoots } from '../panelPage';

export interface PanelView {
  readonly panel: vscode.WebviewPanel;
  dispose(): void;
}

export abstract class PanelSet<State, View extends PanelView> extends Disposable implements vscode.WebviewPanelSerializer<State>, vscode.CustomReadonlyEditorProvider {
  protected readonly open = new Set<View>();

  constructor(protected readonly extensionUri: vscode.Uri, viewType: string, editorType?: string) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(viewType, this));
    if (editorType) this.register(vscode.window.registerCustomEditorProvider(editorType, this, { supportsMultipleEditorsPerDocument: true }));
  }

  abstract deserializeWebviewPanel(panel: vscode.WebviewPanel, state: State | undefined): Promise<void>;

  /** Panels of folders have no editor: only registered with an editorType. */
  resolveCustomEditor(_document: vscode.CustomDocument, panel: vscode.WebviewPanel): void | Promise<void> {
    panel.dispose();
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => {} };
  }

  /** Scripts on; local files from the extension's assets and `dir` (the data shown). */
  protected options(dir: string): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [...assetRoots(this.extensionUri), vscode.Uri.file(dir)] };
  }

  /** The view lives as long as its panel: this set owns it until the panel closes. */
  protected keep(view: View): View {
    this.open.add(view);
    view.panel.onDidDispose(() => { this.open.delete(view); view.dispose(); });
    return view;
  }

  override dispose(): void {
    for (const v of [...this.open]) v.panel.dispose();
    super.dispose();
  }
}

/** A panel of one folder, brought forward at `focus` (an item in it) when asked for again. */
export interface FolderView<State extends { dir: string }> extends PanelView {
  readonly state: State;
  reveal(focus?: string): void;
}

/** Panels of folders, one per folder; a view is made from its state, new or saved. */
export abstract class FolderPanelSet<State extends { dir: string }, View extends FolderView<State>> extends PanelSet<State, View> {
  constructor(extensionUri: vscode.Uri, private readonly viewType: string, private readonly title: (dir: string) => string) {
    super(extensionUri, viewType);
  }

  protected abstract create(panel: vscode.WebviewPanel, state: State): View;

  /** Reveals the panel of `state.dir` at `focus`, or opens one with `state`. */
  protected showFolder(state: State, focus?: string): void {
    const existing = [...this.open].find((v) => v.state.dir === state.dir);
    if (existing) return existing.reveal(focus);
    const panel = vscode.window.createWebviewPanel(this.viewType, this.title(state.dir), vscode.ViewColumn.Active, this.options(state.dir));
    this.keep(this.create(panel, state));
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: State | undefined): Promise<void> {
    if (typeof state?.dir !== 'string') return panel.dispose();
    panel.webview.options = this.options(state.dir);
    panel.title = this.title(state.dir);
    this.keep(this.create(panel, state));
  }
}
