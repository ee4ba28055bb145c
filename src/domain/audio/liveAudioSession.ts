// The Live Audio panel's host side, free of vscode: a LiveStream of the ring buffer to the page
// (nothing read while hidden, never more than two frames ahead of what the page drew), and
// freezing, which keeps the visible span in a temporary WAV since the writer overwrites the
// ring within seconds; an export after a freeze saves that span.
import { randomBytes } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describeError } from '../artifacts/errors';
import type { LiveAudioHostToWebview, LiveAudioWebviewToHost } from '../../protocol/audio';
import { captureRingSpan } from './liveRing';
import { LiveStream } from './liveStream';

export interface LiveAudioHost {
  post(message: LiveAudioHostToWebview): void;
  /** Asks where to save `name` and has `write` fill a temporary file there (renamed when done). */
  save(name: string, filters: Record<string, string[]>, write: (tmpPath: string) => Promise<unknown>): Promise<void>;
  savePng(name: string, dataUrl: string): Promise<void>;
  warn(message: string): void;
  /** Whether the page is shown (a hidden one is sent nothing). */
  visible(): boolean;
}

export class LiveAudioSession {
  private readonly stream: LiveStream;
  /** The frozen span, kept as a WAV until resumed or closed. */
  private capture: Promise<string | undefined> = Promise.resolve(undefined);

  constructor(readonly path: string, private readonly host: LiveAudioHost) {
    this.stream = new LiveStream(path, (m) => host.post(m), () => host.visible());
  }

  /** Frames read since the session started (for the log). */
  get framesRead(): number {
    return this.stream.framesRead;
  }

  async handle(m: LiveAudioWebviewToHost): Promise<void> {
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
        return this.host.savePng(`${basename(this.path)}.png`, m.dataUrl);
      default: {
        const unknown: never = m;
        this.host.warn(`unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  async dispose(): Promise<void> {
    this.stream.dispose();
    await this.dropCapture();
  }

  private async freeze(start: number, end: number, channels: number[]): Promise<void> {
    await this.dropCapture();
    const file = join(tmpdir(), `runreel-live-${process.pid}-${randomBytes(4).toString('hex')}.wav`);
    this.capture = captureRingSpan(this.path, start, end, channels, file).then(
      () => {
        // Saved, so `channels` was a list of the buffer's channels.
        this.host.post({ type: 'frozen', ok: true, message: `Frozen: ${channels.length} channel${channels.length === 1 ? '' : 's'} kept for export.` });
        return file;
      },
      async (err) => {
        await rm(file, { force: true });
        this.host.post({ type: 'frozen', ok: false, message: `Frozen, but the span could not be kept for export: ${describeError(err, this.path)}` });
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
    await this.host.save(`${basename(this.path)}_${start}-${end}.wav`, { 'WAV audio': ['wav'] }, (tmp) => (frozen ? copyFile(frozen, tmp) : captureRingSpan(this.path, start, end, channels, tmp)));
  }
}
