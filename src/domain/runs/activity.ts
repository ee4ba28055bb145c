// Which runs are live (received files within the window) and which went idle.
import type { RunActivityState } from './model';

export const LIVE_WINDOW_MS = 60_000;

export class RunActivity {
  private readonly lastWrite = new Map<string, number>();
  private readonly live = new Set<string>();

  constructor(private windowMs = LIVE_WINDOW_MS) {}

  /** How long without new files before a live run counts as idle. */
  setWindow(ms: number): void {
    this.windowMs = ms;
  }

  /** Notes a write in `runPath`; returns true when the run just became live. */
  record(runPath: string, nowMs: number): boolean {
    this.lastWrite.set(runPath, nowMs);
    if (this.live.has(runPath)) return false;
    this.live.add(runPath);
    return true;
  }

  state(runPath: string, nowMs: number): RunActivityState {
    const t = this.lastWrite.get(runPath);
    return t !== undefined && nowMs - t < this.windowMs ? 'live' : 'idle';
  }

  lastWriteMs(runPath: string): number | undefined {
    return this.lastWrite.get(runPath);
  }

  /** Runs that were live and have now been quiet for the whole window. */
  expire(nowMs: number): string[] {
    const idle: string[] = [];
    for (const p of this.live) {
      if (this.state(p, nowMs) === 'idle') {
        this.live.delete(p);
        idle.push(p);
      }
    }
    return idle;
  }

  forget(runPath: string): void {
    this.lastWrite.delete(runPath);
    this.live.delete(runPath);
  }
}

/** The run a changed path belongs to: the longest run path that contains it. */
export function runForPath(path: string, runPaths: readonly string[], sep = '/'): string | undefined {
  let best: string | undefined;
  for (const r of runPaths) {
    if ((path === r || path.startsWith(r.endsWith(sep) ? r : r + sep)) && (!best || r.length > best.length)) best = r;
  }
  return best;
}
