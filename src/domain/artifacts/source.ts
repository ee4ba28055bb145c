// Random access to a file by byte range, so readers touch only what they need
// (a 10 GB checkpoint's header, an npz's central directory).
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ArtifactError, asArtifactError } from './errors';

export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or a 'truncated' error naming what was expected. */
  read(offset: number, length: number, what?: string): Promise<Uint8Array>;
  /** Like read, into the start of `target` (a buffer the caller owns); returns that part of it. */
  readInto?(target: Uint8Array, offset: number, length: number, what?: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A source read with blocking calls (a file polled many times a second, bytes in memory). */
export interface SyncByteSource {
  readonly name: string;
  readonly size: number;
  /** Fills `target` with the bytes at `offset`, or throws a 'truncated' error naming `what`. */
  readSync(target: Uint8Array, offset: number, what?: string): void;
}

/** `target.length` bytes at `offset` into `target`: read straight into it where the source can, else copied. */
export async function readFully(src: ByteSource, target: Uint8Array, offset: number, what?: string): Promise<void> {
  if (src.readInto) await src.readInto(target, offset, target.length, what);
  else target.set(await src.read(offset, target.length, what));
}

/** Reads beyond this in one call are refused: callers stream or use byte ranges instead. */
export const MAX_SINGLE_READ = 1 << 30;

export class FileSource implements ByteSource {
  private constructor(readonly name: string, private readonly handle: FileHandle, readonly size: number, readonly mtimeMs: number) {}

  static async open(path: string): Promise<FileSource> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      const st = await handle.stat();
      if (st.isDirectory()) throw new ArtifactError('io_error', path, 'is a folder, not a file');
      return new FileSource(path, handle, st.size, st.mtimeMs);
    } catch (err) {
      await handle?.close().catch(() => {});
      throw asArtifactError(path, err);
    }
  }

  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    return this.readInto(new Uint8Array(length), offset, length, what);
  }

  /** Like read, into the start of `target` (a buffer the caller reuses); returns that part of it. */
  async readInto(target: Uint8Array, offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (target.length < length) throw new RangeError(`readInto: ${length} bytes do not fit a buffer of ${target.length}`);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(target, done, length - done, offset + done);
      if (bytesRead === 0) throw new ArtifactError('truncated', this.name, `${what}: file ended at ${offset + done} bytes while reading`);
      done += bytesRead;
    }
    return target.subarray(0, length);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * A file kept open and read with blocking calls: for a reader polled many times a second for
 * a few kilobytes (the live ring buffer), where a thread-pool round trip per read costs more
 * than the read. `current()` reopens when the path now names another file (a writer that
 * restarted replaced it) or has gone.
 */
export class PolledFile implements SyncByteSource {
  private fd: number | undefined;
  private ino = -1;
  size = 0;
  /** Bumped each time another file is opened under the path. */
  generation = 0;

  constructor(readonly name: string) {}

  /** When the path was last looked up (performance.now()). */
  private checkedAt = -Infinity;

  /**
   * This source, on the file the path names now, looked up again when the last look is older
   * than `maxAgeMs` (a stat a frame was a tenth of the live reader's time). A read that fails
   * makes the next call look again.
   */
  current(maxAgeMs = 0): this {
    const now = performance.now();
    if (this.fd !== undefined && now - this.checkedAt < maxAgeMs) return this;
    try {
      const st = statSync(this.name);
      if (st.isDirectory()) throw new ArtifactError('io_error', this.name, 'is a folder, not a file');
      if (this.fd === undefined || st.ino !== this.ino) {
        this.close();
        this.fd = openSync(this.name, 'r');
        this.ino = fstatSync(this.fd).ino;
        this.generation++;
      }
      this.size = st.size;
      this.checkedAt = now;
      return this;
    } catch (err) {
      this.close();
      throw asArtifactError(this.name, err);
    }
  }

  readSync(target: Uint8Array, offset: number, what = 'data'): void {
    const length = target.length;
    try {
      checkRange(this.name, this.size, offset, length, what);
      if (this.fd === undefined) throw new ArtifactError('io_error', this.name, 'is not open');
      for (let done = 0; done < length;) {
        const n = readSync(this.fd, target, done, length - done, offset + done);
        if (n === 0) throw new ArtifactError('truncated', this.name, `${what}: file ended at ${offset + done} bytes while reading`);
        done += n;
      }
    } catch (err) {
      this.checkedAt = -Infinity;
      throw err;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.ino = -1;
    this.checkedAt = -Infinity;
  }
}

/** A source over bytes already in memory (tests, nested members). */
export class MemorySource implements ByteSource, SyncByteSource {
  constructor(readonly name: string, private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    return this.bytes.subarray(offset, offset + length);
  }
  readSync(target: Uint8Array, offset: number, what = 'data'): void {
    checkRange(this.name, this.size, offset, target.length, what);
    target.set(this.bytes.subarray(offset, offset + target.length));
  }
  async close(): Promise<void> {}
}

function checkRange(name: string, size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ArtifactError('inconsistent', name, `${what}: invalid byte range ${offset}+${length}`);
  }
  if (length > MAX_SINGLE_READ) throw new ArtifactError('too_large', name, `${what}: ${length} bytes in one read is over the ${MAX_SINGLE_READ}-byte limit`);
  if (offset + length > size) {
    throw new ArtifactError('truncated', name, `${what}: needs bytes ${offset}–${offset + length}, file has ${size}`);
  }
}

/** Opens `path`, runs `fn`, always closes; every failure becomes an ArtifactError for `path`. */
export async function withFile<T>(path: string, fn: (src: FileSource) => Promise<T>): Promise<T> {
  const src = await FileSource.open(path);
  try {
    return await fn(src);
  } catch (err) {
    throw asArtifactError(path, err);
  } finally {
    await src.close().catch(() => {});
  }
}

/** A byte range of another source as a source of its own (a WAV inside an event file). */
export class SliceSource implements ByteSource {
  constructor(private readonly inner: ByteSource, private readonly offset: number, readonly size: number, readonly name = inner.name) {}

  read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    return this.inner.read(this.offset + offset, length, what);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A file's size and time written, as a string that changes when the file is written again ("missing" when it cannot be stat'ed). */
export function fileStamp(path: string): Promise<string> {
  return stat(path).then((s) => `${s.size}:${s.mtimeMs}`, () => 'missing');
}
