// One step clock per run: a click on a scalar chart (or "Go to Step…") makes a step the run's
// current step, and the run's open panels move to the nearest step they have. A run is what
// the run index calls one, joined folders included, so ACE-Step's trainer scalars and its UI
// snapshot folder share a clock.
import { sep } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import type { RunIndex } from './runIndex';

export interface StepSet {
  /** The run's key: its folder as the run index knows it, else the path given. */
  run: string;
  step: number;
}

export class StepClock extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<StepSet>());
  readonly onDidSetStep = this.changed.event;
  private readonly current = new Map<string, number>();

  constructor(private readonly index: RunIndex) {
    super();
  }

  /** The run `path` belongs to: the deepest run whose folder (or a folder joined to it) holds it. */
  runOf(path: string): string {
    let best: { key: string; depth: number } | undefined;
    for (const run of this.index.all) {
      for (const folder of [run.path, ...(run.joined ?? []).map((j) => j.path)]) {
        if ((path === folder || path.startsWith(folder + sep) || folder.startsWith(path + sep)) && (!best || folder.length > best.depth)) best = { key: run.path, depth: folder.length };
      }
    }
    return best?.key ?? path;
  }

  set(path: string, step: number): void {
    // Also set from a page (a click on a chart): a run's path and a whole step, or nothing.
    if (typeof path !== 'string' || !Number.isSafeInteger(step) || step < 0) return;
    const run = this.runOf(path);
    this.current.set(run, step);
    this.changed.fire({ run, step });
  }

  /** The step last set for the run `path` belongs to. */
  stepOf(path: string): number | undefined {
    return this.current.get(this.runOf(path));
  }

  /** Calls `go` with each step set for the run `path` belongs to. */
  follow(path: string, go: (step: number) => void): vscode.Disposable {
    return this.onDidSetStep((e) => { if (e.run === this.runOf(path)) go(e.step); });
  }
}
