// The Eval Audio panel's host side, free of vscode: a run's eval steps (target and prediction
// of each sample), a run's audio summaries (their WAVs are byte ranges of event files), or one
// WAV. It reads peaks and spectrogram samples for the range the page shows; playback streams
// the file itself through a webview URI. Messages are handled one at a time, in order, so a
// range read never meets a track that another sample closed.
import { basename, dirname, join } from 'node:path';
import { ArtifactError, asArtifactError, describeError } from '../artifacts/errors';
import { FileSource, SliceSource, type ByteSource } from '../artifacts/source';
import { readWavInfoFrom, type WavInfo } from '../artifacts/wav';
import { nearestIndexOf } from '../nearest';
import { ScalarRun } from '../tensorboard/scalars';
import { listEventAudioSteps } from './eventAudio';
import { listEvalSteps, readSampleText, type EvalStep } from './evalAudio';
import { checkWindow } from './stft';
import { rangePeaks, spectrogramSamples } from './wavRange';
import type { EvalAudioHostToWebview, EvalAudioState, EvalAudioWebviewToHost, TrackInfo } from '../../protocol/audio';

export interface EvalAudioHost {
  post(message: EvalAudioHostToWebview): void;
  /** The webview URI for a file. */
  uri(path: string): string;
  /** A problem worth the log (the page is told too). */
  warn(message: string): void;
}

export interface EvalAudioSessionOptions {
  /** The run's event files when the caller has read them already (audio summaries). */
  eventRun?: ScalarRun;
  /** The run's clock step when the panel opened. */
  clockStep?: number;
}

/** An eval folder's run: the folder above it. */
export function evalRunTitle(evalDir: string): string {
  return basename(dirname(evalDir)) || evalDir;
}

interface OpenTrack { source: ByteSource; info: WavInfo }
/** A WAV to open: a file, or a byte range of one (an event file's audio summary). */
interface TrackFile { role: TrackInfo['role']; path: string; range?: { offset: number; length: number }; name?: string }
/** Audio summaries larger than this are not sent to the page for playback. */
const MAX_EMBEDDED_WAV = 64 << 20;

/** A range request from the page names finite numbers (a page is not trusted to). */
function checkRequest(what: string, fields: Record<string, unknown>): void {
  const bad = Object.entries(fields).filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad.length) throw new RangeError(`a request for ${what} with ${bad.map(([k, v]) => `${k} ${String(v)}`).join(', ')}: not a number`);
}

export class EvalAudioSession {
  private steps: EvalStep[] = [];
  /** The run's event files, read incrementally, when the samples are audio summaries. */
  private readonly eventRun: ScalarRun;
  private tracks: OpenTrack[] = [];
  /** Serialises track switches against range reads of the tracks being closed. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly clockStep: number | undefined;

  /** `state` is the panel's: the step shown is kept in it, for the page to come back to. */
  constructor(readonly state: EvalAudioState, private readonly host: EvalAudioHost, options: EvalAudioSessionOptions = {}) {
    this.eventRun = options.eventRun ?? new ScalarRun(state.path);
    // A panel opened after the clock was set starts at its step.
    this.clockStep = !state.single && state.step === undefined ? options.clockStep : undefined;
  }

  /** Handles a message from the page after those before it. */
  handle(m: EvalAudioWebviewToHost): Promise<void> {
    return this.inTurn(() => this.receive(m));
  }

  /** Lists the steps again (a running training wrote more). */
  refresh(): Promise<void> {
    return this.inTurn(() => this.sendSteps());
  }

  /** Shows `step`'s first sample. */
  showStep(step: number): Promise<void> {
    return this.inTurn(() => this.selectStep(step));
  }

  /** The run's clock moved: the nearest eval step, shown now, or when the page is back. */
  goToStep(step: number, shown: boolean): Promise<void> {
    const nearest = this.nearestStep(step);
    if (nearest === undefined) return Promise.resolve();
    this.state.step = nearest;
    return shown ? this.showStep(nearest) : Promise.resolve();
  }

  dispose(): Promise<void> {
    return this.closeTracks();
  }

  /** The open track at index `k` of the page's list (anything else: none). */
  private trackOf(k: unknown): OpenTrack | undefined {
    return typeof k === 'number' && Number.isInteger(k) && k >= 0 ? this.tracks[k] : undefined;
  }

  private inTurn(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn).catch((err) => this.fail(err));
    this.queue = next;
    return next;
  }

  private fail(err: unknown): void {
    const message = describeError(err, this.state.path);
    this.host.warn(message);
    this.host.post({ type: 'error', message });
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
        const t = this.trackOf(m.track);
        if (!t) return;
        checkRequest('peaks', { start: m.start, end: m.end, buckets: m.buckets });
        const p = await this.whileOpen(t, rangePeaks(t.source, t.info, m.start, m.end, m.buckets));
        if (!p) return;
        this.host.post({ type: 'peaks', id: m.id, track: m.track, start: m.start, end: m.end, ...p });
        return;
      }
      case 'requestSamples': {
        const t = this.trackOf(m.track);
        if (!t) return;
        checkRequest('spectrogram samples', { start: m.start, end: m.end, columns: m.columns });
        checkWindow(m.size, 1);
        const s = await this.whileOpen(t, spectrogramSamples(t.source, t.info, m.start, m.end, m.columns, m.size));
        if (!s) return;
        this.host.post({ type: 'samples', id: m.id, track: m.track, start: m.start, end: m.end, columns: m.columns, size: m.size, ...s });
        return;
      }
      default: {
        const unknown: never = m;
        this.host.warn(`unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async sendSteps(): Promise<void> {
    this.steps = await (this.state.events ? listEventAudioSteps(this.state.path, this.eventRun) : listEvalSteps(this.state.path)).catch((err) => {
      const e = asArtifactError(this.state.path, err);
      this.fail(e.code === 'not_found' ? new ArtifactError('not_found', e.file, 'the folder is not there (moved or deleted?)') : e);
      return [];
    });
    this.host.post({
      type: 'steps', title: evalRunTitle(this.state.path),
      steps: this.steps.map((s) => ({ step: s.step, samples: s.samples.map((x) => ({ index: x.index, key: x.key, target: !!x.target || !!x.summary, pred: !!x.pred })) })),
    });
  }

  private nearestStep(step: number): number | undefined {
    return this.steps[nearestIndexOf(this.steps.map((s) => s.step), step)]?.step;
  }

  private async selectStep(step: number | undefined): Promise<void> {
    const s = this.steps.find((x) => x.step === step) ?? this.steps.at(-1);
    if (s) await this.select(s.step, s.samples[0].index);
    else this.host.post({ type: 'sample', tracks: [] });
  }

  private async select(step: number, index: number): Promise<void> {
    const s = this.steps.find((x) => x.step === step);
    const sample = s?.samples.find((x) => x.index === index) ?? s?.samples[0];
    if (!s || !sample) return this.fail(new ArtifactError('not_found', this.state.path, `step ${step} sample ${index} is no longer on disk`));
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
          role: f.role, name: f.name ?? basename(f.path), src: wav ? '' : this.host.uri(f.path), wav,
          sampleRate: info.sampleRate, channels: info.channels, frames: info.frames, warnings: info.warnings,
        });
      } catch (err) {
        this.fail(err);
      }
    }
    this.host.post({ type: 'sample', step, sample, tracks: infos, text });
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
