// The current step of each run, for the step clock (src/host/stepClock.ts): which run a path
// belongs to, and the step last set for it. A run is what the run index calls one, joined
// folders included, so ACE-Step's trainer scalars and its UI snapshot folder share a step.
import { sep } from 'node:path';
import type { Run } from './model';

export interface StepSet {
  /** The run's key: its folder as the run index knows it, else the path given. */
  run: string;
  step: number;
}

export class RunSteps {
  private readonly current = new Map<string, number>();

  constructor(private readonly runs: () => readonly Pick<Run, 'path' | 'joined'>[]) {}

  /** The run `path` belongs to: the deepest run whose folder (or a folder joined to it) holds it. */
  runOf(path: string): string {
    let best: { key: string; depth: number } | undefined;
    for (const run of this.runs()) {
      for (const folder of [run.path, ...(run.joined ?? []).map((j) => j.path)]) {
        if ((path === folder || path.startsWith(folder + sep) || folder.startsWith(path + sep)) && (!best || folder.length > best.depth)) best = { key: run.path, depth: folder.length };
      }
    }
    return best?.key ?? path;
  }

  /** Makes `step` the current step of `path`'s run; nothing (undefined) unless a path and a whole step: pages send these too. */
  set(path: unknown, step: unknown): StepSet | undefined {
    if (typeof path !== 'string' || typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return undefined;
    const run = this.runOf(path);
    this.current.set(run, step);
    return { run, step };
  }

  /** The step last set for the run `path` belongs to. */
  stepOf(path: string): number | undefined {
    return this.current.get(this.runOf(path));
  }
}
