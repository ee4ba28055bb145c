// The run's geometry measured in the background, in step order, in one pass that every caller
// shares. A caller waits only for the steps it needs (a step to show waits for the steps up to
// it, not for the whole run), and steps no caller waits for give way while reads are in flight.
import { ArtifactError } from '../artifacts/errors';
import { TimelineGeometry, type SnapshotStep } from './timeline';

export class GeometryPass {
  readonly geometry = new TimelineGeometry();
  private steps: readonly SnapshotStep[] = [];
  private waiters: { step: number; done: () => void }[] = [];
  private target = -Infinity;
  private running = false;
  private stopped = false;
  private reads = 0;
  private readsDone: (() => void)[] = [];

  /** `onWarning` hears each problem once (a step that cannot be read, rows without identities), naming its file. */
  constructor(private readonly onWarning: (message: string) => void) {}

  /** The run's steps, in step order (the list grows as training writes). */
  setSteps(steps: readonly SnapshotStep[]): void {
    this.steps = steps;
  }

  /** Resolves once every step up to `step` is measured (or cannot be: no such steps, or the pass stopped). */
  measureTo(step: number): Promise<void> {
    if (this.stopped || step <= this.geometry.last) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ step, done: resolve }));
    this.target = Math.max(this.target, step);
    if (!this.running) void this.run();
    return done;
  }

  /** Runs `work` as a read the pass gives way to while it measures steps no one waits for. */
  async reading<T>(work: () => Promise<T>): Promise<T> {
    this.reads++;
    try {
      return await work();
    } finally {
      if (--this.reads === 0) for (const done of this.readsDone.splice(0)) done();
    }
  }

  /** Ends the pass (the run's steps were replaced); whoever waits is let go. */
  stop(): void {
    this.stopped = true;
    this.settle(true);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const geometry = this.geometry;
        const next = this.steps.find((s) => s.step > geometry.last);
        if (this.stopped || !next || next.step > this.target) break;
        const needed = Math.max(-Infinity, ...this.waiters.map((w) => w.step).filter(Number.isFinite));
        if (next.step > needed && this.reads > 0) {
          await new Promise<void>((resolve) => this.readsDone.push(resolve));
          continue;
        }
        if (!next.snapshot) geometry.skip(next.step);
        else {
          try {
            await geometry.add(next.step, next.snapshot);
          } catch (err) {
            geometry.skip(next.step);
            this.onWarning(err instanceof ArtifactError ? err.message : `${next.snapshot}: ${String(err)}`);
          }
        }
        for (const w of geometry.warnings.splice(0)) this.onWarning(w);
        this.settle(false);
      }
    } finally {
      this.running = false;
      this.settle(true);
    }
  }

  private settle(all: boolean): void {
    const last = this.geometry.last;
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (all || w.step <= last) w.done();
      else this.waiters.push(w);
    }
  }
}
