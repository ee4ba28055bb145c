import { describe, expect, test } from 'vitest';
import { runCli } from '../../../src/cli/main';
import { join } from 'node:path';
import { FIXTURE_WORKSPACE, realProducer, tempDir } from '../helpers';

async function cli(...argv: string[]) {
  let out = '', err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: FIXTURE_WORKSPACE });
  return { code, out, err };
}

describe('runreel CLI', () => {
  test('--version prints the package version', async () => {
    const { version } = await import('../../../package.json');
    expect(await cli('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
    expect(JSON.parse((await cli('--version', '--json')).out)).toEqual({ name: 'runreel', version });
  });

  test('--help lists usage and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^runreel \d+\.\d+\.\d+ — /);
    expect(r.out).toContain('runreel scan [DIR...] [--json]');
  });

  test.each([
    [['frobnicate'], 'usage', "unknown command 'frobnicate'; see runreel --help"],
    [['--frob'], 'usage', 'unknown option --frob; see runreel --help'],
    [[], 'usage', 'no command given; see runreel --help'],
    [['scan', '/no/such/dir'], 'not_found', 'run root not found: /no/such/dir'],
  ])('%j fails with exit 2 and a message on stderr only', async (argv, code, message) => {
    const plain = await cli(...argv);
    expect(plain).toEqual({ code: 2, out: '', err: `runreel: ${message}\n` });
    const json = await cli(...argv, '--json');
    expect(json.code).toBe(2);
    expect(json.out).toBe('');
    expect(JSON.parse(json.err)).toEqual({ error: { code, message } });
  });

  test('scan --json reports every run with its groups', async () => {
    const r = await cli('scan', '.', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    expect(data.roots).toEqual([FIXTURE_WORKSPACE]);
    expect(data.runs.map((s: { run: { kind: string } }) => s.run.kind)).toEqual(['latents', 'lightning', 'episodes']);
    expect(data.runs[1].groups.map((g: { kind: string }) => g.kind)).toEqual(['scalars', 'snapshots', 'evalSteps', 'checkpoints']);
    expect(data.runs[1].groups[1]).toMatchObject({ kind: 'snapshots', count: 3, detail: 'steps 50–150, latest 150' });
  });

  test('scan prints a readable listing', async () => {
    const r = await cli('scan');
    expect(r.code).toBe(0);
    expect(r.out).toContain('lightning_logs/version_0  (training run)\n');
    expect(r.out).toContain('  Embedding snapshots: 3  steps 50–150, latest 150\n');
  });
});

describe('runreel inspect', () => {
  const formats = '../formats';
  test('an npz snapshot: members, shapes, metadata keys and stats', async () => {
    const r = await cli('inspect', 'lightning_logs/version_0/viz_snapshots/viz_step_50_embeddings.npz', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    expect(data.kind).toBe('npz');
    const meta = data.members.find((m: { key: string }) => m.key === 'latent_metadata');
    expect(meta).toMatchObject({ shape: [60], dtype: '|O', metadataKeys: ['step', 'label', 'prompt', 'sample_idx', 'loss'] });
    const emb = data.members.find((m: { key: string }) => m.key === 'latent_embeddings');
    expect(emb).toMatchObject({ shape: [60, 8], dtype: '<f4', stats: { count: 480, nan: 0 } });
  });

  test('safetensors: tensors, metadata and per-dtype totals in text', async () => {
    const r = await cli('inspect', `${formats}/safetensors/dtypes.safetensors`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('safetensors: 16 tensors');
    expect(r.out).toContain('__metadata__ format = pt');
    expect(r.out).toContain('t_bf16: BF16 [2, 3]  min -2.5000  max 65280');
    expect(r.out).toContain('total F32: 2 tensors, 24 bytes');
  });

  test('a WAV, a PNG, a ring buffer, an episode log and a latent record', async () => {
    expect((await cli('inspect', `${formats}/wav/pcm24.wav`)).out).toContain('WAV RIFF pcm 24-bit, 2 ch, 8000 Hz, 400 frames');
    expect((await cli('inspect', `${formats}/png/rgba16_interlaced.png`)).out).toContain('PNG 9×7, 16-bit, colour type 6, interlaced');
    expect((await cli('inspect', `${formats}/ring/ring.bin`)).out).toContain('ring buffer v1: 2 ch × 1000 samples at 8000 Hz');
    const ep = JSON.parse((await cli('inspect', 'outputs/episodes/arc_run/episode_0000/episode_0000_20251121_044000.json', '--json')).out);
    expect(ep).toMatchObject({ kind: 'episode_log', episodeNum: 0, steps: 4, reduced: false });
    const lat = JSON.parse((await cli('inspect', 'latents/c1586bd6-4803-4942-a471-fb1b63ea694c.json', '--json')).out);
    expect(lat).toMatchObject({ kind: 'latent_record', dtype: 'bfloat16', pinned: false });
  });

  test('a hostile file: exit 2 and the reader\'s code', async () => {
    const r = await cli('inspect', `${formats}/npy/object_evil.npy`, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err).error.code).toBe('pickle_rejected');
  });

  test('inspect needs exactly one file', async () => {
    expect(await cli('inspect')).toMatchObject({ code: 2, err: 'runreel: inspect takes one FILE; see runreel --help\n' });
  });
});

describe('runreel animate and stitch', () => {
  test('animate a fixture run to a chosen folder, as JSON', async () => {
    const { tempDir } = await import('../helpers');
    const out = tempDir();
    const r = await cli('animate', 'lightning_logs/version_0', '--gif', '--out', out, '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    expect(data).toMatchObject({ frames: 3, source: 'images', gif: { path: `${out}/pacmap_evolution.gif` } });
    expect(data.webm).toBeUndefined();
  });

  test('animate: bad --fps and a folder without frames are errors with codes', async () => {
    expect(JSON.parse((await cli('animate', 'lightning_logs/version_0', '--fps', 'fast', '--json')).err).error.code).toBe('usage');
    const r = await cli('animate', 'latents', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err).error).toMatchObject({ code: 'too_few_frames' });
  });

  test('stitch needs --out with a video extension', async () => {
    expect((await cli('stitch', 'clips')).err).toBe('runreel: stitch needs --out FILE (.mp4 or .webm); see runreel --help\n');
    expect((await cli('stitch', 'clips', '--out', 'x.gif')).err).toBe('runreel: --out must end in .mp4 or .webm, not x.gif\n');
  });
});

describe('scalars', () => {
  const LIGHTNING = realProducer('lightning');
  test('a restarted job: the series TensorBoard shows, with the restart said; --all keeps both files', async () => {
    const r = await cli(...['scalars', join(LIGHTNING, 'restarted_job'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { view: string; runs: { name: string; tags: Record<string, { steps: number[]; values: number[]; restarts: number[] }> }[] };
    expect([out.view, out.runs.map((x) => x.name)]).toEqual(['tensorboard', ['version_0']]);
    expect(out.runs[0].tags['train/loss'].steps).toHaveLength(80);
    const all = JSON.parse((await cli(...['scalars', join(LIGHTNING, 'restarted_job'), '--json', '--all'])).out) as typeof out;
    expect([all.runs[0].tags['train/loss'].steps.length, all.runs[0].tags['train/loss'].restarts]).toEqual([106, [51]]);
    const text = await cli(...['scalars', join(LIGHTNING, 'restarted_job')]);
    expect(text.out).toContain('train/loss: 80 points, steps 9–799, last 1.4864006042480469');
    expect(text.out).toContain('(restarted 1×: step 509 → 259)');
  });

  test('--csv: one row per point, every run', async () => {
    const r = await cli(...['scalars', join(LIGHTNING, 'tensorboardX'), '--csv']);
    const rows = r.out.trim().split('\n');
    expect(rows[0]).toBe('run,tag,step,wall_time,value');
    expect(rows.filter((l) => l.startsWith('run_a/losses/train,losses,'))).toHaveLength(10);
    expect(rows.filter((l) => l.startsWith('run_a,loss/train,'))).toHaveLength(500);
  });

  test('a folder without event files, and no folder at all, are typed errors', async () => {
    const empty = await cli(...['scalars', tempDir(), '--json']);
    expect([empty.code, JSON.parse(empty.err).error.code]).toEqual([2, 'not_found']);
    const none = await cli(...['scalars', '/nonexistent/x']);
    expect([none.code, none.err]).toEqual([2, 'runreel: /nonexistent/x: no such folder\n']);
  });
});
