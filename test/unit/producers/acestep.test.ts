// The ACE-Step trainer's real output under ACETRAINER-UI (../shared/real-producers/acestep,
// FORMATS.md): the UI's snapshot folder joins the trainer's, eval samples are counted by key,
// snapshot rows are matched across steps by their metadata (the buffer rolls), a space that
// is not projected yet keeps its place, and colours come from fields that exist.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findFrames } from '../../../src/domain/animation/frames';
import { renderNpzFrames } from '../../../src/domain/animation/npzFrames';
import { readPng } from '../../../src/domain/artifacts/png';
import { identityKeys, linkKeys, readSnapshot } from '../../../src/domain/embeddings/snapshot';
import { listSnapshotSteps, metadataObjects, readStep, readTrail, RowIds, TimelineGeometry } from '../../../src/domain/embeddings/timeline';
import { discoverRuns } from '../../../src/domain/runs/discover';
import { summarizeRun } from '../../../src/domain/runs/summarize';
import { autoColourField } from '../../../src/protocol/embeddings';
import { realProducer, tempDir } from '../helpers';

const logs = (variant: string) => realProducer('acestep', variant, 'lightning_logs');
const UI = '2026-12-01_19-19-45lora_experiment';
const TRAINER = '2026-12-01_19-19-48lora_experiment';
const snaps = (variant: string) => join(logs(variant), UI, 'viz_snapshots');

describe('one training run, two sibling folders', () => {
  test.each(['trainer', 'trainer_desync', 'trainer_longrun'])('%s: the UI folder joins the trainer folder', async (variant) => {
    const { runs } = await discoverRuns([logs(variant)]);
    expect(runs.map((r) => [r.path, r.kind])).toEqual([[join(logs(variant), TRAINER), 'lightning']]);
    expect(runs[0].joined).toEqual([{ path: join(logs(variant), UI), why: expect.stringContaining('3 s before the trainer started logging here') }]);
  });

  test('the Run Overview lists snapshots, eval audio by sample key and checkpoints, and says it joined', async () => {
    const { runs } = await discoverRuns([logs('trainer')]);
    const s = await summarizeRun(runs[0]);
    const byKind = Object.fromEntries(s.groups.map((g) => [g.kind, g]));
    expect(byKind.snapshots).toMatchObject({ count: 4, detail: 'steps 12–49, latest 49', path: snaps('trainer') });
    expect(byKind.evalSteps.items!.map((i) => [i.label, i.detail])).toEqual([['step 0', '4 samples · 8 WAVs'], ['step 25', '4 samples · 8 WAVs']]);
    expect(byKind.checkpoints.items!.map((i) => i.label)).toEqual(['epoch=2-step=25_lora', 'epoch=2-step=25.ckpt', 'epoch=4-step=50_lora', 'epoch=4-step=50.ckpt']);
    expect(s.notes).toEqual([expect.stringMatching(/^Joined: 2026-12-01_19-19-45lora_experiment\/viz_snapshots is this run's: ACE-Step's UI made that folder for experiment "lora_experiment" 3 s before/)]);
  });

  test('folders of other experiments, or minutes apart, stay separate runs', async () => {
    const { cpSync, mkdirSync, writeFileSync } = await import('node:fs');
    const root = tempDir();
    cpSync(join(logs('trainer'), UI), join(root, '2026-12-01_19-19-45other_experiment'), { recursive: true });
    mkdirSync(join(root, '2026-12-01_19-29-48other_experiment'));
    writeFileSync(join(root, '2026-12-01_19-29-48other_experiment', 'hparams.yaml'), 'lr: 1\n');
    const { runs } = await discoverRuns([root]);
    expect(runs.map((r) => [r.name, r.joined])).toEqual([['2026-12-01_19-19-45other_experiment', undefined], ['2026-12-01_19-29-48other_experiment', undefined]]);
  });
});

describe('snapshots of a rolling buffer', () => {
  test('a space not projected yet, and a stale projection, keep their panel and say why', async () => {
    const steps = await listSnapshotSteps(snaps('trainer_desync'));
    expect(steps.map((s) => s.step)).toEqual([6, 12, 18, 24]);
    const at6 = await readStep(steps[0].snapshot!);
    expect(at6.spaces.map((s) => [s.name, s.x.length, s.note])).toEqual([['latent', 0, 'not projected yet at this step'], ['lora', 50, undefined], ['prompt', 0, 'not projected yet at this step']]);
    const at18 = await readStep(steps[2].snapshot!);
    expect(at18.spaces.map((s) => [s.name, s.x.length, s.note])).toEqual([
      ['latent', 0, 'projection is stale (50 of 75 rows projected); not shown at this step'], ['lora', 150, undefined], ['prompt', 0, 'projection is stale (50 of 75 rows projected); not shown at this step'],
    ]);
  });

  test('colour by a field that exists and tells points apart', async () => {
    const spaces = await readSnapshot(join(snaps('trainer_desync'), 'viz_step_24_embeddings.npz'), []);
    // latent: loss is null everywhere, so step; lora: two layers; prompt: its text.
    expect(spaces.map((s) => [s.name, autoColourField(s.fields)])).toEqual([['latent', 'step'], ['lora', 'layer_name'], ['prompt', 'prompt_text']]);
    const one = await readSnapshot(join(snaps('trainer'), 'viz_step_49_embeddings.npz'), []);
    expect(one.map((s) => autoColourField(s.fields))).toEqual(['step', 'step', 'prompt_text']); // one LoRA layer: step tells more
  });

  test('rows are matched by metadata, not index: the full buffer shifts 50 rows per update', async () => {
    const dir = snaps('trainer_longrun');
    const [k262, k274] = await Promise.all(['262', '274'].map(async (s) => (await readSnapshot(join(dir, `viz_step_${s}_embeddings.npz`), [], { fields: false }))[0].keys!));
    expect(k274.length).toBe(1000);
    expect(k274[0]).toBe(k262[50]);
    expect(k274[0]).not.toBe(k262[0]);
    // A repeat is a row of its own; the same rows get the same keys in every snapshot.
    const keys = identityKeys(['{"a":1}', '{"a":1}', '{"a":2}']);
    expect(new Set(keys).size).toBe(3);
    expect(identityKeys(['{"a":2}', '{"a":1}', '{"a":1}'])).toEqual([keys[2], keys[0], keys[1]]);
    // No text can pass for another's repeat, however it is spelt.
    const hostile = identityKeys(['x', 'x', '\u00001\u0000x', '\u0000', '\u0000']);
    expect(new Set(hostile).size).toBe(5);
  });

  test('alignment and trails follow the same rows across the roll', async () => {
    const steps = await listSnapshotSteps(snaps('trainer_longrun'));
    const g = new TimelineGeometry();
    for (const s of steps) await g.add(s.step, s.snapshot!);
    expect(g.warnings).toEqual([]);
    const last = steps.at(-1)!, prev = steps.at(-2)!;
    const { spaces, off } = await readTrail([prev, last], last, { latent: [0, 10], lora: [0, 10], prompt: [0, 10] }, g);
    expect(off).toEqual([]);
    const latent = spaces.find((s) => s.name === 'latent')!;
    // Row 0 of step 274 is row 50 of step 262: its trail point there is that row, aligned.
    const at262 = await readStep(prev.snapshot!, g.alignmentsOf(prev.step));
    const lat262 = at262.spaces.find((s) => s.name === 'latent')!;
    expect([latent.x[0], latent.y[0]]).toEqual([lat262.x[50], lat262.y[50]]);
    expect([latent.x[1], latent.y[1]]).toEqual([lat262.x[60], lat262.y[60]]);
  });

  test('spaces are linked by sample: the LoRA space of two hooked layers has two rows per latent row', async () => {
    const snapshot = join(snaps('trainer_desync'), 'viz_step_24_embeddings.npz');
    const { spaces } = await readStep(snapshot, undefined, new RowIds());
    const [latent, lora, prompt] = ['latent', 'lora', 'prompt'].map((n) => spaces.find((s) => s.name === n)!);
    expect([latent.links!.length, lora.links!.length, prompt.links!.length]).toEqual([100, 200, 100]);
    // The trainer logs each step's batch in the same order in every space; LoRA once per layer.
    expect(Array.from(prompt.links!)).toEqual(Array.from(latent.links!));
    const count = new Map<number, number>();
    for (const l of lora.links!) count.set(l, (count.get(l) ?? 0) + 1);
    expect([...count.keys()].sort((a, b) => a - b)).toEqual(Array.from(latent.links!).sort((a, b) => a - b));
    expect(new Set(count.values())).toEqual(new Set([2]));
    // Rows 0 and 10 of latent and their samples' rows in lora (both layers, two each): a trail
    // follows each space's rows.
    const steps = await listSnapshotSteps(snaps('trainer_desync'));
    const at = steps.find((s) => s.step === 24)!, before = steps.find((s) => s.step === 18)!;
    const samples = new Set([latent.links![0], latent.links![10]]);
    const loraRows = Array.from(lora.links!.keys()).filter((j) => samples.has(lora.links![j]));
    const { spaces: trail } = await readTrail([before, at], at, { latent: [0, 10], lora: loraRows, prompt: [0, 10] }, undefined);
    const rows = (name: string) => { const t = trail.find((s) => s.name === name)!; return t.x.length / t.steps.length; };
    expect([rows('latent'), rows('lora'), rows('prompt')]).toEqual([2, 4, 2]);
    // Metadata without sample ids links nothing (rows pair by number, as before).
    const links = (values: string[]) => linkKeys(metadataObjects(values));
    expect(links(['{"step": 1}', '{"step": 1}'])).toBeUndefined();
    expect(links(['not json'])).toBeUndefined();
    // The k-th row of a sample in each layer is one link; a second row in a layer is another.
    const l = links(['{"step": 0, "sample_id": "s0"}', '{"step": 0, "sample_id": "s0", "layer_name": "b0"}', '{"step": 0, "sample_id": "s0", "layer_name": "b1"}', '{"step": 0, "sample_id": "s0", "layer_name": "b0"}'])!;
    expect([l[1], l[2]]).toEqual([l[0], l[0]]);
    expect(l[3]).not.toBe(l[0]);
    // Steps and ids of other types or spellings are other samples.
    const other = links(['{"step": 0, "sample_id": "s0"}', '{"step": "0", "sample_id": "s0"}', '{"step": 0, "sample_id": 0}', '{"step": 0, "sample_id": "0"}', '{"sample_id": "s0"}', '{"step": 0, "sample_id": "s0\\u0000"}'])!;
    expect(new Set(other).size).toBe(6);
    expect(links(['{"step": null, "sample_id": "s0"}'])).toEqual([other[4]]);
  });

  test('Create Animation from the real snapshots: every space in its own place each frame, coloured', async () => {
    const set = await findFrames(snaps('trainer_desync'));
    const out = tempDir();
    const r = await renderNpzFrames(set.frames, out, { width: 900, height: 300 });
    expect(r.frames.map((f) => f.step)).toEqual([6, 12, 18, 24]);
    expect(readdirSync(out).filter((n) => n.endsWith('.png'))).toHaveLength(4);
    // Count coloured pixels (not grey or white) in each third: latent, lora, prompt.
    const coloured = async (path: string) => {
      const { width, height, data } = await readPng(path);
      const counts = [0, 0, 0];
      for (let y = 60; y < height - 30; y++) for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 40) counts[Math.min(2, Math.floor(x / (width / 3)))]++;
      }
      return counts;
    };
    const first = await coloured(r.frames[0].path);
    expect(first[0]).toBe(0); // latent not projected at step 6
    expect(first[1]).toBeGreaterThan(50); // lora coloured by layer
    expect(first[2]).toBe(0);
    const last = await coloured(r.frames[3].path);
    expect(last.every((c) => c > 50)).toBe(true);
  });
});
