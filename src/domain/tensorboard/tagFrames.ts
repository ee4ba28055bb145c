// An image tag of a run's event files as a folder of step_N.png frames, for Create Animation:
// one frame per step (the last image written at that step, as TensorBoard shows it).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../artifacts/errors';
import { FileSource } from '../artifacts/source';
import { ScalarRun } from './scalars';

const PNG = [0x89, 0x50, 0x4e, 0x47];

/** Writes the frames of `tag` into `outDir` (which must exist); returns how many. */
export async function writeTagFrames(runDir: string, tag: string, outDir: string): Promise<number> {
  const run = new ScalarRun(runDir);
  await run.update();
  const entries = run.media().find((m) => m.tag === tag && m.kind === 'image')?.entries;
  if (!entries?.length) throw new ArtifactError('not_found', runDir, `no image summaries tagged "${tag}" in its event files`);
  const byStep = new Map<number, (typeof entries)[number]>();
  for (const e of entries) byStep.set(e.step, e);
  for (const [step, e] of byStep) {
    if (e.offset === undefined || e.length === undefined) continue;
    const src = await FileSource.open(e.file);
    try {
      const bytes = await src.read(e.offset, e.length, 'image summary');
      if (!PNG.every((b, k) => bytes[k] === b)) throw new ArtifactError('unsupported', e.file, `the image of ${tag} at step ${step} is not a PNG; animations are made from PNG frames`);
      await writeFile(join(outDir, `step_${step}.png`), bytes);
    } finally {
      await src.close();
    }
  }
  return byStep.size;
}

/** A file name from a tag: `val/reconstruction` → `val_reconstruction`. */
export const tagFileName = (tag: string) => tag.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'tag';
