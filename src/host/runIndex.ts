// Holds the discovered runs for the window and tells listeners when they change.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { discoverRuns } from '../domain/runs/discover';
import type { Run } from '../domain/runs/model';
import { resolveRunRoots } from '../domain/runs/roots';
import { Disposable } from './dispose';

export class RunIndex extends Disposable {
  private runs: Run[] = [];
  private roots: string[] = [];
  private scanning: Promise<void> | undefined;
  private rescanQueued = false;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('runreel.runRoots')) void this.refresh();
      }),
    );
  }

  get all(): readonly Run[] {
    return this.runs;
  }

  get searchedRoots(): readonly string[] {
    return this.roots;
  }

  find(path: string): Run | undefined {
    return this.runs.find((r) => r.path === path);
  }

  /** Rescans every root. Concurrent calls share one scan plus at most one follow-up. */
  refresh(): Promise<void> {
    if (this.scanning) {
      this.rescanQueued = true;
      return this.scanning;
    }
    this.scanning = this.scan().finally(() => {
      this.scanning = undefined;
      if (this.rescanQueued) {
        this.rescanQueued = false;
        void this.refresh();
      }
    });
    return this.scanning;
  }

  private async scan(): Promise<void> {
    const configured = vscode.workspace.getConfiguration('runreel').get<unknown[]>('runRoots', []);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    this.roots = resolveRunRoots(Array.isArray(configured) ? configured : [], folders, os.homedir());
    const started = Date.now();
    const result = await discoverRuns(this.roots);
    for (const w of result.warnings) this.log.warn(w);
    this.runs = result.runs;
    this.log.info(`found ${result.runs.length} run(s) under ${this.roots.length} root(s) in ${Date.now() - started} ms`);
    await vscode.commands.executeCommand('setContext', 'runreel.hasRuns', this.runs.length > 0);
    this.changed.fire();
  }
}
