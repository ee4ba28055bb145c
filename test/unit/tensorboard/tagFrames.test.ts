// Create Animation on an image tag of the real Lightning run's event files: its three PNGs
// (steps 100, 1000, 2000) become frames, and the GIF lands next to the run under the tag's name.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createAnimation } from '../../../src/domain/animation/animate';
import { decodePng } from '../../../src/domain/artifacts/png';
import { tagFileName, writeTagFrames } from '../../../src/domain/tensorboard/tagFrames';
import { decodeGif } from '../animation/gifDecode';
import { realProducer, tempDir } from '../helpers';

test('an image tag as step_N.png frames, then a GIF of them next to the run', async () => {
  const run = tempDir();
  cpSync(realProducer('lightning', 'lightning_logs', 'version_1'), run, { recursive: true });
  const frames = mkdtempSync(join(tempDir(), 'frames-'));
  expect(await writeTagFrames(run, 'val/reconstruction', frames)).toBe(3);
  expect(readdirSync(frames).sort()).toEqual(['step_100.png', 'step_1000.png', 'step_2000.png']);
  expect(decodePng(readFileSync(join(frames, 'step_1000.png')), 'step_1000.png').width).toBe(64);
  const r = await createAnimation(frames, { outDir: run, outName: `${tagFileName('val/reconstruction')}_evolution`, webm: false });
  expect(r.gif!.path).toBe(join(run, 'val_reconstruction_evolution.gif'));
  expect(decodeGif(readFileSync(r.gif!.path)).frames.length).toBe(3);
  await expect(writeTagFrames(run, 'val/nothing', frames)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('no image summaries tagged "val/nothing"') });
  expect(existsSync(join(run, 'val_nothing_evolution.gif'))).toBe(false);
  expect(tagFileName('a/b c//d')).toBe('a_b_c_d');
});
