// NumPy .npz: a zip of .npy members. Opening reads only the central directory; each
// array is decompressed when asked for, so a member that fails (say, an object array
// holding more than plain values) does not stop the others from loading.
import { ArtifactError, asArtifactError } from './errors';
import { decodeNpy, parseNpyHeader, type NpyArray, type NpyHeader, type NpyLimits } from './npy';
import { FileSource, type ByteSource } from './source';
import { readZipDirectory, readZipMember, readZipMemberPrefix, type ZipEntry } from './zip';

export interface NpzMember {
  /** The array's key: the member name without '.npy' (what np.load(...)[key] uses). */
  key: string;
  entry: ZipEntry;
}

export class NpzArchive {
  private constructor(private readonly src: ByteSource, readonly members: NpzMember[]) {}

  get file(): string {
    return this.src.name;
  }

  static async open(path: string): Promise<NpzArchive> {
    const src = await FileSource.open(path);
    try {
      return await NpzArchive.from(src);
    } catch (err) {
      await src.close().catch(() => {});
      throw asArtifactError(path, err);
    }
  }

  static async from(src: ByteSource): Promise<NpzArchive> {
    const entries = await readZipDirectory(src);
    const members = entries.filter((e) => !e.name.endsWith('/')).map((entry) => ({ key: entry.name.replace(/\.npy$/, ''), entry }));
    return new NpzArchive(src, members);
  }

  member(key: string): NpzMember {
    const m = this.members.find((x) => x.key === key);
    if (!m) throw new ArtifactError('not_found', this.file, `npz has no array named ${JSON.stringify(key)} (it has ${this.members.map((x) => x.key).join(', ') || 'none'})`);
    return m;
  }

  /** Shape and dtype of one array, inflating only its first few kilobytes. */
  async header(key: string): Promise<NpyHeader> {
    const { entry } = this.member(key);
    try {
      let prefix = await readZipMemberPrefix(this.src, entry, 4096);
      try {
        return parseNpyHeader(prefix, this.label(key));
      } catch (err) {
        if (!(err instanceof ArtifactError) || err.code !== 'truncated' || prefix.length >= entry.size) throw err;
        prefix = await readZipMemberPrefix(this.src, entry, 70_000);
        return parseNpyHeader(prefix, this.label(key));
      }
    } catch (err) {
      throw asArtifactError(this.label(key), err);
    }
  }

  async read(key: string, limits: NpyLimits = {}): Promise<NpyArray> {
    const { entry } = this.member(key);
    try {
      const bytes = await readZipMember(this.src, entry, { maxMemberBytes: limits.maxBytes ? limits.maxBytes + 70_000 : undefined });
      return decodeNpy(bytes, this.label(key), limits);
    } catch (err) {
      throw asArtifactError(this.label(key), err);
    }
  }

  /** Names errors after the member: "viz_step_50_embeddings.npz[latent_metadata]". */
  private label(key: string): string {
    return `${this.file}[${key}]`;
  }

  close(): Promise<void> {
    return this.src.close();
  }
}

/** Opens, runs `fn`, closes. */
export async function withNpz<T>(path: string, fn: (npz: NpzArchive) => Promise<T>): Promise<T> {
  const npz = await NpzArchive.open(path);
  try {
    return await fn(npz);
  } finally {
    await npz.close().catch(() => {});
  }
}
