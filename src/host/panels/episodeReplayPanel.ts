// The Episode Replay panel: an RL episode log (seed 001) stepped through in a webview. The
// session (domain, no vscode) indexes the log and answers step requests; this file wires it
// to a panel, the run index's file events and the serializer / "Open With…" editor.
import { sep } from 'node:path';
import * as vscode from 'vscode';
import { EpisodeReplaySession, locateEpisodeTarget } from '../../domain/episodes/replaySession';
import { describeError } from '../../domain/artifacts/errors';
import { isWithin } from '../../domain/paths';
import {
  DEFAULT_EPISODE_REPLAY, EPISODE_LOG_EDITOR_TYPE, EPISODE_REPLAY_VIEW_TYPE,
  type EpisodeHostToWebview, type EpisodeReplayState, type EpisodeWebviewToHost,
} from '../../protocol/episodes';
import { Disposable } from '../dispose';
import { loadPanelPage } from '../panelPage';
import type { RunIndex } from '../runIndex';
import { PanelSet } from './panelSet';

export class EpisodeReplayPanels extends PanelSet<EpisodeReplayState, EpisodeReplayView> {
  constructor(extensionUri: vscode.Uri, private readonly index: RunIndex, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, EPISODE_REPLAY_VIEW_TYPE, EPISODE_LOG_EDITOR_TYPE);
  }

  /** Opens `path` (a run folder, an episode folder or an episode log), or reveals its panel. */
  async show(path: string): Promise<void> {
    let target: { run: string; episode?: string };
    try {
      target = await locateEpisodeTarget(path);
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot replay ${path}: ${describeError(err, path)}`);
      return;
    }
    const existing = [...this.open].find((v) => v.state.run === target.run);
    if (existing) return existing.reveal(target.episode);
    const panel = vscode.window.createWebviewPanel(EPISODE_REPLAY_VIEW_TYPE, 'Episode replay', vscode.ViewColumn.Active, this.options(target.run));
    this.adopt(panel, { ...DEFAULT_EPISODE_REPLAY, run: target.run, episode: target.episode });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: EpisodeReplayState | undefined): Promise<void> {
    if (typeof state?.run !== 'string') return panel.dispose();
    panel.webview.options = this.options(state.run);
    this.adopt(panel, { ...DEFAULT_EPISODE_REPLAY, ...state });
  }

  override async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const target = await locateEpisodeTarget(document.uri.fsPath).catch(() => ({ run: document.uri.fsPath, episode: document.uri.fsPath }));
    panel.webview.options = this.options(target.run);
    this.adopt(panel, { ...DEFAULT_EPISODE_REPLAY, ...target });
  }

  private adopt(panel: vscode.WebviewPanel, state: EpisodeReplayState): void {
    this.keep(new EpisodeReplayView(panel, state, this.extensionUri, this.index, this.log));
  }
}

class EpisodeReplayView extends Disposable {
  private readonly session: EpisodeReplaySession;
  private refreshTimer: NodeJS.Timeout | undefined;
  private pending: string[] = [];
  /** Messages handled in order: a step request never overtakes the episode it belongs to. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly panel: vscode.WebviewPanel, readonly state: EpisodeReplayState, extensionUri: vscode.Uri, index: RunIndex, private readonly log: vscode.LogOutputChannel) {
    super();
    panel.title = `Episodes · ${state.run.split(sep).pop() || state.run}`;
    this.session = new EpisodeReplaySession(state.run, {
      post: (m: EpisodeHostToWebview) => { void panel.webview.postMessage(m); },
      imageUri: (path) => panel.webview.asWebviewUri(vscode.Uri.file(path)).toString(),
      warn: (message) => log.warn(message),
    }, { episode: state.episode, step: state.step });
    loadPanelPage(panel, extensionUri, { title: 'Episode Replay', bundle: 'episodes', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: EpisodeWebviewToHost) => {
      if (m.type === 'openEpisode' && typeof m.path === 'string' && isWithin(state.run, m.path)) this.state.episode = m.path;
      // Step requests are coalesced inside the session; they need not wait in this queue.
      if (m.type === 'step') return void this.session.handle(m).catch((err) => this.fail(err));
      this.queue = this.queue.then(() => this.session.handle(m)).catch((err) => this.fail(err));
    }));
    // Episodes a running experiment logs appear without a reload.
    this.register(index.onDidChangeFiles(({ changes }) => {
      const mine = [...changes.keys()].filter((p) => p.startsWith(state.run + sep));
      if (mine.length === 0) return;
      this.pending.push(...mine);
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => {
        const paths = this.pending;
        this.pending = [];
        this.queue = this.queue.then(() => this.session.refresh(paths)).catch((err) => this.fail(err));
      }, 400);
    }));
    this.register({ dispose: () => { clearTimeout(this.refreshTimer); void this.session.dispose(); } });
  }

  reveal(episode?: string): void {
    this.panel.reveal();
    if (episode) this.queue = this.queue.then(() => this.session.handle({ type: 'openEpisode', path: episode })).catch((err) => this.fail(err));
  }

  private fail(err: unknown): void {
    const message = describeError(err, this.state.run);
    this.log.warn(`episode replay: ${message}`);
    void this.panel.webview.postMessage({ type: 'error', message } satisfies EpisodeHostToWebview);
  }
}
