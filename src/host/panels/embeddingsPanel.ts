// The Embedding Timeline panel: the session (no vscode) serves a snapshot folder's steps; new
// snapshots are followed live through the run index. Also the "Open With…" editor for npz.
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { STEP_SNAPSHOT } from '../../domain/runs/discover';
import { EmbeddingsSession, timelineTitle } from '../../domain/embeddings/timelineSession';
import { EMBEDDINGS_EDITOR_TYPE, EMBEDDINGS_VIEW_TYPE, type EmbeddingsState, type EmbeddingsWebviewToHost } from '../../protocol/embeddings';
import { Disposable } from '../dispose';
import type { RunIndex } from '../runIndex';
import { loadPanelPage } from '../panelPage';
import { postToPage } from '../postToPage';
import { savePngDataUrl } from '../saveExport';
import type { StepClock } from '../stepClock';
import { PanelSet } from './panelSet';

export class EmbeddingsPanels extends PanelSet<EmbeddingsState, EmbeddingsView> {
  constructor(extensionUri: vscode.Uri, private readonly index: RunIndex, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, EMBEDDINGS_VIEW_TYPE, EMBEDDINGS_EDITOR_TYPE);
  }

  show(dir: string, step?: number): void {
    const existing = [...this.open].find((v) => v.dir === dir);
    if (existing && step === undefined) return existing.reveal();
    const panel = vscode.window.createWebviewPanel(EMBEDDINGS_VIEW_TYPE, `Embeddings · ${timelineTitle(dir)}`, vscode.ViewColumn.Active, this.options(dir));
    this.adopt(panel, { dir, step, align: true, follow: step === undefined, trail: 0 });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: EmbeddingsState | undefined): Promise<void> {
    if (typeof state?.dir !== 'string') return panel.dispose();
    panel.webview.options = this.options(state.dir);
    this.adopt(panel, state);
  }

  override resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    const m = STEP_SNAPSHOT.exec(basename(file));
    panel.webview.options = this.options(dirname(file));
    // A step snapshot opens its whole timeline at that step; any other npz is a timeline of one.
    this.adopt(panel, { dir: dirname(file), step: m ? Number(m[1]) : undefined, align: true, follow: false, trail: 0 }, m ? undefined : file);
  }

  private adopt(panel: vscode.WebviewPanel, state: EmbeddingsState, singleFile?: string): void {
    this.keep(new EmbeddingsView(panel, state, this.extensionUri, this.index, this.clock, this.log, singleFile));
  }
}

class EmbeddingsView extends Disposable {
  readonly dir: string;
  private readonly session: EmbeddingsSession;
  private relist: NodeJS.Timeout | undefined;

  constructor(readonly panel: vscode.WebviewPanel, state: EmbeddingsState, extensionUri: vscode.Uri, index: RunIndex, clock: StepClock, log: vscode.LogOutputChannel, singleFile?: string) {
    super();
    const dir = (this.dir = state.dir);
    // A timeline opened after the run's clock was set starts at its step.
    this.session = new EmbeddingsSession(dir, {
      post: (m) => postToPage(panel.webview, m),
      uri: (path) => panel.webview.asWebviewUri(vscode.Uri.file(path)).toString(),
      warn: (message) => log.warn(`embedding timeline: ${message}`),
      exportPng: (dataUrl, step) => savePngDataUrl(join(dir, `embeddings_step_${step}.png`), dataUrl),
      createAnimation: async () => { await vscode.commands.executeCommand('runreel.createAnimation', vscode.Uri.file(dir)); },
    }, { singleFile, clockStep: singleFile ? undefined : clock.stepOf(dir) });
    const fail = (err: unknown) => {
      const message = describeError(err, dir);
      log.warn(`embedding timeline: ${message}`);
      postToPage(panel.webview, { type: 'error', message });
    };
    panel.title = `Embeddings · ${singleFile ? basename(singleFile) : timelineTitle(dir)}`;
    loadPanelPage(panel, extensionUri, { title: 'Embedding Timeline', bundle: 'embeddings', boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: EmbeddingsWebviewToHost) => this.session.handle(m).catch(fail)));
    this.register(index.onDidChangeFiles(({ changes }) => {
      if (singleFile || ![...changes.keys()].some((p) => dirname(p) === dir)) return;
      clearTimeout(this.relist);
      this.relist = setTimeout(() => void this.session.refresh().catch(fail), 250);
    }));
    this.register({ dispose: () => { clearTimeout(this.relist); this.session.dispose(); } });
    // The run's step clock moves the timeline to the nearest snapshot step. A hidden panel has
    // no page to tell: the step waits for the page to come back ("ready").
    this.register(clock.follow(dir, (step) => this.session.goToStep(step, panel.visible)));
  }

  reveal(): void {
    this.panel.reveal();
  }
}
