// The one error every artifact reader throws. Its code is stable (tests and the CLI's
// --json output rely on it); its message names the file and the problem.

export type ArtifactErrorCode =
  | 'not_found' // the file does not exist
  | 'io_error' // the OS refused to read it
  | 'truncated' // the file ends before its own header says it should (maybe still being written)
  | 'bad_magic' // not this format at all
  | 'bad_header' // the header is malformed
  | 'inconsistent' // sizes, offsets or counts contradict each other
  | 'unsupported' // a valid file using a feature this reader does not handle
  | 'too_large' // over a safety limit (dimensions, element count, decompressed size)
  | 'too_deep' // nesting beyond the parser's depth limit
  | 'bad_json' // JSON that does not parse or has duplicate keys
  | 'unsafe_path' // a name or path that escapes its container
  | 'pickle_rejected'; // pickle content other than what numpy writes for plain object arrays

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  constructor(
    readonly code: ArtifactErrorCode,
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }

  /** True when the file may simply not be finished yet (a writer still appending). */
  get mayBeIncomplete(): boolean {
    return this.code === 'truncated';
  }

  toJSON(): { code: ArtifactErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Runs `fn`, turning any non-ArtifactError into one for `file` (readers never leak other errors). */
export async function guard<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asArtifactError(file, err);
  }
}

export function guardSync<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asArtifactError(file, err);
  }
}

export function asArtifactError(file: string, err: unknown): ArtifactError {
  if (err instanceof ArtifactError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new ArtifactError('not_found', file, 'no such file');
  if (e?.code === 'EISDIR') return new ArtifactError('io_error', file, 'is a folder, not a file');
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new ArtifactError('io_error', file, `cannot read (${e.code})`);
  if (err instanceof RangeError && /call stack|allocation|Array buffer|Invalid array length|Invalid typed array length/i.test(err.message)) {
    return new ArtifactError('too_large', file, `over a size limit (${err.message})`);
  }
  // A bug in a reader still reaches the user as a typed error naming the file.
  return new ArtifactError('inconsistent', file, `could not be read: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * What to tell the user: a reader's own message (it names the file), else the error under
 * `file`: a missing file in words ("no such file", not "Error: ENOENT: no such file or
 * directory, stat '…'"), any other error by its message.
 */
export function describeError(err: unknown, file: string): string {
  if (err instanceof ArtifactError || err instanceof RangeError) return err.message;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EISDIR') return asArtifactError(file, err).message;
  return `${file}: ${err instanceof Error ? err.message : err == null ? 'an unknown error' : String(err)}`;
}
