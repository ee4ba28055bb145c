// Streams a ring buffer to one live view: reads a frame up to 60 times a second while the
// view is visible and has drawn what it was sent (at most MAX_UNACKED frames in flight, so a
// slow view or a slow link gets fewer frames, never a growing queue), slower while the writer
// is stopped or the file is missing. Independent of VS Code: the host panel and the browser
// tests drive the same code.
import { basename } from 'node:path';
import { LIVE_FRAME_MS, type LiveAudioHostToWebview, type LiveFrame, type LiveSubscription } from '../../protocol/audio';
import { ArtifactError, describeError } from '../artifacts/errors';
import { LiveRingTap, stoppedAfterMs, type TapFrame } from './liveRing';

const MAX_UNACKED = 2;
const STOPPED_INTERVAL_MS = 250;
/** A read that found nothing new is sent anyway this often (the view's "written" and idle time move on). */
const QUIET_FRAME_MS = 250;
const MISSING_INTERVAL_MS = 500;
/** One frame reads at most this many samples over all channels (32 MB of f64). */
const FRAME_SAMPLE_BUDGET = 1 << 22;

export class LiveStream {
  private tap: LiveRingTap;
  private subscription: (LiveSubscription & { fresh: boolean }) | undefined;
  private seq = 0;
  private acked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading = false;
  private lastReadAt = -Infinity;
  private lastPostAt = -Infinity;
  /** When the reader began waiting for the view to acknowledge; frame times it waited count as held back. */
  private waitingSince: number | undefined;
  private held = 0;
  private disposed = false;
  /** Frames read since the stream started (for the log and the tests). */
  framesRead = 0;

  constructor(readonly path: string, private readonly post: (m: LiveAudioHostToWebview) => void, private readonly visible: () => boolean = () => true) {
    this.tap = new LiveRingTap(path);
  }

  subscribe(s: LiveSubscription): void {
    this.subscription = { ...s, fresh: true };
    this.seq = 0;
    this.acked = 0;
    this.held = 0;
    this.waitingSince = undefined;
    this.schedule(0);
  }

  ack(id: number, seq: number): void {
    if (id !== this.subscription?.id) return;
    this.acked = Math.max(this.acked, seq);
    // The view caught up: if the reader was waiting on it, read at the next frame time.
    if (this.waitingSince !== undefined) {
      this.held += Math.floor((performance.now() - this.waitingSince) / LIVE_FRAME_MS);
      this.waitingSince = undefined;
    }
    if (!this.timer && !this.reading) this.schedule(Math.max(0, LIVE_FRAME_MS - (performance.now() - this.lastReadAt)));
  }

  /** Stops reading until the next subscription. */
  pause(): void {
    this.subscription = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The view reloaded: start over with a fresh tap. */
  restart(): void {
    this.pause();
    this.tap.close();
    this.tap = new LiveRingTap(this.path);
  }

  dispose(): void {
    this.disposed = true;
    this.pause();
    this.tap.close();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = this.disposed || !this.subscription ? undefined : setTimeout(() => { this.timer = undefined; this.tick(); }, ms);
  }

  /** The buffer's description as last sent: the same object while the shape holds. */
  private ring: LiveFrame['ring'] | undefined;

  private send(s: LiveSubscription, f: TapFrame, stopped: boolean, started: number): void {
    const h = f.header, r = this.ring;
    if (!r || r.sampleRate !== h.sampleRate || r.channels !== h.channels || r.capacity !== h.capacity || r.samplesPerWrite !== h.samplesPerWrite) {
      this.ring = { name: basename(this.path), sampleRate: h.sampleRate, channels: h.channels, capacity: h.capacity, samplesPerWrite: h.samplesPerWrite };
    }
    this.lastPostAt = performance.now();
    const held = this.held;
    this.held = 0;
    this.post({
      type: 'frame', id: s.id, seq: ++this.seq,
      ring: this.ring!,
      written: f.written, start: f.start, end: f.end, bucket: s.bucket, min: f.min, max: f.max, spectrum: f.spectrum,
      overrun: f.overrun, skipped: f.skipped, fresh: f.fresh, idleMs: f.idleMs, stopped, held, readMs: performance.now() - started,
    });
  }

  private tick(): void {
    const s = this.subscription;
    if (!s || this.reading) return;
    // Hidden, or the view has not drawn what it was sent: wait (an ack or the next check resumes).
    if (!this.visible()) return this.schedule(MISSING_INTERVAL_MS);
    if (this.seq - this.acked >= MAX_UNACKED) { this.waitingSince ??= performance.now(); return; }
    this.reading = true;
    const started = (this.lastReadAt = performance.now());
    let next = LIVE_FRAME_MS;
    try {
      const f = this.tap.next({
        channels: s.channels, spectrumChannel: s.spectrumChannel, bucket: s.bucket, history: s.history, reset: s.fresh, maxFrameSamples: FRAME_SAMPLE_BUDGET,
      });
      s.fresh = false;
      const h = f.header;
      const stopped = f.idleMs > stoppedAfterMs(h) || f.written === 0;
      this.framesRead++;
      // A writer that writes every 21 ms leaves one read in five with nothing new: no message for it.
      const quiet = f.start === f.end && !f.fresh && f.overrun === 0 && f.skipped === 0 && !stopped;
      if (!quiet || performance.now() - this.lastPostAt >= QUIET_FRAME_MS) this.send(s, f, stopped, started);
      if (stopped) next = STOPPED_INTERVAL_MS;
    } catch (err) {
      const gone = err instanceof ArtifactError && err.code === 'not_found';
      const message = gone ? `Waiting for ${this.path}: the file is not there (the writer has not started, or stopped and removed it).`
        : describeError(err, this.path);
      // When it comes back (perhaps from a new writer), start afresh.
      s.fresh = true;
      this.post({ type: 'unavailable', id: s.id, gone, message });
      next = MISSING_INTERVAL_MS;
    } finally {
      this.reading = false;
    }
    // Keep a 60 Hz cadence: the time spent reading counts towards the interval.
    this.schedule(Math.max(0, next - (performance.now() - started)));
  }
}
