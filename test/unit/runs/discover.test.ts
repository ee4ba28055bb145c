import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { classifyFolder, discoverRuns, runDisplayName } from '../../../src/domain/runs/discover';
import { FIXTURE_WORKSPACE, tempDir } from '../helpers';

function ringHeader(magic = 'AUDITAB!', size = 4096 + 8 * 16): Buffer {
  const buf = Buffer.alloc(size);
  buf.write(magic, 0, 'latin1');
  return buf;
}

describe('discoverRuns', () => {
  test('finds each producer layout in the real-format fixture workspace', async () => {
    const { runs, warnings } = await discoverRuns([FIXTURE_WORKSPACE]);
    expect(warnings).toEqual([]);
    expect(runs.map((r) => [r.name, r.kind])).toEqual([
      ['latents', 'latents'],
      ['lightning_logs/version_0', 'lightning'],
      ['arc_run', 'episodes'],
    ]);
    for (const run of runs) {
      expect(run.root).toBe(FIXTURE_WORKSPACE);
      expect(run.modifiedMs).toBeGreaterThan(0);
    }
  });

  test('the folder holding viz_snapshots/ is the run (the seed\'s <run_name>/ layout)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'exp', 'viz_snapshots'), { recursive: true });
    writeFileSync(join(dir, 'exp', 'viz_snapshots', 'viz_step_50_pacmap.png'), '');
    const { runs } = await discoverRuns([dir]);
    expect(runs).toEqual([expect.objectContaining({ kind: 'lightning', name: 'exp', path: join(dir, 'exp') })]);
  });

  test('viz_step files in a folder of their own are a snapshots run, also when it is the root', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'copied_snaps'));
    writeFileSync(join(dir, 'copied_snaps', 'viz_step_50_embeddings.npz'), '');
    expect((await discoverRuns([dir])).runs).toEqual([expect.objectContaining({ kind: 'snapshots', name: 'copied_snaps' })]);
    expect((await discoverRuns([join(dir, 'copied_snaps')])).runs).toEqual([expect.objectContaining({ kind: 'snapshots', path: join(dir, 'copied_snaps') })]);
  });

  test('galleries of UUID images, clip folders and step-numbered image series', async () => {
    const layouts = join(__dirname, '..', '..', 'fixtures', 'layouts');
    const { runs } = await discoverRuns([layouts]);
    expect(runs.map((r) => [r.name, r.kind])).toEqual([
      ['character_reference', 'gallery'],
      ['renders', 'series'],
      ['videos', 'clips'],
    ]);
  });

  test('one step-numbered image is not a series', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'frame_1.png'), '');
    expect((await discoverRuns([dir])).runs).toEqual([]);
  });

  test('recognises a ring buffer by its magic bytes, not its name', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'audiotab_ringbuf'), ringHeader());
    writeFileSync(join(dir, 'not_a_ring'), ringHeader('NOTMAGIC'));
    writeFileSync(join(dir, 'short_ring'), Buffer.from('AUDITAB!')); // shorter than the header
    const { runs } = await discoverRuns([dir]);
    expect(runs.map((r) => [r.name, r.kind])).toEqual([['audiotab_ringbuf', 'ringbuffer']]);
  });

  test('a ring buffer file can itself be a root', async () => {
    const dir = tempDir();
    const file = join(dir, 'ring.bin');
    writeFileSync(file, ringHeader());
    const { runs } = await discoverRuns([file]);
    expect(runs).toEqual([expect.objectContaining({ path: file, kind: 'ringbuffer' })]);
  });

  test('skips node_modules, .git and virtual environments', async () => {
    const dir = tempDir();
    for (const skip of ['node_modules', '.git', '.venv', 'venv']) {
      mkdirSync(join(dir, skip, 'run', 'viz_snapshots'), { recursive: true });
      writeFileSync(join(dir, skip, 'run', 'hparams.yaml'), '');
    }
    expect((await discoverRuns([dir])).runs).toEqual([]);
  });

  test('terminates on a symlink loop and still finds the run once', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a', 'run1'), { recursive: true });
    writeFileSync(join(dir, 'a', 'run1', 'hparams.yaml'), '');
    symlinkSync(dir, join(dir, 'a', 'loop'));
    symlinkSync(join(dir, 'a'), join(dir, 'again'));
    const { runs } = await discoverRuns([dir]);
    expect(runs.map((r) => r.kind)).toEqual(['lightning']);
  });

  test('respects the depth limit', async () => {
    const dir = tempDir();
    const deep = join(dir, 'd1', 'd2', 'd3', 'd4');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'hparams.yaml'), '');
    expect((await discoverRuns([dir], { maxDepth: 3 })).runs).toEqual([]);
    expect((await discoverRuns([dir], { maxDepth: 4 })).runs).toHaveLength(1);
  });

  test('stops at the entry limit with one warning', async () => {
    const dir = tempDir();
    for (let i = 0; i < 30; i++) mkdirSync(join(dir, `f${i}`, 'x'), { recursive: true });
    const { warnings } = await discoverRuns([dir], { maxEntries: 40 });
    expect(warnings).toEqual(['stopped after 40 entries; add a narrower run root to see more']);
  });

  test('a missing root is a warning naming it, not an exception', async () => {
    const result = await discoverRuns(['/definitely/not/here']);
    expect(result).toEqual({ runs: [], warnings: ['run root not found: /definitely/not/here'] });
  });
});

describe('classifyFolder', () => {
  const f = (name: string, isDir = false) => ({ name, isDir });
  test.each([
    [[f('hparams.yaml')], 'lightning'],
    [[f('events.out.tfevents.1.host.1.0')], 'lightning'],
    [[f('checkpoints', true)], 'lightning'],
    [[f('viz_step_100_embeddings.npz')], 'snapshots'],
    [[f('episode_0003', true)], 'episodes'],
    [[f('0b1e8d8c-2b43-4c59-9d0a-8f1f5b0b7a11.safetensors')], 'latents'],
    [[f('viz_latest_pacmap.png')], undefined],
    [[f('episode_0003')], undefined], // a file, not a folder
    [[f('model.safetensors')], undefined], // not a UUID name
    [[f('0b1e8d8c-2b43-4c59-9d0a-8f1f5b0b7a11.webp')], 'gallery'],
    [[f('clip.mov')], 'clips'],
    [[f('step_1.png'), f('step_2.png')], 'series'],
    [[f('viz_step_5_pacmap.png'), f('pacmap_evolution.webm')], 'snapshots'], // its animation is not a clip folder
  ])('%j → %s', (entries, kind) => {
    expect(classifyFolder(entries)).toBe(kind);
  });
});

test('runDisplayName gives generic folder names their parent', () => {
  expect(runDisplayName('/x/lightning_logs/version_3')).toBe('lightning_logs/version_3');
  expect(runDisplayName('/x/exp/viz_snapshots')).toBe('exp/viz_snapshots');
  expect(runDisplayName('/x/my-run')).toBe('my-run');
});
