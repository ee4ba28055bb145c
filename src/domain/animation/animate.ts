// Create Animation: a run's frames (or its snapshots' projections) into a looping GIF and
// a VP9 WebM next to the frames. Shared by the extension command and `runreel animate`.
import { existsSync } from 'node:fs';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isAbortError } from './abort';
import { encodeGif, canvasSize } from './gif';
import { findFrames, gifTiming, webmFps, type FrameSet } from './frames';
import { resolveFfmpeg, ToolError, type ResolvedTool } from './ffmpeg';
import type { FrameSpec } from './gifFrames';
import { renderNpzFrames } from './npzFrames';
import { encodeWebm } from './webm';
import { defaultWorkerCount, WorkerPool } from './workerPool';

export interface AnimateOptions {
  gif?: boolean;
  webm?: boolean;
  /** Where outputs go (default: next to the frames). */
  outDir?: string;
  /** The outputs' name without extension (default: pacmap_evolution, or <folder>_animation). */
  outName?: string;
  /** WebM frames per second (default: the seed's rule, 1–10). */
  fps?: number;
  /** Draw "step N" on each frame (default true). */
  label?: boolean;
  ffmpegPath?: string;
  workers?: number;
  /** The bundled worker (dist/gifWorker.js); without it, work runs in this thread. */
  workerScript?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Metadata field to colour rendered (npz-only) frames by (default "label"). */
  colorBy?: string;
  onProgress?: (phase: 'render' | 'gif' | 'webm', done: number, total: number) => void;
  log?: (message: string) => void;
}

export interface AnimateResult {
  dir: string;
  frames: number;
  source: FrameSet['source'];
  gif?: { path: string; bytes: number };
  webm?: { path: string };
  ffmpeg?: ResolvedTool;
  warnings: string[];
}

export function outputBase(set: FrameSet): string {
  return set.frames.some((f) => /viz_step_\d+_(pacmap|embeddings)/.test(basename(f.path))) ? 'pacmap_evolution' : `${basename(set.dir)}_animation`;
}

export async function createAnimation(dir: string, o: AnimateOptions = {}): Promise<AnimateResult> {
  const wantGif = o.gif ?? true, wantWebm = o.webm ?? true;
  const set = await findFrames(dir);
  if (set.frames.length < 2) {
    throw new ToolError('too_few_frames', `${set.dir}: found ${set.frames.length} frame${set.frames.length === 1 ? '' : 's'}; an animation needs at least 2 (viz_step_N_pacmap.png, step_N.png, … or viz_step_N_embeddings.npz)`);
  }
  const outDir = o.outDir ?? set.dir;
  try {
    await access(outDir, constants.W_OK);
  } catch {
    throw new ToolError('unwritable', `cannot write to ${outDir}: ${existsSync(outDir) ? 'permission denied' : 'no such folder'}. Choose another output folder (--out).`);
  }
  const warnings: string[] = [];
  const log = o.log ?? (() => {});
  const script = o.workerScript ?? join(__dirname, 'gifWorker.js');
  const pool = new WorkerPool(existsSync(script) ? script : undefined, o.workers ?? defaultWorkerCount());
  let renderDir: string | undefined;
  try {
    let paths = set.frames;
    if (set.source === 'npz') {
      renderDir = await mkdtemp(join(tmpdir(), 'runreel-frames-'));
      log(`no PNG frames in ${set.dir}; rendering ${set.frames.length} frames from the snapshots' projections`);
      const rendered = await renderNpzFrames(set.frames, renderDir, { colorBy: o.colorBy, signal: o.signal, onProgress: (d, t) => o.onProgress?.('render', d, t) });
      warnings.push(...rendered.warnings);
      paths = rendered.frames;
    }
    const timing = gifTiming(paths.length);
    const specs: FrameSpec[] = paths.map((f, i) => ({ path: f.path, label: o.label === false ? undefined : `step ${f.step}`, delayMs: i === paths.length - 1 ? timing.lastMs : timing.frameMs }));
    const base = join(outDir, o.outName ?? outputBase(set));
    const result: AnimateResult = { dir: set.dir, frames: paths.length, source: set.source, warnings };
    const size = await canvasSize(specs[0].path);
    if (wantGif) {
      const gifPath = `${base}.gif`;
      const { bytes } = await encodeGif(specs, gifPath, { pool, ...size, signal: o.signal, onProgress: (d, t) => o.onProgress?.('gif', d, t) });
      result.gif = { path: gifPath, bytes };
    }
    if (wantWebm) {
      let ffmpeg: ResolvedTool | undefined;
      try {
        ffmpeg = resolveFfmpeg(o.ffmpegPath);
        log(`using ffmpeg from ${ffmpeg.source}: ${ffmpeg.path}`);
      } catch (err) {
        if (!(err instanceof ToolError) || err.code !== 'ffmpeg_missing') throw err;
        warnings.push(`WebM skipped: ${err.message}`);
      }
      if (ffmpeg) {
        result.ffmpeg = ffmpeg;
        const webmPath = `${base}.webm`;
        await encodeWebm(specs, webmPath, { ffmpeg: ffmpeg.path, pool, ...size, fps: o.fps ?? webmFps(specs.length), signal: o.signal, timeoutMs: o.timeoutMs, onProgress: (d, t) => o.onProgress?.('webm', d, t) });
        result.webm = { path: webmPath };
      }
    }
    return result;
  } catch (err) {
    if (isAbortError(err)) throw new ToolError('cancelled', 'cancelled');
    // Readers throw typed errors; a bare OS error here comes from writing the output.
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && !(err instanceof ToolError) && (err as Error).name !== 'ArtifactError') {
      throw new ToolError('unwritable', `cannot write to ${outDir}: ${code === 'ENOSPC' ? 'the disk is full' : code}. Choose another output folder (--out).`);
    }
    throw err;
  } finally {
    await pool.close();
    if (renderDir) await rm(renderDir, { recursive: true, force: true }).catch(() => {});
  }
}
