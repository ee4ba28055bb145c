// Watches one run root with chokidar and reports debounced batches of changed paths.
// A file is reported once its size has stopped changing (a half-written snapshot is
// reported when complete, not as corrupt). When the OS runs out of watch handles the
// watcher switches itself to polling and says so once. No vscode import.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { SKIP_DIRS } from './discover';

export type ChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface WatchBatch {
  root: string;
  /** Each changed path with its last change in the batch. */
  changes: Map<string, ChangeKind>;
}

export interface RootWatcherOptions {
  usePolling?: boolean;
  pollIntervalMs?: number;
  /** Quiet time that closes a batch (default 150 ms). */
  debounceMs?: number;
  /** A file counts as written once its size is unchanged this long (default 200 ms). */
  writeFinishMs?: number;
  depth?: number;
  onBatch: (batch: WatchBatch) => void;
  onWarning?: (message: string) => void;
}

const HANDLE_EXHAUSTED = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

/** Paths the watcher never reports: heavy folders and dot-files (producers' temp names). */
export function ignoredPath(path: string): boolean {
  const name = basename(path);
  return SKIP_DIRS.has(name) || (name.startsWith('.') && name.length > 1);
}

export class RootWatcher {
  private watcher: FSWatcher | undefined;
  private pending = new Map<string, ChangeKind>();
  private timer: NodeJS.Timeout | undefined;
  private polling: boolean;
  private closed = false;
  private warnedFallback = false;
  private rootPoll: NodeJS.Timeout | undefined;
  private rootCheck: NodeJS.Timeout | undefined;

  constructor(readonly root: string, private readonly options: RootWatcherOptions) {
    this.polling = !!options.usePolling;
  }

  get isPolling(): boolean {
    return this.polling;
  }

  /** Starts watching; resolves once the initial tree is known. A missing root is waited for. */
  async start(): Promise<void> {
    if (this.closed) return;
    if (!(await exists(this.root))) {
      this.waitForRoot();
      return;
    }
    // Files already there at start get no native watch of their own (a watch per file cost
    // ~8 KB and a syscall each: 50,000 files took 7 s and 400 MB). Their folders are watched,
    // so new and renamed files are still seen, and get watched from then on.
    let initialScan = true;
    const startedMs = Date.now();
    const w = watch(this.root, {
      ignoreInitial: true,
      ignored: (p: string, stats?: import('node:fs').Stats) => (p !== this.root && ignoredPath(p)) || (initialScan && !!stats?.isFile() && p !== this.root),
      depth: this.options.depth ?? 8,
      followSymlinks: false,
      usePolling: this.polling,
      interval: this.options.pollIntervalMs ?? 1000,
      binaryInterval: this.options.pollIntervalMs ?? 1000,
      awaitWriteFinish: { stabilityThreshold: this.options.writeFinishMs ?? 200, pollInterval: 50 },
      atomic: false,
    });
    this.watcher = w;
    for (const kind of ['change', 'unlink', 'addDir', 'unlinkDir'] as const) {
      w.on(kind, (path: string) => this.record(path, kind));
    }
    w.on('add', (path: string, stats?: import('node:fs').Stats) => {
      // A file skipped at start comes back as "added" when its folder next changes; its
      // change time (updated by any write or rename) tells it apart from a new file.
      if (stats && stats.ctimeMs < startedMs - 1000) return;
      this.record(path, 'add');
    });
    w.on('error', (err: unknown) => void this.onError(err as NodeJS.ErrnoException));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    initialScan = false;
    // Pollers take their first stat of each folder after 'ready'; a file created before that
    // would be part of the baseline and never reported. Resolve once the baseline exists.
    if (this.polling) await new Promise((r) => setTimeout(r, (this.options.pollIntervalMs ?? 1000) * 2));
    // chokidar says nothing when the root itself goes away: check for that directly.
    clearInterval(this.rootCheck);
    this.rootCheck = setInterval(async () => {
      if (this.closed || this.watcher !== w || (await exists(this.root))) return;
      clearInterval(this.rootCheck);
      this.record(this.root, 'unlinkDir');
    }, this.options.pollIntervalMs ?? 1000);
  }

  private record(path: string, kind: ChangeKind): void {
    if (this.closed) return;
    this.pending.set(path, kind);
    if (path === this.root && kind === 'unlinkDir') {
      // The root itself went away: wait for it to come back.
      void this.restart(true);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 150);
  }

  private flush(): void {
    if (this.pending.size === 0 || this.closed) return;
    const changes = this.pending;
    this.pending = new Map();
    this.options.onBatch({ root: this.root, changes });
  }

  private async onError(err: NodeJS.ErrnoException): Promise<void> {
    if (HANDLE_EXHAUSTED.has(err.code ?? '') && !this.polling) {
      if (!this.warnedFallback) {
        this.warnedFallback = true;
        this.options.onWarning?.(`out of file watch handles (${err.code}) watching ${this.root}; polling it every ${(this.options.pollIntervalMs ?? 1000) / 1000} s instead. Raise fs.inotify.max_user_watches to watch natively.`);
      }
      this.polling = true;
      await this.restart(false);
      return;
    }
    if (!this.warnedFallback) this.options.onWarning?.(`watching ${this.root}: ${err.message ?? String(err)}`);
  }

  private async restart(waitForRoot: boolean): Promise<void> {
    clearInterval(this.rootCheck);
    const old = this.watcher;
    this.watcher = undefined;
    await old?.close().catch(() => {});
    if (this.closed) return;
    if (waitForRoot) this.waitForRoot();
    else await this.start();
  }

  private waitForRoot(): void {
    clearInterval(this.rootPoll);
    this.rootPoll = setInterval(async () => {
      if (this.closed || !(await exists(this.root))) return;
      clearInterval(this.rootPoll);
      this.rootPoll = undefined;
      this.record(this.root, 'addDir');
      await this.start();
    }, this.options.pollIntervalMs ?? 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.rootPoll);
    clearInterval(this.rootCheck);
    await this.watcher?.close().catch(() => {});
    this.watcher = undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
