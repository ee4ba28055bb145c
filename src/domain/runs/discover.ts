// Finds run folders under a set of roots. Pure Node (no vscode), shared by the
// extension and the CLI. Bounded: depth and entry limits, skips heavy folders,
// never follows a symlink into a folder it has already visited.
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LATENT_FILE } from '../artifacts/latents';
import { joinSiblingRuns } from '../producers/acestep';
import { EPISODE_DIR, isEpisodeBase } from '../producers/jaxarc';
import type { Run, RunKind } from './model';

export interface DiscoverOptions {
  maxDepth?: number;
  /** Stop after visiting this many directory entries in total. */
  maxEntries?: number;
}

export interface DiscoveryResult {
  runs: Run[];
  /** Plain-text notes: limits hit, roots that do not exist, unreadable folders. */
  warnings: string[];
}

/** Folders never searched or watched: dependencies, VCS data, caches, virtual environments. */
export const SKIP_DIRS = new Set([
  'node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'env', '.env',
  '.tox', '.mypy_cache', '.pytest_cache', 'site-packages', '.cache', 'dist-packages',
]);

export const STEP_SNAPSHOT = /^viz_step_(\d+)_(?:pacmap\.(?:png|html)|embeddings\.npz)$/;
export { EPISODE_DIR };
export const UUID_IMAGE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(png|jpe?g|webp)$/i;
export const VIDEO_CLIP = /\.(mp4|webm|mov|mkv|m4v)$/i;
/** step_000.png, frame_12.jpg, iter-7.webp, epoch3.png — not viz_latest_*. */
export const SERIES_FRAME = /^(?:step|frame|iter|iteration|epoch)[_-]?(\d+)\.(png|jpe?g|webp)$/i;
export const RING_MAGIC = 'AUDITAB!';
const LIGHTNING_MARKERS = new Set(['viz_snapshots', 'eval_results', 'checkpoints', 'hparams.yaml']);
const RING_HEADER_BYTES = 4096;

interface Entry { name: string; isDir: boolean; isFile: boolean; isLink: boolean }

/** Classifies one folder from its entries, or returns undefined when it is not a run. */
export function classifyFolder(names: { name: string; isDir: boolean }[]): RunKind | undefined {
  let snapshots = 0, episodes = 0, tensors = 0, images = 0, clips = 0, frames = 0;
  for (const { name, isDir } of names) {
    if (LIGHTNING_MARKERS.has(name) || name.startsWith('events.out.tfevents.')) return 'lightning';
    if (isDir) {
      if (EPISODE_DIR.test(name)) episodes++;
      continue;
    }
    if (STEP_SNAPSHOT.test(name)) snapshots++;
    else if (LATENT_FILE.test(name) && name.endsWith('.safetensors')) tensors++;
    else if (UUID_IMAGE.test(name)) images++;
    else if (VIDEO_CLIP.test(name)) clips++;
    else if (SERIES_FRAME.test(name)) frames++;
  }
  if (snapshots > 0) return 'snapshots';
  if (episodes > 0) return 'episodes';
  if (tensors > 0) return 'latents';
  if (images > 0) return 'gallery';
  if (clips > 0) return 'clips';
  if (frames >= 2) return 'series';
  return undefined;
}

/** A name that says nothing alone (version_0, run) gets its parent's name in front. */
export function runDisplayName(path: string): string {
  const name = basename(path);
  if (/^(version_\d+|run|run_\d+|viz_snapshots|\d+)$/.test(name)) {
    const parent = basename(dirname(path));
    return parent ? `${parent}/${name}` : name;
  }
  return name;
}

async function hasRingMagic(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size < RING_HEADER_BYTES) return false;
    const buf = Buffer.alloc(8);
    await handle.read(buf, 0, 8, 0);
    return buf.toString('latin1') === RING_MAGIC;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** Ring buffers are files with no extension or a binary-looking one; others are not opened. */
function mayBeRingBuffer(name: string): boolean {
  return !name.includes('.') || /\.(bin|mmap|ringbuf|buf|dat)$/i.test(name);
}

export async function discoverRuns(roots: string[], options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const maxDepth = options.maxDepth ?? 8;
  const maxEntries = options.maxEntries ?? 200_000;
  const runs: Run[] = [];
  const warnings: string[] = [];
  const visited = new Set<string>();
  let entriesSeen = 0;
  let limitWarned = false;

  for (const root of roots) {
    let rootStat;
    try {
      rootStat = await stat(root);
    } catch {
      warnings.push(`run root not found: ${root}`);
      continue;
    }
    if (rootStat.isFile()) {
      if (await hasRingMagic(root)) runs.push({ path: root, name: basename(root), kind: 'ringbuffer', root, modifiedMs: rootStat.mtimeMs });
      continue;
    }
    // Breadth-first, so shallow runs are found before the entry limit can bite.
    const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
    while (queue.length > 0) {
      const { dir, depth } = queue.shift()!;
      let real: string;
      try {
        real = await realpath(dir);
      } catch {
        continue;
      }
      if (visited.has(real)) continue;
      visited.add(real);

      let entries: Entry[];
      try {
        const dirents = await readdir(dir, { withFileTypes: true });
        entries = dirents.map((d) => ({ name: d.name, isDir: d.isDirectory(), isFile: d.isFile(), isLink: d.isSymbolicLink() }));
      } catch (err) {
        warnings.push(`cannot read folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        continue;
      }
      entriesSeen += entries.length;
      if (entriesSeen > maxEntries) {
        if (!limitWarned) warnings.push(`stopped after ${maxEntries} entries; add a narrower run root to see more`);
        limitWarned = true;
        break;
      }
      // Symlinked folders count as folders; the visited set stops loops.
      for (const e of entries) {
        if (e.isLink) {
          try {
            const s = await stat(join(dir, e.name));
            e.isDir = s.isDirectory();
            e.isFile = s.isFile();
          } catch {
            /* dangling link: ignore */
          }
        }
      }

      // A JaxARC base keeps its logs and image trees in sub-folders: it is the run, not them.
      const kind = classifyFolder(entries) ?? ((await isEpisodeBase(dir, entries)) ? 'episodes' : undefined);
      if (kind) {
        runs.push({ path: dir, name: runDisplayName(dir), kind, root, modifiedMs: await newestMtime(dir, entries) });
        continue; // a run's insides are its artifacts, not more runs
      }
      for (const e of entries) {
        if (e.isFile && mayBeRingBuffer(e.name)) {
          const p = join(dir, e.name);
          if (await hasRingMagic(p)) {
            runs.push({ path: p, name: e.name, kind: 'ringbuffer', root, modifiedMs: (await stat(p)).mtimeMs });
          }
        }
      }
      if (depth < maxDepth) {
        for (const e of entries) {
          if (e.isDir && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) queue.push({ dir: join(dir, e.name), depth: depth + 1 });
        }
      }
    }
  }
  const joined = await joinSiblingRuns(runs);
  joined.sort((a, b) => a.root.localeCompare(b.root) || a.path.localeCompare(b.path));
  return { runs: joined, warnings };
}

async function newestMtime(dir: string, entries: Entry[]): Promise<number> {
  let newest = 0;
  for (const e of entries.slice(0, 256)) {
    try {
      newest = Math.max(newest, (await stat(join(dir, e.name))).mtimeMs);
    } catch {
      /* vanished while we looked */
    }
  }
  return newest;
}
