// The window's runs: discovered under the roots, kept current by one watcher per root,
// with live/idle state. Other features subscribe to its events (follow the latest
// snapshot, animate when a run goes idle).
import { stat } from 'node:fs/promises';
import * as os from 'node:os';
import { basename, sep } from 'node:path';
import * as vscode from 'vscode';
import { RunActivity, runForPath } from '../domain/runs/activity';
import { discoverRuns } from '../domain/runs/discover';
import type { Run, RunActivityState } from '../domain/runs/model';
import { expandRootGlobs, resolveRunRoots } from '../domain/runs/roots';
import { RootWatcher, type ChangeKind, type WatchBatch } from '../domain/runs/watcher';
import { audiotabRingPaths } from '../domain/producers/audiotab';
import { Disposable } from './dispose';

/** Files Create Animation writes into runs. */
const ANIMATION_OUTPUT = /^(pacmap_evolution|.+_animation)\.(gif|webm)$/;

/** Where audiotab writes its ring buffer (seed 003), most likely first. */
export const DEFAULT_RING_BUFFERS = audiotabRingPaths();

export interface RunsChanged {
  /** Runs whose contents changed, or 'all' after a rescan (runs may have come or gone). */
  runs: Run[] | 'all';
}

export interface RunFilesChanged {
  run: Run;
  changes: ReadonlyMap<string, ChangeKind>;
}

export class RunIndex extends Disposable {
  private runs: Run[] = [];
  private roots: string[] = [];
  private configuredRoots = new Set<string>();
  private readonly watchers = new Map<string, RootWatcher>();
  private readonly activity = new RunActivity();
  private scanning: Promise<void> | undefined;
  private rescanQueued = false;
  private readonly rootRescans = new Map<string, NodeJS.Timeout>();

  private readonly changed = this.register(new vscode.EventEmitter<RunsChanged>());
  readonly onDidChange = this.changed.event;
  private readonly filesChanged = this.register(new vscode.EventEmitter<RunFilesChanged>());
  /** Files written, changed or removed inside a known run. */
  readonly onDidChangeFiles = this.filesChanged.event;
  private readonly becameLive = this.register(new vscode.EventEmitter<Run>());
  readonly onRunLive = this.becameLive.event;
  private readonly becameIdle = this.register(new vscode.EventEmitter<Run>());
  /** A run that was receiving files has been quiet for a minute. */
  readonly onRunIdle = this.becameIdle.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('runreel.runRoots') || e.affectsConfiguration('runreel.watch')) void this.refresh(e.affectsConfiguration('runreel.watch'));
    }));
    let idleTimer: NodeJS.Timeout | undefined;
    const applyIdleWindow = () => {
      const seconds = Math.max(5, vscode.workspace.getConfiguration('runreel').get<number>('idleAfterSeconds', 60));
      this.activity.setWindow(seconds * 1000);
      clearInterval(idleTimer);
      idleTimer = setInterval(() => { void this.pollRingBuffers(); this.expireLive(); }, Math.min(5000, (seconds * 1000) / 4));
    };
    applyIdleWindow();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('runreel.idleAfterSeconds')) applyIdleWindow(); }));
    this.register({ dispose: () => clearInterval(idleTimer) });
    this.register({ dispose: () => { for (const t of this.rootRescans.values()) clearTimeout(t); } });
    this.register({ dispose: () => { for (const w of this.watchers.values()) void w.close(); this.watchers.clear(); } });
  }

  get all(): readonly Run[] {
    return this.runs;
  }

  get searchedRoots(): readonly string[] {
    return this.roots;
  }

  isConfiguredRoot(root: string): boolean {
    return this.configuredRoots.has(root);
  }

  find(path: string): Run | undefined {
    return this.runs.find((r) => r.path === path);
  }

  state(run: Run): RunActivityState {
    return this.activity.state(run.path, Date.now());
  }

  lastWriteMs(run: Run): number | undefined {
    return this.activity.lastWriteMs(run.path);
  }

  /** Rescans every root. Concurrent calls share one scan plus at most one follow-up. */
  refresh(restartWatchers = false): Promise<void> {
    if (this.scanning) {
      this.rescanQueued = true;
      return this.scanning;
    }
    this.scanning = this.scan(restartWatchers).finally(() => {
      this.scanning = undefined;
      if (this.rescanQueued) {
        this.rescanQueued = false;
        void this.refresh();
      }
    });
    return this.scanning;
  }

  private async scan(restartWatchers: boolean): Promise<void> {
    const config = vscode.workspace.getConfiguration('runreel');
    const configured = config.get<unknown[]>('runRoots', []);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const list = Array.isArray(configured) ? configured : [];
    const fromConfig = await expandRootGlobs(resolveRunRoots(list, folders, os.homedir()).filter((r) => !folders.includes(r)));
    this.configuredRoots = new Set(fromConfig);
    const roots = [...new Set([...folders, ...fromConfig])];
    for (const ring of DEFAULT_RING_BUFFERS) if (await fileExists(ring)) roots.push(ring);
    this.roots = roots;
    const started = Date.now();
    const result = await discoverRuns(roots);
    for (const w of result.warnings) this.log.warn(w);
    this.runs = result.runs;
    this.log.info(`found ${result.runs.length} run(s) under ${roots.length} root(s) in ${Date.now() - started} ms`);
    await vscode.commands.executeCommand('setContext', 'runreel.hasRuns', this.runs.length > 0);
    await this.syncWatchers(restartWatchers);
    this.changed.fire({ runs: 'all' });
  }

  private async syncWatchers(restart: boolean): Promise<void> {
    const config = vscode.workspace.getConfiguration('runreel.watch');
    const usePolling = config.get<boolean>('usePolling', false);
    const pollIntervalMs = Math.max(100, config.get<number>('pollIntervalMs', 1000));
    for (const [root, w] of this.watchers) {
      if (restart || !this.roots.includes(root)) {
        void w.close();
        this.watchers.delete(root);
      }
    }
    await Promise.all(this.roots.filter((r) => !this.watchers.has(r)).map(async (root) => {
      const w = new RootWatcher(root, {
        usePolling,
        pollIntervalMs,
        onBatch: (b) => this.onBatch(b),
        onWarning: (m) => this.log.warn(m),
      });
      this.watchers.set(root, w);
      try {
        await w.start();
      } catch (err) {
        this.log.warn(`cannot watch ${root}: ${String(err)}`);
      }
    }));
  }

  private onBatch(batch: WatchBatch): void {
    const now = Date.now();
    // A joined sibling folder's files are its run's (ACE-Step's UI snapshot folder).
    const folderRun = new Map<string, string>();
    for (const r of this.runs) {
      folderRun.set(r.path, r.path);
      for (const j of r.joined ?? []) folderRun.set(j.path, r.path);
    }
    const folders = [...folderRun.keys()];
    const perRun = new Map<string, Map<string, ChangeKind>>();
    let rescan = false;
    for (const [path, kind] of batch.changes) {
      const folder = runForPath(path, folders, sep);
      const runPath = folder && folderRun.get(folder);
      // Outside every run, or a run folder itself coming or going: runs may have changed.
      if (!runPath || (path === folder && kind !== 'change')) {
        rescan = true;
        continue;
      }
      let m = perRun.get(runPath);
      if (!m) perRun.set(runPath, (m = new Map()));
      m.set(path, kind);
    }
    const changedRuns: Run[] = [];
    for (const [runPath, changes] of perRun) {
      const run = this.find(runPath);
      if (!run) continue;
      changedRuns.push(run);
      // Our own animations are not the run's activity (else auto-animate would feed itself).
      const fromTraining = [...changes.keys()].some((p) => !ANIMATION_OUTPUT.test(basename(p)));
      if (fromTraining && this.activity.record(runPath, now)) this.becameLive.fire(run);
      this.filesChanged.fire({ run, changes });
    }
    if (changedRuns.length > 0) this.changed.fire({ runs: changedRuns });
    if (rescan) this.scheduleRootRescan(batch.root);
  }

  private scheduleRootRescan(root: string): void {
    clearTimeout(this.rootRescans.get(root));
    this.rootRescans.set(root, setTimeout(() => {
      this.rootRescans.delete(root);
      void this.rescanRoot(root);
    }, 200));
  }

  /** Rediscovers the runs of one root, keeping the others. */
  private async rescanRoot(root: string): Promise<void> {
    if (this.isDisposed || !this.roots.includes(root)) return;
    const result = await discoverRuns([root]);
    for (const w of result.warnings) this.log.warn(w);
    const before = new Set(this.runs.filter((r) => r.root === root).map((r) => r.path));
    const after = new Set(result.runs.map((r) => r.path));
    for (const p of before) if (!after.has(p)) this.activity.forget(p);
    const now = Date.now();
    for (const r of result.runs) if (!before.has(r.path) && this.activity.record(r.path, now)) this.becameLive.fire(r);
    this.runs = [...this.runs.filter((r) => r.root !== root), ...result.runs].sort((a, b) => a.root.localeCompare(b.root) || a.path.localeCompare(b.path));
    await vscode.commands.executeCommand('setContext', 'runreel.hasRuns', this.runs.length > 0);
    this.changed.fire({ runs: 'all' });
  }

  private expireLive(): void {
    const idle = this.activity.expire(Date.now()).map((p) => this.find(p)).filter((r): r is Run => !!r);
    for (const run of idle) this.becameIdle.fire(run);
    if (idle.length > 0) this.changed.fire({ runs: idle });
  }

  /**
   * A ring buffer is written through a memory map, which file watching does not report: its
   * modification time says when it was last written.
   */
  private async pollRingBuffers(): Promise<void> {
    const live: Run[] = [];
    await Promise.all(this.runs.filter((r) => r.kind === 'ringbuffer').map(async (run) => {
      const mtimeMs = await stat(run.path).then((s) => s.mtimeMs, () => undefined);
      if (mtimeMs === undefined || mtimeMs <= (this.activity.lastWriteMs(run.path) ?? run.modifiedMs)) return;
      const wasLive = this.activity.state(run.path, Date.now()) === 'live';
      if (this.activity.record(run.path, Date.now())) this.becameLive.fire(run);
      if (!wasLive) live.push(run);
    }));
    if (live.length > 0 && !this.isDisposed) this.changed.fire({ runs: live });
  }
}

async function fileExists(p: string): Promise<boolean> {
  try {
    await (await import('node:fs/promises')).stat(p);
    return true;
  } catch {
    return false;
  }
}
