// The Live Audio panel: a seed-003 ring buffer another process is writing, streamed to the
// webview by the session (no vscode); each panel has its own, so several can watch one buffer.
// Exports are written under a temporary name and renamed.
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { LiveAudioSession } from '../../domain/audio/liveAudioSession';
import {
  DEFAULT_LIVE_AUDIO, LIVE_AUDIO_VIEW_TYPE, RING_EDITOR_TYPE,
  type LiveAudioHostToWebview, type LiveAudioState, type LiveAudioWebviewToHost,
} from '../../protocol/audio';
import { Disposable } from '../dispose';
import { loadPanelPage } from '../panelPage';
import { saveExport, savePngDataUrl } from '../saveExport';
import { PanelSet } from './panelSet';

export class LiveAudioPanels extends PanelSet<LiveAudioState, LiveAudioView> {
  constructor(extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, LIVE_AUDIO_VIEW_TYPE, RING_EDITOR_TYPE);
  }

  /** A new panel each time: several may watch one buffer with different channels or settings. */
  show(ringPath: string): void {
    const panel = vscode.window.createWebviewPanel(LIVE_AUDIO_VIEW_TYPE, title(ringPath), vscode.ViewColumn.Active, this.options(dirname(ringPath)));
    this.adopt(panel, { ...DEFAULT_LIVE_AUDIO, path: ringPath });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: LiveAudioState | undefined): Promise<void> {
    if (typeof state?.path !== 'string') return panel.dispose();
    panel.webview.options = this.options(dirname(state.path));
    this.adopt(panel, { ...DEFAULT_LIVE_AUDIO, ...state });
  }

  override resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = this.options(dirname(document.uri.fsPath));
    this.adopt(panel, { ...DEFAULT_LIVE_AUDIO, path: document.uri.fsPath });
  }

  private adopt(panel: vscode.WebviewPanel, state: LiveAudioState): void {
    this.keep(new LiveAudioView(panel, state, this.extensionUri, this.log));
  }
}

const title = (ringPath: string) => `Live audio · ${basename(ringPath)}`;

class LiveAudioView extends Disposable {
  private readonly session: LiveAudioSession;

  constructor(readonly panel: vscode.WebviewPanel, readonly state: LiveAudioState, extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    super();
    const folder = exportFolder(state.path);
    this.session = new LiveAudioSession(state.path, {
      post: (m) => void panel.webview.postMessage(m),
      save: (name, filters, write) => saveExport(join(folder, name), filters, write),
      savePng: (name, dataUrl) => savePngDataUrl(join(folder, name), dataUrl),
      warn: (message) => log.warn(`live audio: ${message}`),
      visible: () => panel.visible,
    });
    const fail = (err: unknown) => {
      const message = describeError(err, state.path);
      log.warn(`live audio: ${message}`);
      void panel.webview.postMessage({ type: 'error', message } satisfies LiveAudioHostToWebview);
    };
    panel.title = title(state.path);
    loadPanelPage(panel, extensionUri, { title: 'Live Audio', bundle: 'liveAudio', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: LiveAudioWebviewToHost) => this.session.handle(m).catch(fail)));
    this.register({ dispose: () => void this.session.dispose() });
    // A hidden panel's page is gone (no retained context) and the stream reads nothing; say so in the log.
    let framesAtHide: number | undefined;
    this.register(panel.onDidChangeViewState(({ webviewPanel }) => {
      if (!webviewPanel.visible && framesAtHide === undefined) {
        framesAtHide = this.session.framesRead;
        log.info(`live audio: ${basename(state.path)} hidden after ${framesAtHide} frames; reading paused`);
      } else if (webviewPanel.visible && framesAtHide !== undefined) {
        log.info(`live audio: ${basename(state.path)} visible again; ${this.session.framesRead - framesAtHide} frames read while hidden`);
        framesAtHide = undefined;
      }
    }));
  }
}

/** Exports go next to the workspace's files, not into the system temp folder the buffer may live in. */
function exportFolder(ringPath: string): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? dirname(ringPath);
}
