// The Live Audio panel: a seed-003 ring buffer another process is writing. The webview asks
// for a frame whenever it can draw one (so nothing is read while it is hidden, and a slow
// panel is never sent more than it can show); each panel has its own tap, so several can
// watch one buffer. Freezing keeps the visible span in a temporary WAV, since the writer
// overwrites the ring within seconds; exports are written under a temporary name and renamed.
import { randomBytes } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { ArtifactError } from '../../domain/artifacts/errors';
import { captureRingSpan, LiveRingTap, stoppedAfterMs } from '../../domain/audio/liveRing';
import {
  DEFAULT_LIVE_AUDIO, LIVE_AUDIO_VIEW_TYPE, RING_EDITOR_TYPE,
  type LiveAudioHostToWebview, type LiveAudioState, type LiveAudioWebviewToHost,
} from '../../protocol/audio';
import { Disposable } from '../dispose';
import { loadPanelPage } from '../panelPage';
import { saveExport, savePngDataUrl } from '../saveExport';
import { PanelSet } from './panelSet';

/** One frame reads at most this many samples over all channels (32 MB of f64). */
const FRAME_SAMPLE_BUDGET = 1 << 22;

export class LiveAudioPanels extends PanelSet<LiveAudioState, LiveAudioView> {
  constructor(extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, LIVE_AUDIO_VIEW_TYPE, RING_EDITOR_TYPE);
  }

  /** A new panel each time: several may watch one buffer with different channels or settings. */
  show(ringPath: string): void {
    const panel = vscode.window.createWebviewPanel(LIVE_AUDIO_VIEW_TYPE, title(ringPath), vscode.ViewColumn.Active, this.options(dirname(ringPath)));
    this.adopt(panel, { ...DEFAULT_LIVE_AUDIO, path: ringPath });
  }

  get openPaths(): string[] {
    return [...this.open].map((v) => v.state.path);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: LiveAudioState | undefined): Promise<void> {
    if (typeof state?.path !== 'string') return panel.dispose();
    panel.webview.options = this.options(dirname(state.path));
    this.adopt(panel, { ...DEFAULT_LIVE_AUDIO, ...state });
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = this.options(dirname(document.uri.fsPath));
    this.adopt(panel, { ...DEFAULT_LIVE_AUDIO, path: document.uri.fsPath });
  }

  private adopt(panel: vscode.WebviewPanel, state: LiveAudioState): void {
    this.keep(new LiveAudioView(panel, state, this.extensionUri, this.log));
  }
}

const title = (ringPath: string) => `Live audio · ${basename(ringPath)}`;

class LiveAudioView extends Disposable {
  private tap: LiveRingTap;
  /** The frozen span, kept as a WAV until resumed or closed. */
  private capture: Promise<string | undefined> = Promise.resolve(undefined);

  constructor(readonly panel: vscode.WebviewPanel, readonly state: LiveAudioState, extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    super();
    this.tap = new LiveRingTap(state.path);
    panel.title = title(state.path);
    loadPanelPage(panel, extensionUri, { title: 'Live Audio', bundle: 'liveAudio', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: LiveAudioWebviewToHost) => this.receive(m).catch((err) => this.fail(err))));
    this.register({ dispose: () => void this.dropCapture() });
  }

  private post(message: LiveAudioHostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private fail(err: unknown): void {
    const message = err instanceof ArtifactError || err instanceof RangeError ? err.message : `${this.state.path}: ${String(err)}`;
    this.log.warn(`live audio: ${message}`);
    this.post({ type: 'error', message });
  }

  private async receive(m: LiveAudioWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // A webview that was hidden comes back empty: start afresh.
        this.tap = new LiveRingTap(this.state.path);
        await this.dropCapture();
        return;
      case 'poll':
        return this.poll(m);
      case 'freeze':
        return this.freeze(m.start, m.end, m.channels);
      case 'resume':
        return this.dropCapture();
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

  private async poll(m: Extract<LiveAudioWebviewToHost, { type: 'poll' }>): Promise<void> {
    const started = performance.now();
    const wanted = new Set([...m.channels, ...(m.spectrumChannel === undefined ? [] : [m.spectrumChannel])]).size;
    try {
      const f = await this.tap.next({
        channels: m.channels, spectrumChannel: m.spectrumChannel, bucket: m.bucket, history: m.history, reset: m.reset,
        maxSamples: Math.max(m.bucket, Math.floor(FRAME_SAMPLE_BUDGET / Math.max(1, wanted))),
      });
      const h = f.header;
      this.post({
        type: 'frame', id: m.id,
        ring: { name: basename(this.state.path), sampleRate: h.sampleRate, channels: h.channels, capacity: h.capacity, samplesPerWrite: h.samplesPerWrite },
        written: f.written, start: f.start, end: f.end, bucket: m.bucket, min: f.min, max: f.max, spectrum: f.spectrum,
        overrun: f.overrun, skipped: f.skipped, fresh: f.fresh, idleMs: f.idleMs, stopped: f.idleMs > stoppedAfterMs(h) || f.written === 0,
        readMs: performance.now() - started,
      });
    } catch (err) {
      const gone = err instanceof ArtifactError && err.code === 'not_found';
      const message = gone ? `Waiting for ${this.state.path}: the file is not there (the writer has not started, or stopped and removed it).`
        : err instanceof ArtifactError || err instanceof RangeError ? err.message : `${this.state.path}: ${String(err)}`;
      this.post({ type: 'unavailable', id: m.id, gone, message });
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
        const message = err instanceof ArtifactError || err instanceof RangeError ? err.message : String(err);
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
