// Property tests: whatever the bytes, a reader either returns or throws ArtifactError,
// quickly. Inputs are random bytes and mutations of the real fixtures (bit flips,
// truncation, inserted and overwritten runs), which reach much deeper than random bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ArtifactError } from '../../../src/domain/artifacts/errors';
import { parseStep, readEpisodeLog } from '../../../src/domain/artifacts/episodes';
import { IndexedEpisodeLog } from '../../../src/domain/episodes/indexedLog';
import { parseLatentRecord } from '../../../src/domain/artifacts/latents';
import { decodeNpy } from '../../../src/domain/artifacts/npy';
import { NpzArchive } from '../../../src/domain/artifacts/npz';
import { unpickleObjectArray } from '../../../src/domain/artifacts/pickle';
import { decodePng } from '../../../src/domain/artifacts/png';
import { FrameCoder } from '../../../src/domain/animation/gifCore';
import { RingBufferReader } from '../../../src/domain/artifacts/ringBuffer';
import { LiveRingTap } from '../../../src/domain/audio/liveRing';
import { readSafetensorsHeaderFrom, readTensorFloat32 } from '../../../src/domain/artifacts/safetensors';
import { MemorySource } from '../../../src/domain/artifacts/source';
import { readImageSizeFrom } from '../../../src/domain/artifacts/imageSize';
import { planeLayout, readPlane } from '../../../src/domain/tensors/plane';
import { tensorStats } from '../../../src/domain/tensors/tensorStats';
import { readWavFrames, readWavInfoFrom } from '../../../src/domain/artifacts/wav';
import { readLmdbFrom } from '../../../src/domain/artifacts/lmdb';
import { readTorchCheckpointFrom } from '../../../src/domain/artifacts/torch';
import { parseNumpyText } from '../../../src/domain/producers/jaxarc';
import { EPISODES, fmt, FIXTURE_WORKSPACE, tempDir } from '../helpers';

const RUNS = Number(process.env.RUNREEL_FUZZ_RUNS ?? 150);
const TIME_LIMIT_MS = 2000;

/** A mutation of `seed`: flips, truncation, a spliced run, or a length field set to an extreme. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = seed.length;
  const at = fc.nat({ max: Math.max(0, n - 1) });
  return fc.oneof(
    fc.array(fc.tuple(at, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const b = seed.slice();
      for (const [i, x] of flips) b[i] ^= x;
      return b;
    }),
    at.map((cut) => seed.slice(0, cut)),
    fc.tuple(at, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([i, ins]) => new Uint8Array([...seed.subarray(0, i), ...ins, ...seed.subarray(i)])),
    fc.tuple(at, fc.constantFrom(0x00, 0x7f, 0xff), fc.integer({ min: 1, max: 8 })).map(([i, v, len]) => {
      const b = seed.slice();
      b.fill(v, i, Math.min(n, i + len));
      return b;
    }),
  );
}

async function mustParseOrThrowTyped(read: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await read();
  } catch (err) {
    if (!(err instanceof ArtifactError)) throw new Error(`untyped error escaped: ${(err as Error)?.stack ?? String(err)}`);
  }
  const ms = performance.now() - started;
  if (ms > TIME_LIMIT_MS) throw new Error(`took ${ms.toFixed(0)} ms`);
}

async function drainNpz(b: Uint8Array): Promise<void> {
  const npz = await NpzArchive.from(new MemorySource('fuzz.npz', b));
  for (const m of npz.members) await npz.read(m.key, { maxBytes: 64 << 20 });
}

async function drainSafetensors(b: Uint8Array): Promise<void> {
  const src = new MemorySource('fuzz.safetensors', b);
  const h = await readSafetensorsHeaderFrom(src);
  for (const t of h.tensors) await readTensorFloat32(src, t);
}

/** The inspector's work on a file: header, then every tensor's statistics and first plane. */
async function drainTensorViews(b: Uint8Array): Promise<void> {
  const src = new MemorySource('fuzz.safetensors', b);
  const h = await readSafetensorsHeaderFrom(src);
  for (const t of h.tensors) {
    if (t.count > 1 << 22) continue; // a mutated shape may claim more than the fuzz budget; the reader streams it anyway
    await tensorStats(src, t);
    const layout = planeLayout(t.shape);
    if (layout && layout.rows > 0 && layout.cols > 0 && layout.lead.every((d) => d > 0)) await readPlane(src, t, { lead: layout.lead.map(() => 0), maxRows: 64, maxCols: 64 });
  }
}

async function drainWav(b: Uint8Array): Promise<void> {
  const src = new MemorySource('fuzz.wav', b);
  const info = await readWavInfoFrom(src);
  await readWavFrames(src, info, 0, Math.min(info.frames, 1 << 16));
}

/** A checkpoint's tensors, each read by its byte range. */
async function drainTorch(b: Uint8Array): Promise<void> {
  const src = new MemorySource('fuzz.pt', b);
  const c = await readTorchCheckpointFrom(src);
  for (const t of c.tensors) if (t.count <= 1 << 22) await readTensorFloat32(src, t);
}

/** The seeds' canvas (9×7): mutated headers of other sizes go to the general decoder. */
const frameCoder = new FrameCoder(9, 7);

const readers: [string, string[], (b: Uint8Array) => Promise<unknown>][] = [
  ['npy', ['npy/f4_be.npy', 'npy/object_json.npy', 'npy/unicode.npy', 'npy/fortran3d.npy', 'npy/v3.npy'], async (b) => decodeNpy(b, 'fuzz.npy', { maxBytes: 64 << 20 })],
  ['npz', ['npz/deflated.npz', 'npz/zip64.npz', 'npz/descriptors.npz', 'npz/stored.npz'], drainNpz],
  ['safetensors', ['safetensors/dtypes.safetensors'], drainSafetensors],
  ['tensor views', ['../tensors/stats.safetensors'], drainTensorViews],
  ['image size', ['../layouts/backend/mv/outputs/character_reference/00000000-4b43-4c59-9d0a-8f1f5b0b7a10.png', '../layouts/backend/mv/outputs/character_reference/00000002-4b43-4c59-9d0a-8f1f5b0b7a12.jpg', '../layouts/backend/mv/outputs/character_reference/00000003-4b43-4c59-9d0a-8f1f5b0b7a13.webp'], async (b) => readImageSizeFrom(new MemorySource('fuzz.img', b))],
  ['wav', ['wav/pcm24.wav', 'wav/rf64.wav', 'wav/extensible24.wav', 'wav/float32.wav'], drainWav],
  ['png', ['png/palette.png', 'png/rgba16_interlaced.png', 'png/gray1.png'], async (b) => decodePng(b, 'fuzz.png')],
  ['png into a GIF frame', ['png/rgb8.png', 'png/rgba8.png'], async (b) => frameCoder.decodePng(b, 'fuzz.png')],
  ['ring buffer', ['ring/ring.bin'], async (b) => new RingBufferReader('fuzz.ring').readFrom(new MemorySource('fuzz.ring', b), 1000)],
  ['torch checkpoint', ['../torch/state_dict.pt', '../torch/lightning_like.ckpt', '../torch/state_dict_legacy.pt'], drainTorch],
  ['lmdb', ['../../../../shared/real-producers/acestep/latents/2239c92/web_tmp/latents/metadata.lmdb/data.mdb'], async (b) => readLmdbFrom(new MemorySource('fuzz/data.mdb', b))],
  ['live ring tap', ['ring/ring.bin'], async (b) => new LiveRingTap('fuzz.ring').nextFrom(new MemorySource('fuzz.ring', b), { channels: [0, 1], spectrumChannel: 1, bucket: 7, history: 900, maxFrameSamples: 4096 })],
];

describe.each(readers)('%s', (_name, seeds, read) => {
  test('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), (b) => mustParseOrThrowTyped(() => read(b))), { numRuns: RUNS });
  });

  test.each(seeds)('mutations of %s', async (seed) => {
    const bytes = new Uint8Array(readFileSync(fmt(...seed.split('/'))));
    await fc.assert(fc.asyncProperty(mutated(bytes), (b) => mustParseOrThrowTyped(() => read(b))), { numRuns: RUNS });
  });
});

test('pickle: random bytes and mutations of numpy object pickles', async () => {
  const npy = new Uint8Array(readFileSync(fmt('npy', 'object_mixed.npy')));
  const pickle = npy.subarray(128); // after the 128-byte header numpy writes here
  const run = (b: Uint8Array) => mustParseOrThrowTyped(async () => unpickleObjectArray(b, 'fuzz.pkl'));
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), run), { numRuns: RUNS });
  await fc.assert(fc.asyncProperty(mutated(pickle), run), { numRuns: RUNS * 2 });
});

test('numpy text grids: mutated text returns rows or undefined, or throws a plain message, quickly', async () => {
  const seed = '[[ 4  4  4 -1]\n [ 4  4\n  4 -1]\n [False True 3 0]]';
  await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), mutated(new TextEncoder().encode(seed)).map((b) => new TextDecoder().decode(b))), async (text) => {
    const started = performance.now();
    try {
      const rows = parseNumpyText(text);
      if (rows) for (const r of rows) for (const c of r) expect(typeof c === 'number' || typeof c === 'boolean').toBe(true);
    } catch (err) {
      expect((err as Error).message).toMatch(/abbreviated/);
    }
    expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
  }), { numRuns: RUNS });
});

test('latent record: mutated JSON text', async () => {
  const text = readFileSync(join(FIXTURE_WORKSPACE, 'latents', 'c1586bd6-4803-4942-a471-fb1b63ea694c.json'));
  await fc.assert(fc.asyncProperty(mutated(new Uint8Array(text)), (b) => mustParseOrThrowTyped(async () => parseLatentRecord(Buffer.from(b).toString('utf8'), 'fuzz.json'))), { numRuns: RUNS });
});

test('episode log: mutated JSON and gzip', async () => {
  const dir = tempDir();
  const runFolder = join(FIXTURE_WORKSPACE, 'outputs', 'episodes', 'arc_run');
  const plain = readFileSync(join(runFolder, 'episode_0000', 'episode_0000_20251121_044000.json'));
  const gz = readFileSync(join(runFolder, 'episode_0001', 'episode_0001_20251121_044100.json.gz'));
  let k = 0;
  for (const seed of [plain, gz]) {
    await fc.assert(fc.asyncProperty(mutated(new Uint8Array(seed)), async (b) => {
      const file = join(dir, `episode_${String(k++).padStart(4, '0')}_20250101_000000.json`);
      writeFileSync(file, b);
      await mustParseOrThrowTyped(() => readEpisodeLog(file, dir));
    }), { numRuns: Math.ceil(RUNS / 3) });
  }
});

test('episode replay: mutated logs indexed and every step parsed, typed errors only', async () => {
  const dir = tempDir();
  const runFolder = join(FIXTURE_WORKSPACE, 'outputs', 'episodes', 'arc_run');
  const seeds = [
    readFileSync(join(runFolder, 'episode_0000', 'episode_0000_20251121_044000.json')),
    readFileSync(join(EPISODES, 'jaxarc_run', 'episode_0000', 'episode_0000_20251121_044000.json.gz')),
  ];
  let k = 0;
  for (const seed of seeds) {
    await fc.assert(fc.asyncProperty(mutated(new Uint8Array(seed)), async (b) => {
      const file = join(dir, `episode_${String(k++).padStart(4, '0')}_20250101_000000.json`);
      writeFileSync(file, b);
      await mustParseOrThrowTyped(async () => {
        const log = await IndexedEpisodeLog.open(file);
        try {
          await log.done;
          if (log.error) throw log.error;
          for (let i = 0; i < log.stepCount; i++) parseStep(await log.readStep(i), i, file, dir, dir, []);
        } finally {
          await log.close();
        }
      });
    }), { numRuns: Math.ceil(RUNS / 3) });
  }
});

test('the property test can fail: an untyped error is caught', async () => {
  await expect(mustParseOrThrowTyped(async () => { throw new TypeError('boom'); })).rejects.toThrow('untyped error escaped');
});
