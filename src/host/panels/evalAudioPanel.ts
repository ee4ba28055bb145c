// The Eval Audio panel: a run's eval steps (target and prediction of each sample), or one
// WAV opened with "Open With…". The host reads peaks and spectrogram samples for the range
// the webview shows; playback streams the file itself through a webview URI. A run's audio
// summaries (TensorBoard event files) are samples too: their WAVs are byte ranges of the file.
import { basename, dirname, join, sep } from 'node:path';
import * as vscode from 'vscode';
import { ArtifactError, describeError } from '../../domain/artifacts/errors';
import { FileSource, SliceSource, type ByteSource } from '../../domain/artifacts/source';
import { listEventAudioSteps } from '../../domain/audio/eventAudio';
import { ScalarRun } from '../../domain/tensorboard/scalars';
import { readWavInfoFrom, type WavInfo } from '../../domain/artifacts/wav';
import { listEvalSteps, readSampleText, type EvalStep } from '../../domain/audio/evalAudio';
import { rangePeaks, spectrogramSamples } from '../../domain/audio/wavRange';
import { nearestIndexOf } from '../../domain/nearest';
import { checkWindow } from '../../domain/audio/stft';
import {
  DEFAULT_SPECTROGRAM, EVAL_AUDIO_VIEW_TYPE, WAV_EDITOR_TYPE,
  type EvalAudioHostToWebview, type EvalAudioState, type EvalAudioWebviewToHost, type TrackInfo,
} from '../../protocol/audio';
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
    const panel = vscode.window.createWebviewPanel(EVAL_AUDIO_VIEW_TYPE, `Eval audio · ${runTitle(evalDir)}`, vscode.ViewColumn.Active, this.options(evalDir));
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

function runTitle(evalDir: string): string {
  return basename(dirname(evalDir)) || evalDir;
}

interface OpenTrack { source: ByteSource; info: WavInfo }
/** A WAV to open: a file, or a byte range of one (an event file's audio summary). */
interface TrackFile { role: TrackInfo['role']; path: string; range?: { offset: number; length: number }; name?: string }
/** Audio summaries larger than this are not sent to the page for playback. */
const MAX_EMBEDDED_WAV = 64 << 20;

class EvalAudioView extends Disposable {
  private steps: EvalStep[] = [];
  /** The run's event files, read incrementally, when the samples are audio summaries. */
  private readonly eventRun: ScalarRun;
  private tracks: OpenTrack[] = [];
  private relist: NodeJS.Timeout | undefined;
  /** Serialises track switches against range reads of the tracks being closed. */
  private queue: Promise<unknown> = Promise.resolve();
  private clockStep: number | undefined;

  constructor(readonly panel: vscode.WebviewPanel, readonly state: EvalAudioState, extensionUri: vscode.Uri, index: RunIndex, clock: StepClock, private readonly log: vscode.LogOutputChannel, eventRun?: ScalarRun) {
    super();
    this.eventRun = eventRun ?? new ScalarRun(state.path);
    panel.title = state.single ? basename(state.path) : state.events ? `Audio · ${basename(state.path)}` : `Eval audio · ${runTitle(state.path)}`;
    loadPanelPage(panel, extensionUri, { title: 'Eval Audio', bundle: 'evalAudio', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: EvalAudioWebviewToHost) => {
      this.queue = this.queue.then(() => this.receive(m)).catch((err) => this.fail(err));
    }));
    if (!state.single) {
      // New eval steps written by a running training appear without reopening.
      this.register(index.onDidChangeFiles(({ changes }) => {
        if (![...changes.keys()].some((p) => p.startsWith(state.path + sep))) return;
        clearTimeout(this.relist);
        this.relist = setTimeout(() => { this.queue = this.queue.then(() => this.sendSteps()).catch((err) => this.fail(err)); }, 300);
      }));
    }
    this.register({ dispose: () => { clearTimeout(this.relist); void this.closeTracks(); } });
    // The run's step clock: the nearest eval step (now when shown, else when the page is back).
    if (!state.single) this.register(clock.follow(state.path, (step) => {
      const nearest = this.nearestStep(step);
      if (nearest === undefined) return;
      this.state.step = nearest;
      if (panel.visible) this.queue = this.queue.then(() => this.selectStep(nearest)).catch((err) => this.fail(err));
    }));
    // A panel opened after the clock was set starts at its step.
    if (!state.single && state.step === undefined) this.clockStep = clock.stepOf(state.path);
  }

  reveal(step?: number): void {
    this.panel.reveal();
    if (step !== undefined) this.queue = this.queue.then(() => this.selectStep(step)).catch((err) => this.fail(err));
  }

  private post(message: EvalAudioHostToWebview): void {
    postToPage(this.panel.webview, message);
  }

  private fail(err: unknown): void {
    const message = describeError(err, this.state.path);
    this.log.warn(`eval audio: ${message}`);
    this.post({ type: 'error', message });
  }

  private async receive(m: EvalAudioWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.state.single) return this.openTracks([{ role: 'file', path: this.state.path }], undefined, undefined);
        await this.sendSteps();
        return this.selectStep(this.state.step ?? (this.clockStep === undefined ? undefined : this.nearestStep(this.clockStep)));
      case 'select':
        return this.select(m.step, m.sample);
      case 'requestPeaks': {
        const t = this.tracks[m.track];
        if (!t) return;
        const p = await this.whileOpen(t, rangePeaks(t.source, t.info, m.start, m.end, m.buckets));
        if (!p) return;
        this.post({ type: 'peaks', id: m.id, track: m.track, start: m.start, end: m.end, ...p });
        return;
      }
      case 'requestSamples': {
        const t = this.tracks[m.track];
        if (!t) return;
        checkWindow(m.size, 1);
        const s = await this.whileOpen(t, spectrogramSamples(t.source, t.info, m.start, m.end, m.columns, m.size));
        if (!s) return;
        this.post({ type: 'samples', id: m.id, track: m.track, start: m.start, end: m.end, columns: m.columns, size: m.size, ...s });
        return;
      }
      default: {
        const unknown: never = m;
        this.log.warn(`eval audio: unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async sendSteps(): Promise<void> {
    this.steps = await (this.state.events ? listEventAudioSteps(this.state.path, this.eventRun) : listEvalSteps(this.state.path)).catch((err) => {
      this.fail(new Error(`cannot list ${this.state.path}: ${(err as Error).message}`));
      return [];
    });
    this.post({
      type: 'steps', title: runTitle(this.state.path),
      steps: this.steps.map((s) => ({ step: s.step, samples: s.samples.map((x) => ({ index: x.index, key: x.key, target: !!x.target || !!x.summary, pred: !!x.pred })) })),
    });
  }

  private nearestStep(step: number): number | undefined {
    return this.steps[nearestIndexOf(this.steps.map((s) => s.step), step)]?.step;
  }

  private async selectStep(step: number | undefined): Promise<void> {
    const s = this.steps.find((x) => x.step === step) ?? this.steps.at(-1);
    if (s) await this.select(s.step, s.samples[0].index);
    else this.post({ type: 'sample', tracks: [] });
  }

  private async select(step: number, index: number): Promise<void> {
    const s = this.steps.find((x) => x.step === step);
    const sample = s?.samples.find((x) => x.index === index) ?? s?.samples[0];
    if (!s || !sample) return this.fail(new Error(`step ${step} sample ${index} is no longer on disk`));
    // What the page comes back to when it is shown again.
    this.state.step = s.step;
    const files: TrackFile[] = [
      ...(sample.summary ? [{ role: 'file' as const, path: sample.summary.file, range: sample.summary, name: `${sample.key} · step ${s.step}` }] : []),
      ...(sample.target ? [{ role: 'target' as const, path: join(s.dir, sample.target) }] : []),
      ...(sample.pred ? [{ role: 'pred' as const, path: join(s.dir, sample.pred) }] : []),
    ];
    const text = sample.text ? await readSampleText(join(s.dir, sample.text)).catch((err) => `(cannot read ${sample.text}: ${(err as Error).message})`) : undefined;
    await this.openTracks(files, s.step, sample.index, text);
  }

  private async openTracks(files: TrackFile[], step: number | undefined, sample: number | undefined, text?: string): Promise<void> {
    await this.closeTracks();
    const infos: TrackInfo[] = [];
    for (const f of files) {
      try {
        const file = await FileSource.open(f.path);
        if (f.range && f.range.length > MAX_EMBEDDED_WAV) { await file.close(); throw new ArtifactError('too_large', f.path, `the audio of ${f.name} is ${f.range.length} bytes (limit ${MAX_EMBEDDED_WAV})`); }
        const source = f.range ? new SliceSource(file, f.range.offset, f.range.length, f.path) : file;
        const info = await readWavInfoFrom(source).catch(async (err) => { await source.close(); throw err; });
        this.tracks.push({ source, info });
        // Playback: the file itself, or (inside an event file) its bytes, which the page plays from a blob.
        const wav = f.range ? await source.read(0, f.range.length, 'audio summary') : undefined;
        infos.push({
          role: f.role, name: f.name ?? basename(f.path), src: wav ? '' : this.panel.webview.asWebviewUri(vscode.Uri.file(f.path)).toString(), wav,
          sampleRate: info.sampleRate, channels: info.channels, frames: info.frames, warnings: info.warnings,
        });
      } catch (err) {
        this.fail(err);
      }
    }
    this.post({ type: 'sample', step, sample, tracks: infos, text });
  }

  /**
   * A read of track `t`, or undefined when another sample replaced it meanwhile: its file was
   * closed under the read (EBADF), and the page no longer wants the answer.
   */
  private async whileOpen<T>(t: OpenTrack, read: Promise<T>): Promise<T | undefined> {
    try {
      const result = await read;
      return this.tracks.includes(t) ? result : undefined;
    } catch (err) {
      if (this.tracks.includes(t)) throw err;
      return undefined;
    }
  }

  private async closeTracks(): Promise<void> {
    const old = this.tracks;
    this.tracks = [];
    await Promise.all(old.map((t) => t.source.close().catch(() => {})));
  }
}
