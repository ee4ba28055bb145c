// What the user reads when something goes wrong: the file named once, the problem in words.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ArtifactError, describeError } from '../../../src/domain/artifacts/errors';
import { tempDir } from '../helpers';

test('a missing file in words, a reader\'s message as it is, any other error by its message under the file', () => {
  const dir = tempDir();
  const gone = join(dir, 'nope');
  const enoent = (() => { try { statSync(gone); } catch (err) { return err; } })();
  expect(describeError(enoent, gone)).toBe(`${gone}: no such file`);
  expect(describeError(new ArtifactError('truncated', 'a.npy', 'data: file ended at 10 bytes'), 'elsewhere')).toBe('a.npy: data: file ended at 10 bytes');
  expect(describeError(new RangeError('window must be a power of two'), 'x.wav')).toBe('window must be a power of two');
  expect(describeError(new Error('no episode log and no step images yet'), '/run/ep')).toBe('/run/ep: no episode log and no step images yet');
  expect(describeError('a string thrown', '/f')).toBe('/f: a string thrown');
  expect(describeError(undefined, '/f')).toBe('/f: an unknown error');
});
