// ACE-Step (seed 000) as its trainer and the ACETRAINER-UI write it
// (../shared/real-producers/FORMATS.md, acestep/):
// - the UI makes lightning_logs/{YYYY-MM-DD_HH-MM-SS}{exp_name}/viz_snapshots/ for its
//   embedding snapshots; the trainer starts seconds later and logs to its own
//   {YYYY-MM-DD_HH-MM-SS}{exp_name}/ (hparams.yaml, events.out.tfevents.*, checkpoints/,
//   eval_results/). One training run, two sibling folders: they are joined here.
// - eval_results/step_S/{target,pred}_wav_{key}_{i}.wav and key_prompt_lyric_{key}_{i}.txt
//   (see audio/evalAudio.ts); snapshots viz_step_N_embeddings.npz whose per-space metadata
//   (step, sample_id, layer_name, prompt_text, loss) says which sample each row is (see
//   embeddings/timeline.ts); checkpoints/epoch=E-step=S.ckpt (torch zip) and _lora/ folders.
import { readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Run } from '../runs/model';

/** {YYYY-MM-DD_HH-MM-SS}{exp_name}: the folder names the UI and the trainer both use. */
export const TIMESTAMPED_RUN = /^(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})(.+)$/;
/** The UI's folder is made this many seconds at most before (or after) the trainer's. */
export const JOIN_WINDOW_S = 60;
const TRAINER_FILES = (name: string) => name === 'hparams.yaml' || name === 'checkpoints' || name === 'eval_results' || name.startsWith('events.out.tfevents.');

function stampSeconds(name: string): { exp: string; seconds: number } | undefined {
  const m = TIMESTAMPED_RUN.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, exp] = m;
  return { exp, seconds: Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) / 1000 };
}

async function isSnapshotsOnly(path: string): Promise<boolean> {
  const names = await readdir(path).catch(() => [] as string[]);
  return names.includes('viz_snapshots') && !names.some(TRAINER_FILES);
}

/**
 * Joins each UI folder that holds only viz_snapshots/ to the trainer folder of the same
 * experiment started within JOIN_WINDOW_S of it (the nearest), which becomes the run; the
 * joined folder is listed in the run's `joined` with why. Other runs pass through.
 */
export async function joinSiblingRuns(runs: Run[]): Promise<Run[]> {
  const candidates = runs.filter((r) => r.kind === 'lightning' && stampSeconds(basename(r.path)));
  if (candidates.length < 2) return runs;
  const snapshotsOnly = new Set<Run>();
  for (const r of candidates) if (await isSnapshotsOnly(r.path)) snapshotsOnly.add(r);
  const dropped = new Set<Run>();
  for (const ui of snapshotsOnly) {
    const a = stampSeconds(basename(ui.path))!;
    let best: { run: Run; gap: number } | undefined;
    for (const t of candidates) {
      if (snapshotsOnly.has(t) || dirname(t.path) !== dirname(ui.path)) continue;
      const b = stampSeconds(basename(t.path))!;
      const gap = b.seconds - a.seconds;
      if (b.exp !== a.exp || Math.abs(gap) > JOIN_WINDOW_S) continue;
      if (!best || Math.abs(gap) < Math.abs(best.gap)) best = { run: t, gap };
    }
    if (!best) continue;
    const why = `${basename(ui.path)}/viz_snapshots is this run's: ACE-Step's UI made that folder for experiment "${a.exp}" ${Math.abs(best.gap)} s ${best.gap >= 0 ? 'before' : 'after'} the trainer started logging here`;
    best.run.joined = [...best.run.joined ?? [], { path: ui.path, why }];
    best.run.modifiedMs = Math.max(best.run.modifiedMs, ui.modifiedMs);
    dropped.add(ui);
  }
  return dropped.size ? runs.filter((r) => !dropped.has(r)) : runs;
}
