import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { MediaHost } from '../../src/domain/media/mediaSession';

export const FIXTURE_WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp folder removed after the test. */
export function tempDir(prefix = 'runreel-unit-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export const FORMATS = join(__dirname, '..', 'fixtures', 'formats');
/** The steering repo's shared/ beside the checkout (CI lays it there too): real producers' files, format corpora. */
export const SHARED = join(__dirname, '..', '..', '..', 'shared');
export const realProducer = (...parts: string[]) => join(SHARED, 'real-producers', ...parts);
export const fmt = (...parts: string[]) => join(FORMATS, ...parts);

/** Runs `fn` and returns the ArtifactError it throws (fails the test if it does not throw one). */
export async function artifactError(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    if (err && (err as Error).name === 'ArtifactError') return err as { code: string; message: string };
    throw new Error(`expected an ArtifactError, got ${String(err)}`);
  }
  throw new Error('expected an ArtifactError, nothing was thrown');
}

/** Episode runs written by the producer (test/fixtures/make_fixtures.py episodes()). */
export const EPISODES = join(__dirname, '..', 'fixtures', 'episodes');

/** Tensors and a latent store with numpy's answers (make_fixtures.py tensors()). */
export const TENSORS = join(__dirname, '..', 'fixtures', 'tensors');

/** A Media panel host that does nothing but what a test asks of it. */
export function mediaHost(overrides: Partial<MediaHost> = {}): MediaHost {
  return { post: () => {}, uri: (p) => p, copy: () => {}, reveal: () => {}, openExternal: () => {}, stitch: () => {}, animateTag: () => {}, ffprobe: () => null, ...overrides };
}
