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
