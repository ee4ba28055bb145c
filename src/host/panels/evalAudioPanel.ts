// The Eval Audio panel: a run's eval steps (target and prediction of each sample), a run's
// audio summaries, or one WAV opened with "Open With…". The session (no vscode) reads them.
import { basename, dirname, sep } from 'node:path';
import * as vscode from 'vscode';
import { EvalAudioSession, evalRunTitle } from '../../domain/audio/evalAudioSession';
import { ScalarRun } from '../../domain/tensorboard/scalars';
import { DEFAULT_SPECTROGRAM, EVAL_AUDIO_VIEW_TYPE, WAV_EDITOR_TYPE, type EvalAudioState, type EvalAudioWebviewToHost } from '../../protocol/audio';
import { Disposable } from '../dispose';
import type { RunIndex } from '../runIndex';
import { loadPanelPage } from '../panelPage';
import { postToPage } from '../postToPage';
import type { StepClock } from '../stepClock';
import { PanelSet } from './panelSet';

export class EvalAudioPanels extends PanelSet<EvalAudioState, EvalAudioView> {
  constructor(extensionUri: vscode.Uri, private readonly index: RunIndex, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, EVAL_AUDIO_VIEW_TYPE, WAV_EDITOR_TYPE);
  }

  /** Opens (or reveals) the panel of `evalDir`, at `step` when given. */
  show(evalDir: string, step?: number): void {
    const existing = [...this.open].find((v) => v.state.path === evalDir && !v.state.single);
    if (existing) return existing.reveal(step);
    const panel = vscode.window.createWebviewPanel(EVAL_AUDIO_VIEW_TYPE, `Eval audio · ${evalRunTitle(evalDir)}`, vscode.ViewColumn.Active, this.options(evalDir));
    this.adopt(panel, { path: evalDir, single: false, step, spectrogram: DEFAULT_SPECTROGRAM, diff: false });
  }

  /**
   * Opens (or reveals) the audio summaries of the run folder `runDir`'s event files; `run`,
   * when the caller has read them already, is carried on rather than read again.
   */
  showEvents(runDir: string, run?: ScalarRun): void {
    const existing = [...this.open].find((v) => v.state.path === runDir && v.state.events);
    if (existing) return existing.reveal();
    const panel = vscode.window.createWebviewPanel(EVAL_AUDIO_VIEW_TYPE, `Audio · ${basename(runDir)}`, vscode.ViewColumn.Active, this.options(runDir));
    this.adopt(panel, { path: runDir, single: false, events: true, spectrogram: DEFAULT_SPECTROGRAM, diff: false }, run);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: EvalAudioState | undefined): Promise<void> {
    if (typeof state?.path !== 'string') return panel.dispose();
    panel.webview.options = this.options(state.single ? dirname(state.path) : state.path);
    this.adopt(panel, { ...state, spectrogram: { ...DEFAULT_SPECTROGRAM, ...state.spectrogram } });
  }

  override resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    panel.webview.options = this.options(dirname(file));
    this.adopt(panel, { path: file, single: true, spectrogram: DEFAULT_SPECTROGRAM, diff: false });
  }

  private adopt(panel: vscode.WebviewPanel, state: EvalAudioState, eventRun?: ScalarRun): void {
    this.keep(new EvalAudioView(panel, state, this.extensionUri, this.index, this.clock, this.log, eventRun));
  }
}

class EvalAudioView extends Disposable {
  private readonly session: EvalAudioSession;
  private relist: NodeJS.Timeout | undefined;

  constructor(readonly panel: vscode.WebviewPanel, readonly state: EvalAudioState, extensionUri: vscode.Uri, index: RunIndex, clock: StepClock, log: vscode.LogOutputChannel, eventRun?: ScalarRun) {
    super();
    this.session = new EvalAudioSession(state, {
      post: (m) => postToPage(panel.webview, m),
      uri: (path) => panel.webview.asWebviewUri(vscode.Uri.file(path)).toString(),
      warn: (message) => log.warn(`eval audio: ${message}`),
    }, { eventRun, clockStep: state.single ? undefined : clock.stepOf(state.path) });
    panel.title = state.single ? basename(state.path) : state.events ? `Audio · ${basename(state.path)}` : `Eval audio · ${evalRunTitle(state.path)}`;
    loadPanelPage(panel, extensionUri, { title: 'Eval Audio', bundle: 'evalAudio', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: EvalAudioWebviewToHost) => void this.session.handle(m)));
    if (!state.single) {
      // New eval steps written by a running training appear without reopening.
      this.register(index.onDidChangeFiles(({ changes }) => {
        if (![...changes.keys()].some((p) => p.startsWith(state.path + sep))) return;
        clearTimeout(this.relist);
        this.relist = setTimeout(() => void this.session.refresh(), 300);
      }));
      // The run's step clock: the nearest eval step (now when shown, else when the page is back).
      this.register(clock.follow(state.path, (step) => void this.session.goToStep(step, panel.visible)));
    }
    this.register({ dispose: () => { clearTimeout(this.relist); void this.session.dispose(); } });
  }

  reveal(step?: number): void {
    this.panel.reveal();
    if (step !== undefined) void this.session.showStep(step);
  }
}
