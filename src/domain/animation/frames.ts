// Which images make an animation, in which order: the seed's viz_step_{N}_pacmap.png, or
// any step-numbered series, sorted by step number (1000 after 950). Outputs and the
// always-overwritten viz_latest_* are never frames.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../artifacts/errors';
import { SERIES_FRAME } from '../runs/discover';

export interface Frame {
  step: number;
  path: string;
}

export interface FrameSet {
  /** Folder the frames are in (a run's viz_snapshots when given the run). */
  dir: string;
  frames: Frame[];
  /** 'png': image frames; 'npz': only snapshots' projections, to be rendered. */
  source: 'images' | 'npz';
}

const VIZ_FRAME = /^viz_step_(\d+)_pacmap\.png$/;
const VIZ_NPZ = /^viz_step_(\d+)_embeddings\.npz$/;

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export async function findFrames(dir: string): Promise<FrameSet> {
  if (!(await isDir(dir))) throw new ArtifactError('not_found', dir, 'no such folder');
  // Given a training run, use its snapshots.
  if (await isDir(join(dir, 'viz_snapshots'))) dir = join(dir, 'viz_snapshots');
  const names = await readdir(dir);
  const pick = (re: RegExp): Frame[] => names.map((n) => ({ n, m: re.exec(n) })).filter((x) => x.m).map((x) => ({ step: Number(x.m![1]), path: join(dir, x.n) })).sort((a, b) => a.step - b.step || a.path.localeCompare(b.path));
  const viz = pick(VIZ_FRAME);
  if (viz.length > 0) return { dir, frames: viz, source: 'images' };
  const series = pick(SERIES_FRAME);
  if (series.length > 0) return { dir, frames: series, source: 'images' };
  const npz = pick(VIZ_NPZ);
  if (npz.length > 0) return { dir, frames: npz, source: 'npz' };
  return { dir, frames: [], source: 'images' };
}

/** The seed's GIF timing: 15–30 s in all, each frame 100–2000 ms, the last held 3×. */
export function gifTiming(frameCount: number): { frameMs: number; lastMs: number } {
  const total = Math.max(15000, Math.min(30000, frameCount * 500));
  const frameMs = Math.max(100, Math.min(2000, Math.floor(total / frameCount)));
  return { frameMs, lastMs: frameMs * 3 };
}

/** The seed's WebM rate: 1–10 frames per second, faster for longer runs. */
export function webmFps(frameCount: number): number {
  return Math.max(1, Math.min(10, Math.floor(frameCount / 15)));
}
