// The Live Audio panel: a seed-003 ring buffer another process is writing, streamed to the
// webview by a LiveStream (nothing read while hidden, never more than two frames ahead of what
// the page drew); each panel has its own stream, so several can watch one buffer. Freezing
// keeps the visible span in a temporary WAV, since the writer overwrites the ring within
// seconds; exports are written under a temporary name and renamed.
import { randomBytes } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { captureRingSpan } from '../../domain/audio/liveRing';
import { LiveStream } from '../../domain/audio/liveStream';
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
  private readonly stream: LiveStream;
  /** The frozen span, kept as a WAV until resumed or closed. */
  private capture: Promise<string | undefined> = Promise.resolve(undefined);

  constructor(readonly panel: vscode.WebviewPanel, readonly state: LiveAudioState, extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    super();
    this.stream = this.register(new LiveStream(state.path, (m) => this.post(m), () => panel.visible));
    panel.title = title(state.path);
    loadPanelPage(panel, extensionUri, { title: 'Live Audio', bundle: 'liveAudio', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: LiveAudioWebviewToHost) => this.receive(m).catch((err) => this.fail(err))));
    this.register({ dispose: () => void this.dropCapture() });
    // A hidden panel's page is gone (no retained context) and the stream reads nothing; say so in the log.
    let framesAtHide: number | undefined;
    this.register(panel.onDidChangeViewState(({ webviewPanel }) => {
      if (!webviewPanel.visible && framesAtHide === undefined) {
        framesAtHide = this.stream.framesRead;
        log.info(`live audio: ${basename(state.path)} hidden after ${framesAtHide} frames; reading paused`);
      } else if (webviewPanel.visible && framesAtHide !== undefined) {
        log.info(`live audio: ${basename(state.path)} visible again; ${this.stream.framesRead - framesAtHide} frames read while hidden`);
        framesAtHide = undefined;
      }
    }));
  }

  private post(message: LiveAudioHostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private fail(err: unknown): void {
    const message = describeError(err, this.state.path);
    this.log.warn(`live audio: ${message}`);
    this.post({ type: 'error', message });
  }

  private async receive(m: LiveAudioWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // A webview that was hidden comes back empty: start afresh.
        this.stream.restart();
        return this.dropCapture();
      case 'subscribe':
        await this.dropCapture();
        return this.stream.subscribe(m);
      case 'ack':
        return this.stream.ack(m.id, m.seq);
      case 'freeze':
        this.stream.pause();
        return this.freeze(m.start, m.end, m.channels);
      case 'exportWav':
        return this.exportWav(m.start, m.end, m.channels);
      case 'exportPng':
        return this.exportPng(m.dataUrl);
      default: {
        const unknown: never = m;
        this.log.warn(`live audio: unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async freeze(start: number, end: number, channels: number[]): Promise<void> {
    await this.dropCapture();
    const file = join(tmpdir(), `runreel-live-${process.pid}-${randomBytes(4).toString('hex')}.wav`);
    this.capture = captureRingSpan(this.state.path, start, end, channels, file).then(
      () => {
        this.post({ type: 'frozen', ok: true, message: `Frozen: ${channels.length} channel${channels.length === 1 ? '' : 's'} kept for export.` });
        return file;
      },
      async (err) => {
        await rm(file, { force: true });
        const message = describeError(err, this.state.path);
        this.post({ type: 'frozen', ok: false, message: `Frozen, but the span could not be kept for export: ${message}` });
        return undefined;
      },
    );
    await this.capture;
  }

  private async dropCapture(): Promise<void> {
    const file = await this.capture;
    this.capture = Promise.resolve(undefined);
    if (file) await rm(file, { force: true });
  }

  private async exportWav(start: number, end: number, channels: number[]): Promise<void> {
    const frozen = await this.capture;
    const suggested = join(exportFolder(this.state.path), `${basename(this.state.path)}_${start}-${end}.wav`);
    await saveExport(suggested, { 'WAV audio': ['wav'] }, (tmp) => (frozen ? copyFile(frozen, tmp) : captureRingSpan(this.state.path, start, end, channels, tmp)));
  }

  private exportPng(dataUrl: string): Promise<void> {
    return savePngDataUrl(join(exportFolder(this.state.path), `${basename(this.state.path)}.png`), dataUrl);
  }
}

/** Exports go next to the workspace's files, not into the system temp folder the buffer may live in. */
function exportFolder(ringPath: string): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? dirname(ringPath);
}
