// What a run holds, counted from folder listings only (no file contents are read),
// so it stays fast on runs with thousands of files.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EPISODE_DIR, STEP_SNAPSHOT, UUID_NAME } from './discover';
import type { ArtifactGroup, Run, RunSummary } from './model';

const EVAL_STEP_DIR = /^step_(\d+)$/;
const ANIMATION = /^pacmap_evolution\.(gif|webm)$/;

async function list(dir: string, warnings: string[]): Promise<{ name: string; isDir: boolean }[] | undefined> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((d) => ({ name: d.name, isDir: d.isDirectory() }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') warnings.push(`cannot read folder ${dir}: ${code ?? String(err)}`);
    return undefined;
  }
}

export function stepRange(steps: number[]): string | undefined {
  if (steps.length === 0) return undefined;
  let lo = steps[0], hi = steps[0];
  for (const s of steps) { if (s < lo) lo = s; if (s > hi) hi = s; }
  return lo === hi ? `step ${lo}` : `steps ${lo}–${hi}`;
}

function snapshotGroups(dir: string, entries: { name: string; isDir: boolean }[]): ArtifactGroup[] {
  const steps = new Set<number>();
  const animations: string[] = [];
  for (const e of entries) {
    const m = STEP_SNAPSHOT.exec(e.name);
    if (m && !e.isDir) steps.add(Number(m[1]));
    if (ANIMATION.test(e.name)) animations.push(e.name);
  }
  const groups: ArtifactGroup[] = [];
  if (steps.size > 0) {
    groups.push({ kind: 'snapshots', label: 'Embedding snapshots', count: steps.size, detail: stepRange([...steps]), path: dir });
  }
  if (animations.length > 0) {
    groups.push({ kind: 'animations', label: 'Animations', count: animations.length, detail: animations.sort().join(', '), path: dir });
  }
  return groups;
}

export async function summarizeRun(run: Run): Promise<RunSummary> {
  const warnings: string[] = [];
  const groups: ArtifactGroup[] = [];
  switch (run.kind) {
    case 'lightning': {
      const snapDir = join(run.path, 'viz_snapshots');
      const snaps = await list(snapDir, warnings);
      if (snaps) groups.push(...snapshotGroups(snapDir, snaps));
      const evalDir = join(run.path, 'eval_results');
      const evals = await list(evalDir, warnings);
      if (evals) {
        const steps = evals.filter((e) => e.isDir).map((e) => EVAL_STEP_DIR.exec(e.name)).filter((m) => m).map((m) => Number(m![1]));
        if (steps.length > 0) groups.push({ kind: 'evalSteps', label: 'Eval audio', count: steps.length, detail: stepRange(steps), path: evalDir });
      }
      const ckptDir = join(run.path, 'checkpoints');
      const ckpts = await list(ckptDir, warnings);
      if (ckpts && ckpts.length > 0) groups.push({ kind: 'checkpoints', label: 'Checkpoints', count: ckpts.length, path: ckptDir });
      break;
    }
    case 'snapshots': {
      const entries = await list(run.path, warnings);
      if (entries) groups.push(...snapshotGroups(run.path, entries));
      break;
    }
    case 'episodes': {
      const entries = (await list(run.path, warnings)) ?? [];
      const eps = entries.filter((e) => e.isDir).map((e) => EPISODE_DIR.exec(e.name)).filter((m) => m).map((m) => Number(m![1]));
      groups.push({ kind: 'episodes', label: 'Episodes', count: eps.length, detail: eps.length ? `episodes ${Math.min(...eps)}–${Math.max(...eps)}` : undefined, path: run.path });
      break;
    }
    case 'latents': {
      const entries = (await list(run.path, warnings)) ?? [];
      const tensors = new Set<string>(), records = new Set<string>();
      for (const e of entries) {
        const m = UUID_NAME.exec(e.name);
        if (m && !e.isDir) (m[2].toLowerCase() === 'safetensors' ? tensors : records).add(m[1].toLowerCase());
      }
      let orphans = 0;
      for (const id of tensors) if (!records.has(id)) orphans++;
      for (const id of records) if (!tensors.has(id)) orphans++;
      groups.push({ kind: 'latents', label: 'Latents', count: tensors.size, detail: orphans ? `${orphans} orphaned` : undefined, path: run.path });
      break;
    }
    case 'ringbuffer': {
      try {
        const s = await stat(run.path);
        groups.push({ kind: 'buffer', label: 'Ring buffer', count: 1, detail: `${(s.size / 1048576).toFixed(1)} MiB`, path: run.path });
      } catch (err) {
        warnings.push(`cannot read ${run.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      break;
    }
    default: {
      const never: never = run.kind;
      throw new Error(`unknown run kind ${String(never)}`);
    }
  }
  return { run, groups, warnings };
}
