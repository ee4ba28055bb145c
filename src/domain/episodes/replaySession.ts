// The host side of one Episode Replay panel, without vscode: lists the run's episodes, indexes
// the open episode's log and answers step requests one at a time (the latest request wins
// while one is being read, so dragging the scrubber never queues up stale steps).
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError } from '../artifacts/errors';
import { EPISODE_LOG, episodeTotals, listEpisodeFolder, num, parseStep, readEpisodeSummary, type EpisodeFolder, type EpisodeStep, type Grid } from '../artifacts/episodes';
import type {
  CurveData, EpisodeHostToWebview, EpisodeInfo, EpisodeListItem, EpisodeWebviewToHost, GridData, StepView,
} from '../../protocol/episodes';
import { EPISODE_DIR } from '../runs/discover';
import { changedCells, cumulative, firstSimilarityDrop, keyMoments } from './analysis';
import { IndexedEpisodeLog } from './indexedLog';

export interface ReplayHost {
  post(message: EpisodeHostToWebview): void;
  /** A URI the webview can load the image at `path` from. */
  imageUri(path: string): string;
  warn(message: string): void;
}

/** Where a path opened for replay sits: the run folder and the episode (folder or log), if any. */
export async function locateEpisodeTarget(path: string): Promise<{ run: string; episode?: string }> {
  const st = await stat(path);
  const name = basename(path);
  if (st.isFile()) {
    const dir = dirname(path);
    return { run: EPISODE_DIR.test(basename(dir)) ? dirname(dir) : dir, episode: path };
  }
  if (EPISODE_DIR.test(name)) return { run: dirname(path), episode: path };
  return { run: path };
}

/** The episode_NNNN folders of `run`, in episode order (none if it cannot be read). */
export async function listEpisodeDirs(run: string): Promise<string[]> {
  const names = await readdir(run).catch(() => [] as string[]);
  return names.filter((n) => EPISODE_DIR.test(n)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).map((n) => join(run, n));
}

const gridData = (g: Grid | undefined): GridData | undefined => (g ? { height: g.height, width: g.width, cells: Array.from(g.cells) } : undefined);
const STEP_CACHE = 64;

interface OpenEpisode {
  path: string;
  folder: EpisodeFolder;
  log?: IndexedEpisodeLog;
  /** Step views already built, most recent last. */
  cache: Map<number, StepView>;
  mode?: 'grids' | 'images';
  /** The log's scan has ended (or there is no log). */
  indexed: boolean;
}

export class EpisodeReplaySession {
  private episode: OpenEpisode | undefined;
  private wantedStep: number | undefined;
  private reading = false;
  private overlayPaths: string[] = [];
  private readonly curves = new Map<string, { key: string; curve: CurveData }>();
  private disposed = false;
  private lastInfoMs = 0;

  constructor(readonly run: string, private readonly host: ReplayHost, private readonly initial?: { episode?: string; step?: number }) {}

  async handle(m: EpisodeWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // A page reloaded after being hidden says where it was; a new one starts where asked.
        await this.sendList();
        const episode = m.episode ?? this.episode?.path ?? this.initial?.episode ?? (await listEpisodeDirs(this.run)).at(-1);
        return this.open(episode, m.step ?? this.initial?.step);
      }
      case 'openEpisode':
        return this.open(m.path, m.step);
      case 'step':
        this.wantedStep = m.index;
        return this.serveSteps();
      case 'overlay':
        this.overlayPaths = m.paths.slice(0, 16);
        return this.sendCurves();
    }
  }

  /** Files changed under the run: relist, and reopen the episode if its files changed. */
  async refresh(changedPaths: string[]): Promise<void> {
    await this.sendList();
    const ep = this.episode;
    if (!ep) return this.open((await listEpisodeDirs(this.run)).at(-1));
    if (changedPaths.some((p) => p.startsWith(ep.folder.dir))) await this.open(ep.path, this.wantedStep, true);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.episode?.log?.close();
    this.episode = undefined;
  }

  private fail(err: unknown, file: string): void {
    const message = describeError(err, file);
    this.host.warn(`episode replay: ${message}`);
    this.host.post({ type: 'error', message });
  }

  private async sendList(): Promise<void> {
    const items = await Promise.all((await listEpisodeDirs(this.run)).map(async (dir): Promise<EpisodeListItem> => {
      const episodeNum = Number(EPISODE_DIR.exec(basename(dir))![1]);
      try {
        const folder = await listEpisodeFolder(dir);
        const log = folder.logs.at(-1);
        const s = log ? await readEpisodeSummary(log) : undefined;
        return {
          path: dir, episodeNum: s?.episodeNum ?? episodeNum, taskId: s?.taskId, steps: s?.totalSteps ?? (log ? undefined : folder.images.length),
          totalReward: s?.totalReward, finalSimilarity: s?.finalSimilarity,
          success: s?.finalSimilarity !== undefined ? s.finalSimilarity >= 1 : undefined, images: folder.images.length,
        };
      } catch (err) {
        return { path: dir, episodeNum, images: 0, warning: describeError(err, dir) };
      }
    }));
    if (!this.disposed) this.host.post({ type: 'episodes', title: basename(this.run), items });
  }

  private async open(path: string | undefined, step?: number, reopen = false): Promise<void> {
    if (!path) return;
    if (!reopen && this.episode?.path === path) {
      this.sendInfo(true);
      if (step !== undefined) { this.wantedStep = step; await this.serveSteps(); }
      return;
    }
    const previous = this.episode;
    this.episode = undefined;
    await previous?.log?.close();
    try {
      const isLog = EPISODE_LOG.test(basename(path));
      const folder = await listEpisodeFolder(isLog ? dirname(path) : path);
      if (isLog) folder.logs = [path];
      const ep: OpenEpisode = { path, folder, cache: new Map(), indexed: !folder.logs.length };
      this.episode = ep;
      const logFile = folder.logs.at(-1);
      if (logFile) {
        ep.log = await IndexedEpisodeLog.open(logFile, { onProgress: () => { if (this.episode === ep) this.sendInfo(false); } });
        void ep.log.done.then(() => {
          ep.indexed = true;
          if (this.episode !== ep) return;
          if (ep.log?.error) this.fail(ep.log.error, logFile);
          this.sendInfo(true);
          void this.serveSteps();
        });
      } else if (folder.images.length === 0) {
        this.fail(new Error('no episode log and no step images yet'), folder.dir);
      }
      this.wantedStep = step ?? this.wantedStep ?? 0;
      this.sendInfo(true);
    } catch (err) {
      this.fail(err, path);
    }
  }

  /** Sends the episode's series (throttled while indexing: the chart grows as the scan runs). */
  private sendInfo(force: boolean): void {
    const ep = this.episode;
    if (!ep || this.disposed) return;
    // A wanted step can be shown as soon as it has been indexed.
    if (this.wantedStep !== undefined) void this.serveSteps();
    const now = Date.now();
    if (!force && now - this.lastInfoMs < 250) return;
    this.lastInfoMs = now;
    this.host.post({ type: 'episode', info: this.info(ep), step: this.wantedStep });
  }

  private info(ep: OpenEpisode): EpisodeInfo {
    const scanned = ep.log?.scanner;
    const steps = (scanned?.steps ?? []).map(({ fields: f }) => {
      const info = f.info as Record<string, unknown> | undefined;
      return { stepNum: num(f.step_num), reward: num(f.reward) ?? 0, similarity: num(info?.similarity), success: typeof info?.success === 'boolean' ? info.success : undefined };
    });
    const totals = episodeTotals(ep.log?.file ?? ep.path, scanned?.header ?? {}, steps);
    const episodeNum = totals.episodeNum >= 0 ? totals.episodeNum : ep.folder.episodeNum;
    const rewards = scanned ? steps.map((s) => s.reward) : ep.folder.images.map(() => 0);
    const similarity = steps.map((s) => s.similarity ?? null);
    const stepNums = scanned ? steps.map((s, i) => s.stepNum ?? i) : ep.folder.images.map((im) => im.step);
    return {
      path: ep.path,
      title: `episode ${episodeNum}`,
      episodeNum,
      taskId: totals.taskId,
      configHash: totals.configHash,
      totalReward: totals.totalReward,
      finalSimilarity: totals.finalSimilarity,
      success: totals.success,
      stepCount: stepNums.length,
      mode: ep.mode ?? (ep.log ? 'grids' : 'images'),
      stepNums, rewards, similarity,
      keyMoments: keyMoments(rewards),
      firstDrop: firstSimilarityDrop(similarity),
      indexing: !ep.indexed,
      warnings: [...(scanned?.warnings ?? []), ...(ep.log?.error ? [ep.log.error.message] : [])].slice(0, 20),
    };
  }

  /** Reads the most recently wanted step; requests that arrive meanwhile replace each other. */
  private async serveSteps(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.wantedStep !== undefined && this.episode) {
        const ep = this.episode;
        const count = ep.log ? ep.log.stepCount : ep.folder.images.length;
        // A step the scan has not reached yet is served when it has (sendInfo calls again).
        if (count === 0 || (this.wantedStep >= count && !ep.indexed)) return;
        const index = Math.max(0, Math.min(count - 1, this.wantedStep));
        const cached = ep.cache.get(index);
        let view: StepView;
        try {
          view = cached ?? await this.buildStep(ep, index);
        } catch (err) {
          this.wantedStep = undefined;
          this.fail(err, ep.log?.file ?? ep.folder.dir);
          return;
        }
        if (this.episode !== ep) continue;
        ep.cache.delete(index);
        ep.cache.set(index, view);
        if (ep.cache.size > STEP_CACHE) ep.cache.delete(ep.cache.keys().next().value!);
        if (this.wantedStep === index || this.wantedStep >= count) this.wantedStep = undefined;
        this.host.post({ type: 'step', view });
      }
    } finally {
      this.reading = false;
    }
  }

  private async buildStep(ep: OpenEpisode, index: number): Promise<StepView> {
    if (!ep.log) {
      const im = ep.folder.images[index];
      return { index, stepNum: im.step, changed: [], params: '', reward: 0, image: { src: this.host.imageUri(im.path), svg: im.format === 'svg' } };
    }
    const warnings: string[] = [];
    const raw = await ep.log.readStep(index);
    const s: EpisodeStep = parseStep(raw, index, ep.log.file, this.run, ep.folder.dir, warnings);
    for (const w of warnings) this.host.warn(`episode replay: ${ep.log.file}: ${w}`);
    const hasGrids = !!(s.before || s.after);
    if (ep.mode === undefined) {
      ep.mode = hasGrids ? 'grids' : 'images';
      if (!hasGrids) this.sendInfo(true);
    }
    const image = s.imagePath ?? ep.folder.images.find((im) => im.step === s.stepNum)?.path;
    const params = s.actionParams;
    return {
      index, stepNum: s.stepNum,
      before: gridData(s.before), after: gridData(s.after), target: gridData(s.target), selection: gridData(s.selection),
      selectionBox: s.selectionBox, changed: changedCells(s.before, s.after),
      operation: s.operation, operationName: s.operationName,
      params: Object.keys(params).length ? JSON.stringify(params) : '',
      reward: s.reward, similarity: s.similarity, success: s.success,
      image: image ? { src: this.host.imageUri(image), svg: /\.svg$/i.test(image) } : undefined,
      gridShape: s.gridShape,
    };
  }

  /** Cumulative reward of each overlaid episode, read from its log's index (cached by mtime). */
  private async sendCurves(): Promise<void> {
    const items: CurveData[] = [];
    for (const path of this.overlayPaths) {
      try {
        const folder = await listEpisodeFolder(path);
        const log = folder.logs.at(-1);
        if (!log) continue;
        const st = await stat(log);
        const key = `${log}:${st.mtimeMs}:${st.size}`;
        let entry = this.curves.get(path);
        if (entry?.key !== key) {
          // The open episode's log is already indexed; any other is indexed for its rewards.
          const open = this.episode?.log?.file === log && this.episode.indexed ? this.episode.log : undefined;
          const indexed = open ?? await IndexedEpisodeLog.open(log);
          await indexed.done;
          const rewards = indexed.scanner.steps.map((s) => num(s.fields.reward) ?? 0);
          const header = indexed.scanner.header;
          if (!open) await indexed.close();
          if (indexed.error) throw indexed.error;
          entry = { key, curve: { path, label: `${basename(path)}${typeof header.task_id === 'string' ? ` · ${header.task_id}` : ''}`, cumulative: cumulative(rewards) } };
          this.curves.set(path, entry);
        }
        items.push(entry.curve);
      } catch (err) {
        this.fail(err, path);
      }
      if (this.disposed) return;
    }
    this.host.post({ type: 'curves', items });
  }
}
