// One step clock per run: a click on a scalar chart (or "Go to Step…") makes a step the run's
// current step, and the run's open panels move to the nearest step they have (RunSteps keeps
// the steps; this tells the panels).
import * as vscode from 'vscode';
import { RunSteps, type StepSet } from '../domain/runs/runSteps';
import { Disposable } from './dispose';
import type { RunIndex } from './runIndex';

export class StepClock extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<StepSet>());
  readonly onDidSetStep = this.changed.event;
  private readonly steps: RunSteps;

  constructor(index: RunIndex) {
    super();
    this.steps = new RunSteps(() => index.all);
  }

  runOf(path: string): string {
    return this.steps.runOf(path);
  }

  set(path: string, step: number): void {
    const set = this.steps.set(path, step);
    if (set) this.changed.fire(set);
  }

  stepOf(path: string): number | undefined {
    return this.steps.stepOf(path);
  }

  /** Calls `go` with each step set for the run `path` belongs to. */
  follow(path: string, go: (step: number) => void): vscode.Disposable {
    return this.onDidSetStep((e) => { if (e.run === this.runOf(path)) go(e.step); });
  }
}
