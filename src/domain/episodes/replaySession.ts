// The host side of one Episode Replay panel, without vscode: lists the run's episodes, indexes
// the open episode's log and answers step requests one at a time (the latest request wins
// while one is being read, so dragging the scrubber never queues up stale steps).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError } from '../artifacts/errors';
import { isWithin } from '../paths';
import { episodeTotals, parseStep, readEpisodeSummary, type EpisodeStep, type Grid } from '../artifacts/episodes';
import type {
  CurveData, EpisodeHostToWebview, EpisodeInfo, EpisodeListItem, EpisodeRunFiles, EpisodeWebviewToHost, GridData, StepView,
} from '../../protocol/episodes';
import {
  EPISODE_DIR, EPISODE_LOG, EPISODE_PICKLE, episodeRunOf, jaxBoolean, jaxNumber, listStepImages, pickleLogProblem,
  readBatchMetrics, readEpisodeConfig, readEvaluationSummary, realTaskId, scanEpisodeRun, type RunEpisode,
} from '../producers/jaxarc';
import { changedCells, cumulative, firstSimilarityDrop, keyMoments } from './analysis';
import { IndexedEpisodeLog } from './indexedLog';

export interface ReplayHost {
  post(message: EpisodeHostToWebview): void;
  /** A URI the webview can load the image at `path` from. */
  imageUri(path: string): string;
  warn(message: string): void;
}

const RUN_FILES = new Set(['batch_metrics.jsonl', 'evaluation_summary.json', 'episode_config.json']);

/** Where a path opened for replay sits: the run folder and the episode (folder or log), if any. */
export async function locateEpisodeTarget(path: string): Promise<{ run: string; episode?: string }> {
  const st = await stat(path);
  const run = await episodeRunOf(path, st.isFile());
  // A run's other files (batch_metrics.jsonl, …) open the run on its newest episode.
  const isEpisode = st.isFile() ? !RUN_FILES.has(basename(path)) : run !== path;
  return isEpisode ? { run, episode: path } : { run };
}

/** The episodes of `run` in episode order, each by the key the panel opens it with. */
export async function listRunEpisodes(run: string): Promise<RunEpisode[]> {
  return (await scanEpisodeRun(run)).episodes;
}

/** An episode named by a path the run's listing does not know (a log or folder opened alone). */
async function episodeAt(path: string): Promise<RunEpisode> {
  const name = basename(path);
  if (EPISODE_PICKLE.test(name)) return { key: path, pickle: path, images: [] };
  if ((await stat(path)).isFile()) {
    const dir = dirname(path);
    const imagesDir = EPISODE_DIR.test(basename(dir)) ? dir : undefined;
    return { key: path, log: path, imagesDir, images: imagesDir ? await listStepImages(imagesDir) : [] };
  }
  const logs = (await readdir(path)).filter((n) => EPISODE_LOG.test(n)).sort();
  return { key: path, episodeNum: Number(EPISODE_DIR.exec(name)?.[1] ?? NaN), log: logs.length ? join(path, logs.at(-1)!) : undefined, imagesDir: path, images: await listStepImages(path) };
}

const gridData = (g: Grid | undefined): GridData | undefined => (g ? { height: g.height, width: g.width, cells: Array.from(g.cells) } : undefined);
const STEP_CACHE = 64;

interface OpenEpisode {
  path: string;
  entry: RunEpisode;
  log?: IndexedEpisodeLog;
  /** Step views already built, most recent last. */
  cache: Map<number, StepView>;
  mode?: 'grids' | 'images';
  /** The log's scan has ended (or there is no log). */
  indexed: boolean;
}

/** A step index from the page, when it is one. */
const stepOrNone = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
const pathOrNone = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class EpisodeReplaySession {
  private episode: OpenEpisode | undefined;
  private wantedStep: number | undefined;
  private reading = false;
  private overlayPaths: string[] = [];
  /** The run's episodes as last listed. */
  private episodes: RunEpisode[] = [];
  private readonly curves = new Map<string, { key: string; curve: CurveData }>();
  private disposed = false;
  private lastInfoMs = 0;
  /** Counts opens: an open that a later one overtook (a slower log, a click while the list was read) gives way. */
  private opening = 0;
  /** The newest open that has finished: below `opening` while one is under way. */
  private settled = 0;

  constructor(readonly run: string, private readonly host: ReplayHost, private readonly initial?: { episode?: string; step?: number }) {}

  async handle(m: EpisodeWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // A page reloaded after being hidden says where it was; a new one starts where asked,
        // unless the user opened one while the run was being listed.
        const opened = this.opening;
        await this.sendList();
        if (this.opening !== opened) return;
        const episode = pathOrNone(m.episode) ?? this.episode?.path ?? this.initial?.episode ?? this.episodes.at(-1)?.key;
        return this.open(episode, stepOrNone(m.step) ?? this.initial?.step);
      }
      case 'openEpisode':
        return this.open(pathOrNone(m.path), stepOrNone(m.step));
      case 'step':
        // The page is not trusted: a step that is not a whole number (a string looped for ever) is refused.
        if (stepOrNone(m.index) === undefined) return this.fail(new RangeError(`a request for step ${JSON.stringify(m.index)}: not a step number`), this.episode?.path ?? this.run);
        this.wantedStep = m.index;
        return this.serveSteps();
      case 'overlay':
        this.overlayPaths = (Array.isArray(m.paths) ? m.paths : []).filter((p): p is string => typeof p === 'string' && isWithin(this.run, p)).slice(0, 16);
        return this.sendCurves();
    }
  }

  /** Files changed under the run: relist, and reopen the episode if its files changed. */
  async refresh(changedPaths: string[]): Promise<void> {
    const opened = this.opening;
    await this.sendList();
    // An open under way or made meanwhile reads the files as they are now.
    if (this.opening !== opened || this.settled !== this.opening) return;
    const ep = this.episode;
    if (!ep) return this.open(this.episodes.at(-1)?.key);
    const mine = [ep.entry.log, ep.entry.imagesDir].filter((p): p is string => !!p);
    if (changedPaths.some((p) => mine.some((m) => p.startsWith(m)))) await this.open(ep.path, this.wantedStep, true);
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
    const layout = await scanEpisodeRun(this.run);
    const items = await Promise.all(layout.episodes.map(async (e): Promise<EpisodeListItem> => {
      const base = { path: e.key, episodeNum: e.episodeNum ?? -1, images: e.images.length };
      if (!e.log) {
        // Image-only episodes: the images say how many steps, nothing about reward or outcome.
        return { ...base, steps: e.pickle ? undefined : e.images.length, warning: e.pickle ? await pickleLogProblem(e.pickle, false) : undefined };
      }
      try {
        const s = await readEpisodeSummary(e.log);
        return { ...base, episodeNum: s.episodeNum ?? base.episodeNum, taskId: s.taskId, steps: s.totalSteps, totalReward: s.totalReward, finalSimilarity: s.finalSimilarity, success: s.success };
      } catch (err) {
        return { ...base, warning: describeError(err, e.log) };
      }
    }));
    items.sort((a, b) => a.episodeNum - b.episodeNum || a.path.localeCompare(b.path));
    this.episodes = items.map((i) => layout.episodes.find((e) => e.key === i.path)!);
    if (this.disposed) return;
    this.host.post({ type: 'episodes', title: basename(this.run), items });
    const { batchMetrics, evaluationSummary, episodeConfigs } = layout.extras;
    if (!batchMetrics && !evaluationSummary && !episodeConfigs.length) return;
    const files: EpisodeRunFiles = { configs: [], problems: [] };
    const read = async <T>(path: string, fn: (p: string) => Promise<T>): Promise<T | undefined> => {
      try {
        return await fn(path);
      } catch (err) {
        files.problems.push(describeError(err, path));
        return undefined;
      }
    };
    if (batchMetrics) files.batchMetrics = await read(batchMetrics, readBatchMetrics);
    if (evaluationSummary) files.evaluation = await read(evaluationSummary, readEvaluationSummary);
    for (const c of episodeConfigs.slice(0, 20)) {
      const config = await read(c, readEpisodeConfig);
      if (config) files.configs.push(config);
    }
    if (!this.disposed) this.host.post({ type: 'runFiles', files });
  }

  /** The listed episode that `path` names (its key, log, pickle or image folder), else one built for it. */
  private async entryFor(path: string): Promise<RunEpisode> {
    return this.episodes.find((e) => e.key === path || e.log === path || e.pickle === path || e.imagesDir === path) ?? episodeAt(path);
  }

  private async open(path: string | undefined, step?: number, reopen = false): Promise<void> {
    if (!path) return;
    if (!reopen && this.episode?.path === path) {
      this.sendInfo(true);
      if (step !== undefined) { this.wantedStep = step; await this.serveSteps(); }
      return;
    }
    // A path from the page: only an episode of this run.
    if (!isWithin(this.run, path)) return this.fail(new RangeError(`${path} is not an episode of the run ${this.run}`), path);
    const generation = ++this.opening;
    const previous = this.episode;
    this.episode = undefined;
    await previous?.log?.close();
    try {
      const entry = await this.entryFor(path);
      if (generation !== this.opening) return;
      const ep: OpenEpisode = { path, entry, cache: new Map(), indexed: !entry.log };
      this.episode = ep;
      const logFile = entry.log;
      if (logFile) {
        const log = await IndexedEpisodeLog.open(logFile, { onProgress: () => { if (this.episode === ep) this.sendInfo(false); } });
        if (generation !== this.opening) { await log.close(); return; }
        ep.log = log;
        void ep.log.done.then(() => {
          ep.indexed = true;
          if (this.episode !== ep) return;
          if (ep.log?.error) this.fail(ep.log.error, logFile);
          this.sendInfo(true);
          void this.serveSteps();
        });
      } else if (entry.pickle) {
        const problem = await pickleLogProblem(entry.pickle, false);
        if (generation !== this.opening) return;
        this.fail(new Error(problem), entry.pickle);
      } else if (entry.images.length === 0) {
        this.fail(new Error('no episode log and no step images yet'), entry.imagesDir ?? path);
      }
      this.wantedStep = step ?? this.wantedStep ?? 0;
      this.sendInfo(true);
    } catch (err) {
      if (generation === this.opening) this.fail(err, path);
    } finally {
      this.settled = Math.max(this.settled, generation);
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
      return { stepNum: jaxNumber(f.step_num), reward: jaxNumber(f.reward), similarity: jaxNumber(info?.similarity), success: jaxBoolean(info?.success) };
    });
    const header = scanned?.header ?? {};
    const totals = episodeTotals(ep.log?.file ?? ep.path, header, steps);
    const episodeNum = totals.episodeNum >= 0 ? totals.episodeNum : ep.entry.episodeNum ?? -1;
    const rewards = scanned ? steps.map((s) => s.reward ?? null) : ep.entry.images.map(() => null);
    const similarity = steps.map((s) => s.similarity ?? null);
    const stepNums = scanned ? steps.map((s, i) => s.stepNum ?? i) : ep.entry.images.map((im) => im.step);
    const known = rewards.map((r) => r ?? 0);
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
      keyMoments: keyMoments(known),
      firstDrop: firstSimilarityDrop(similarity),
      indexing: !ep.indexed,
      warnings: [...(scanned?.warnings ?? []), ...(ep.log?.error ? [ep.log.error.message] : [])].slice(0, 20),
      files: [ep.entry.log, ep.entry.imagesDir].filter((p): p is string => !!p),
    };
  }

  /** Reads the most recently wanted step; requests that arrive meanwhile replace each other. */
  private async serveSteps(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.wantedStep !== undefined && this.episode) {
        const ep = this.episode;
        const count = ep.log ? ep.log.stepCount : ep.entry.images.length;
        // A step the scan has not reached yet is served when it has (sendInfo calls again).
        if (count === 0 || (this.wantedStep >= count && !ep.indexed)) return;
        const wanted = this.wantedStep;
        const index = Math.max(0, Math.min(count - 1, wanted));
        const cached = ep.cache.get(index);
        let view: StepView;
        try {
          view = cached ?? await this.buildStep(ep, index);
        } catch (err) {
          this.wantedStep = undefined;
          this.fail(err, ep.log?.file ?? ep.entry.imagesDir ?? ep.path);
          return;
        }
        if (this.episode !== ep) continue;
        ep.cache.delete(index);
        ep.cache.set(index, view);
        if (ep.cache.size > STEP_CACHE) ep.cache.delete(ep.cache.keys().next().value!);
        // Served, unless the page asked for another meanwhile (a step out of range is its nearest).
        if (this.wantedStep === wanted) this.wantedStep = undefined;
        this.host.post({ type: 'step', view });
      }
    } finally {
      this.reading = false;
    }
  }

  private async buildStep(ep: OpenEpisode, index: number): Promise<StepView> {
    if (!ep.log) {
      const im = ep.entry.images[index];
      return { index, stepNum: im.step, changed: [], params: '', image: { src: this.host.imageUri(im.path), svg: im.format === 'svg' } };
    }
    const warnings: string[] = [];
    const raw = await ep.log.readStep(index);
    const s: EpisodeStep = parseStep(raw, index, ep.log.file, this.run, ep.entry.imagesDir ?? dirname(ep.log.file), warnings);
    for (const w of warnings) this.host.warn(`episode replay: ${ep.log.file}: ${w}`);
    const hasGrids = !!(s.before || s.after);
    if (ep.mode === undefined) {
      ep.mode = hasGrids ? 'grids' : 'images';
      if (!hasGrids) this.sendInfo(true);
    }
    const image = (s.imagePath && existsSync(s.imagePath) ? s.imagePath : undefined) ?? ep.entry.images.find((im) => im.step === s.stepNum)?.path;
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
        const log = (await this.entryFor(path)).log;
        if (!log) continue;
        const st = await stat(log);
        const key = `${log}:${st.mtimeMs}:${st.size}`;
        let entry = this.curves.get(path);
        if (entry?.key !== key) {
          // The open episode's log is already indexed; any other is indexed for its rewards.
          const open = this.episode?.log?.file === log && this.episode.indexed ? this.episode.log : undefined;
          const indexed = open ?? await IndexedEpisodeLog.open(log);
          await indexed.done;
          const rewards = indexed.scanner.steps.map((s) => jaxNumber(s.fields.reward) ?? 0);
          const header = indexed.scanner.header;
          if (!open) await indexed.close();
          if (indexed.error) throw indexed.error;
          const task = realTaskId(header);
          entry = { key, curve: { path, label: `episode ${jaxNumber(header.episode_num) ?? basename(path)}${task ? ` · ${task}` : ''}`, cumulative: cumulative(rewards) } };
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
