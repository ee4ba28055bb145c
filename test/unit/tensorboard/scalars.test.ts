// TensorBoard event files that Lightning, PyTorch and tensorboardX wrote
// (../shared/real-producers/lightning; expected.json holds what tensorboard's own
// EventAccumulator reads back, its README what TensorBoard's servers show).
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RecordReader, maskedCrc } from '../../../src/domain/tensorboard/records';
import { readHparamsYaml, readMetricsCsv } from '../../../src/domain/tensorboard/runFiles';
import { ScalarRun, findScalarRuns, type ScalarSeries } from '../../../src/domain/tensorboard/scalars';
import { MemorySource } from '../../../src/domain/artifacts/source';
import { realProducer, tempDir } from '../helpers';

const LIGHTNING = realProducer('lightning');
const EXPECTED = JSON.parse(readFileSync(join(LIGHTNING, 'expected.json'), 'utf8')) as Record<string, { file: string; records: number; scalars: Record<string, Stat>; tensors: Record<string, TensorStat> }[]>;
interface Stat { count: number; first_step: number; last_step: number; first: { double: number }; last: { double: number }; min: { double: number }; max: { double: number } }
interface TensorStat { count: number; first_step: number; last_step: number; first?: number; last?: number; min?: number; max?: number; dtype: number; plugin: string }

const summary = (s: ScalarSeries) => {
  let min = Infinity, max = -Infinity;
  for (const v of s.values) { min = Math.min(min, v); max = Math.max(max, v); }
  return { count: s.steps.length, first_step: s.steps[0], last_step: s.steps.at(-1), first: s.values[0], last: s.values.at(-1), min, max };
};

describe('every scalar of the real runs, as tensorboard\'s EventAccumulator reads them', () => {
  for (const run of ['lightning_logs/version_0', 'lightning_logs/version_1', 'tensorboardX/run_a', 'tensorboardX/run_a/losses/train', 'tensorboardX/run_a/losses/val', 'tensorboardX/run_a/1796152338.6529863']) {
    test(run, async () => {
      const r = new ScalarRun(join(LIGHTNING, run));
      await r.update();
      const [file] = EXPECTED[run];
      expect(r.eventFiles.map((f) => [f.records, f.skipped, f.partial, f.error])).toEqual([[file.records, 0, false, undefined]]);
      // simple_value scalars, and the scalar tensors of the scalars plugin (float and double).
      const want = { ...Object.fromEntries(Object.entries(file.scalars).map(([t, s]) => [t, { count: s.count, first_step: s.first_step, last_step: s.last_step, first: s.first.double, last: s.last.double, min: s.min.double, max: s.max.double }])),
        ...Object.fromEntries(Object.entries(file.tensors).filter(([, t]) => t.plugin === 'scalars' && t.first !== undefined).map(([tag, t]) => [tag, { count: t.count, first_step: t.first_step, last_step: t.last_step, first: t.first, last: t.last, min: t.min, max: t.max }])) };
      expect(Object.fromEntries(r.tags().map((t) => [t, summary(r.get(t, 'all')!)]))).toEqual(want);
    });
  }

  test('PyTorch\'s double-precision scalars keep every digit (TensorBoard\'s fast loader drops them)', async () => {
    const r = new ScalarRun(join(LIGHTNING, 'lightning_logs', 'version_1'));
    await r.update();
    const f64 = r.get('extra/val_loss_tensor_f64')!;
    expect([f64.values[0], f64.values.at(-1)]).toEqual([2.3440382852217523, 1.638959619567511]);
    expect(r.get('extra/val_loss_simple')!.values[0]).toBe(2.344038248062134); // float32, widened
  });
});

test('a restarted job: everything written, restarts marked, and the series TensorBoard shows', async () => {
  const r = new ScalarRun(join(LIGHTNING, 'restarted_job', 'version_0'));
  await r.update();
  const all = r.get('train/loss', 'all')!;
  expect(all.steps.length).toBe(51 + 55);
  expect(all.restarts).toEqual([51]);
  expect([all.steps[50], all.steps[51]]).toEqual([509, 259]);
  const tb = r.get('train/loss')!;
  expect([tb.steps.length, tb.steps[0], tb.steps.at(-1)]).toEqual([80, 9, 799]);
  const at = (s: number) => tb.values[Array.from(tb.steps).indexOf(s)];
  // README: from step 259 on the values are the second file's (259 → 1.729127, 509 → 1.596599).
  expect(at(259)).toBeCloseTo(1.729127, 5);
  expect(at(509)).toBeCloseTo(1.596599, 5);
});

test('a file cut mid-record: every complete record read, the rest read when it arrives', async () => {
  const source = join(LIGHTNING, 'lightning_logs', 'version_0', 'events.out.tfevents.1796152329.vm.17058.0');
  for (const cut of ['mid_data', 'mid_header']) {
    const dir = tempDir();
    const path = join(dir, 'events.out.tfevents.1796152329.vm.17058.0');
    copyFileSync(join(LIGHTNING, 'still_writing', cut, 'events.out.tfevents.1796152329.vm.17058.0'), path);
    const r = new ScalarRun(dir);
    await r.update();
    expect(r.eventFiles.map((f) => [f.records, f.partial])).toEqual([[664, true]]);
    expect(r.get('epoch', 'all')!.steps.length).toBe(219);
    // The writer finishes the record: only the new bytes are read, and the last point appears.
    const full = readFileSync(source);
    appendFileSync(path, full.subarray(readFileSync(path).length));
    expect(await r.update()).toBe(true);
    expect(r.eventFiles.map((f) => [f.records, f.partial])).toEqual([[665, false]]);
    const epoch = r.get('epoch', 'all')!;
    expect([epoch.steps.length, epoch.steps.at(-1), epoch.values.at(-1)]).toEqual([220, 1999, 19]);
  }
});

test('a bad data CRC skips that record and counts it; a bad length CRC stops with a typed error naming the file', async () => {
  const bytes = new Uint8Array(readFileSync(join(LIGHTNING, 'lightning_logs', 'version_0', 'events.out.tfevents.1796152329.vm.17058.0')));
  const bad = bytes.slice();
  bad[12 + 5] ^= 0xff; // inside record 0's data
  const r = new RecordReader('f');
  const batch = await r.read(new MemorySource('f', bad));
  expect([batch.records.length, batch.skipped]).toEqual([664, 1]);
  const worse = bytes.slice();
  worse[2] ^= 0xff; // record 0's length
  await expect(new RecordReader('f').read(new MemorySource('f', worse))).rejects.toMatchObject({ code: 'inconsistent', message: expect.stringMatching(/^f: record at byte 0: its length fails its CRC/) });
  expect(maskedCrc(new Uint8Array(0))).toBe(((0 >>> 15 | 0 << 17) + 0xa282ead8) >>> 0);
});

test('runs are the folders holding event files (sub-runs included, as TensorBoard lists them) or a metrics.csv', async () => {
  const runs = (await findScalarRuns(LIGHTNING)).map((d) => d.slice(LIGHTNING.length + 1));
  expect(runs).toEqual(['csv_logs/version_0', 'lightning_logs/version_0', 'lightning_logs/version_1', 'restarted_job/version_0', 'still_writing/mid_data', 'still_writing/mid_header', 'tensorboardX/run_a', 'tensorboardX/run_a/1796152338.6529863', 'tensorboardX/run_a/losses/train', 'tensorboardX/run_a/losses/val']);
});

describe('the run\'s other scalar sources', () => {
  test('CSVLogger\'s metrics.csv: a series per column, the same values as the event file', async () => {
    const { series, skipped, partialLast } = await readMetricsCsv(join(LIGHTNING, 'csv_logs', 'version_0', 'metrics.csv'));
    const by = Object.fromEntries(series.map((s) => [s.tag, s]));
    expect(Object.keys(by).sort()).toEqual(['epoch', 'lr-AdamW', 'train/loss', 'val/acc', 'val/loss']);
    expect([skipped, partialLast]).toEqual([0, false]);
    // README: first train row 0,,9,3.667684316635132,, ; last val row …,0.6225000023841858,1.6432057619094849
    expect([by['train/loss'].steps.length, by['train/loss'].steps[0], by['train/loss'].values[0]]).toEqual([200, 9, 3.667684316635132]);
    expect([by['val/acc'].values.at(-1), by['val/loss'].values.at(-1)]).toEqual([0.6225000023841858, 1.6432057619094849]);
    const tb = new ScalarRun(join(LIGHTNING, 'lightning_logs', 'version_0'));
    await tb.update();
    expect(Array.from(by['train/loss'].values)).toEqual(Array.from(tb.get('train/loss')!.values));
  });

  test('a half-written last line is left for later; a file without a step column is a typed error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'metrics.csv'), 'epoch,step,train/loss\n0,9,1.5\n0,19,1.');
    const r = await readMetricsCsv(join(dir, 'metrics.csv'));
    expect([r.partialLast, r.series.find((s) => s.tag === 'train/loss')!.values]).toEqual([true, Float64Array.from([1.5])]);
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n');
    await expect(readMetricsCsv(join(dir, 'bad.csv'))).rejects.toMatchObject({ code: 'bad_header', message: expect.stringContaining("bad.csv: metrics.csv has no 'step' column") });
  });

  test('a CSVLogger folder is a run of its own: metrics.csv columns are its tags, hparams.yaml its hparams', async () => {
    const run = new ScalarRun(join(LIGHTNING, 'csv_logs', 'version_0'));
    expect(await run.update()).toBe(true);
    expect(run.tags()).toEqual(['epoch', 'lr-AdamW', 'train/loss', 'val/acc', 'val/loss']);
    expect(run.sourceOf('train/loss')).toBe('csv');
    expect(run.get('val/loss')!.values.at(-1)).toBe(1.6432057619094849);
    expect(Number.isNaN(run.get('val/loss')!.wallTimes[0])).toBe(true); // the CSV has no times: none are made up
    expect(Object.fromEntries(run.hparams.values)).toMatchObject({ hidden: 32, lr: 0.001, weight_decay: 0.01 });
    expect(run.csvFile).toMatchObject({ skipped: 0, partial: false });
    expect(await run.update()).toBe(false); // unchanged files are not read again
  });

  test('the hparams plugin\'s session_start_info gives the hparams add_hparams wrote', async () => {
    const run = new ScalarRun(join(LIGHTNING, 'tensorboardX', 'run_a', '1796152338.6529863'));
    await run.update();
    expect(run.tags()).toEqual(['hparam/accuracy', 'hparam/loss']);
    const hp = Object.fromEntries(run.hparams.values);
    expect(Object.keys(hp).length).toBeGreaterThan(0);
    expect(hp).toEqual({ lr: 0.01, batch_size: 64, optimizer: 'adam', amsgrad: true }); // make_lightning_runs.py's add_hparams
    const lightning = new ScalarRun(join(LIGHTNING, 'lightning_logs', 'version_1'));
    await lightning.update();
    expect(Object.fromEntries(lightning.hparams.values)).toMatchObject({ hidden: 48, lr: 0.003, weight_decay: 0.05 });
  });

  test('deltas: the points written since a cursor, then nothing; a growing file adds only its new points', async () => {
    const dir = tempDir();
    const src = readFileSync(join(LIGHTNING, 'lightning_logs', 'version_0', 'events.out.tfevents.1796152329.vm.17058.0'));
    const file = join(dir, 'events.out.tfevents.1796152329.vm.17058.0');
    writeFileSync(file, src.subarray(0, 20_000));
    const run = new ScalarRun(dir);
    await run.update();
    const sent = new Map<string, number>();
    const first = run.delta(sent);
    for (const d of first) sent.set(d.tag, d.from + d.steps.length);
    expect(run.delta(sent)).toEqual([]);
    const before = sent.get('train/loss')!;
    writeFileSync(file, src);
    expect(await run.update()).toBe(true);
    const next = run.delta(sent).find((d) => d.tag === 'train/loss')!;
    expect([next.from, next.from + next.steps.length]).toEqual([before, 200]);
    expect(next.values.at(-1)).toBe(Math.fround(1.2347832));
  });

  test('hparams.yaml, typed as YAML reads it', async () => {
    expect(await readHparamsYaml(join(LIGHTNING, 'lightning_logs', 'version_1', 'hparams.yaml'))).toEqual([
      ['extras', true], ['hidden', 48], ['lr', 0.003], ['total_steps', 2000], ['warmup_steps', 100], ['weight_decay', 0.05],
    ]);
    const ace = Object.fromEntries(await readHparamsYaml(realProducer('acestep', 'trainer', 'lightning_logs', '2026-12-01_19-19-48lora_experiment', 'hparams.yaml')));
    expect([ace.learning_rate, ace.checkpoint_dir, ace.train, ace.timestep_densities_type]).toEqual([0.0001, null, true, 'logit_normal']);
  });
});

describe('media in the event files', () => {
  test('version_1\'s images, audio, histograms and text: every step, the bytes where the file holds them', async () => {
    const { decodePng } = await import('../../../src/domain/artifacts/png');
    const { readWavInfoFrom, readWavFrames } = await import('../../../src/domain/artifacts/wav');
    const dir = join(LIGHTNING, 'lightning_logs', 'version_1');
    const run = new ScalarRun(dir);
    await run.update();
    const media = Object.fromEntries(run.media().map((m) => [m.tag, m]));
    // README: extras at steps 100, 1000, 2000 (written with self.global_step).
    expect(Object.keys(media).sort()).toEqual(['notes/text_summary', 'val/reconstruction', 'val/tone', 'weights/dec.0.weight', 'weights/dec.2.weight', 'weights/enc.0.weight', 'weights/enc.2.weight', 'weights/head.weight']);
    for (const m of Object.values(media)) expect(m.entries.map((e) => e.step)).toEqual([100, 1000, 2000]);
    const file = readFileSync(join(dir, 'events.out.tfevents.1796152331.vm.17058.1'));
    const img = media['val/reconstruction'];
    expect(img.kind).toBe('image');
    for (const e of img.entries) {
      expect([e.image!.width, e.image!.height]).toEqual([64, 64]);
      const png = decodePng(file.subarray(e.offset!, e.offset! + e.length!), 'reconstruction.png');
      expect([png.width, png.height]).toEqual([64, 64]);
    }
    const tone = media['val/tone'];
    expect(tone.entries[0].audio).toEqual({ sampleRate: 16000, channels: 1, frames: 16000, contentType: 'audio/wav' });
    for (const [k, e] of tone.entries.entries()) {
      expect(e.length).toBe(32_044);
      const wav = file.subarray(e.offset!, e.offset! + e.length!);
      const src = new MemorySource('tone.wav', wav);
      const info = await readWavInfoFrom(src);
      expect([info.sampleRate, info.channels, info.frames]).toEqual([16000, 1, 16000]);
      // 220 / 418 / 638 Hz: count zero crossings over the second.
      const [samples] = await readWavFrames(src, info);
      let crossings = 0;
      for (let i = 1; i < samples.length; i++) if ((samples[i - 1] < 0) !== (samples[i] < 0)) crossings++;
      expect(Math.round(crossings / 2)).toBeCloseTo([220, 418, 638][k], -1);
    }
    const h = media['weights/enc.0.weight'].entries[0].histogram!;
    expect(h.limits.length).toBe(h.counts.length);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(h.num);
    expect(h.min).toBeLessThan(h.max);
    expect(media['notes/text_summary'].entries.every((e) => e.kind === 'text' && e.text!.length > 0)).toBe(true);
  });
});
