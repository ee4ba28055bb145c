// The Media panel's host side, free of vscode: a folder's images (sizes read from their
// headers) and video clips (duration, resolution and audio from ffprobe, when there is one),
// relisted when files change. Probes are cached by size and modification time.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../artifacts/errors';
import { readImageSize } from '../artifacts/imageSize';
import { probeClip } from '../animation/stitch';
import { VIDEO_CLIP } from '../runs/discover';
import type { ClipEntry, ImageEntry, MediaHostToWebview, MediaWebviewToHost } from '../../protocol/media';

export const IMAGE_FILE = /\.(png|jpe?g|webp|gif)$/i;
/** Images listed at most; the count of the rest is reported. */
export const MAX_IMAGES = 2000;
/** The UUID a generator names its images by (the names are already filtered by IMAGE_FILE). */
const UUID_PREFIX = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\./i;

export interface MediaHost {
  post(message: MediaHostToWebview): void;
  /** The webview URI for a file. */
  uri(path: string): string;
  copy(text: string): void;
  reveal(path: string): void;
  openExternal(path: string): void;
  stitch(paths: string[]): void;
  /** ffprobe's path, or null when none is found. */
  ffprobe(): string | null;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

type Probe = Pick<ClipEntry, 'probe' | 'error'>;

export class MediaSession {
  private readonly probes = new Map<string, { key: string; result: Probe }>();
  private generation = 0;

  constructor(readonly dir: string, private readonly host: MediaHost, private focus?: string) {}

  async handle(message: MediaWebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.refresh();
        if (this.focus) this.host.post({ type: 'focus', path: this.focus });
        return;
      case 'copyId': return this.host.copy(message.id);
      case 'reveal': return this.host.reveal(message.path);
      case 'openExternal': return this.host.openExternal(message.path);
      case 'stitch': return this.host.stitch(message.paths);
      case 'focus':
        this.focus = message.path;
        return;
    }
  }

  /** Shows `path` (an image enlarged, a clip in the player). */
  show(path: string): void {
    this.focus = path;
    this.host.post({ type: 'focus', path });
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    try {
      const names = (await readdir(this.dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
      const imageNames = names.filter((n) => IMAGE_FILE.test(n));
      const images: ImageEntry[] = [];
      const clips: ClipEntry[] = [];
      await eachLimited(imageNames, 16, async (name) => {
        const path = join(this.dir, name);
        const st = await stat(path).catch(() => undefined);
        if (!st) return;
        images.push({ name, path, src: this.host.uri(path), id: UUID_PREFIX.exec(name)?.[1], bytes: st.size, modifiedMs: st.mtimeMs });
      });
      // Newest first, as a generator's output is looked at; then by name for a stable order.
      images.sort((a, b) => b.modifiedMs - a.modifiedMs || a.name.localeCompare(b.name));
      const shown = images.slice(0, MAX_IMAGES);
      await eachLimited(shown, 16, async (img) => {
        try {
          Object.assign(img, await readImageSize(img.path));
        } catch (err) {
          img.error = describeError(err, img.path);
        }
      });
      for (const name of names.filter((n) => VIDEO_CLIP.test(n)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))) {
        const path = join(this.dir, name);
        const st = await stat(path).catch(() => undefined);
        if (st) clips.push({ name, path, src: this.host.uri(path), bytes: st.size, modifiedMs: st.mtimeMs, ...this.probes.get(path)?.result });
      }
      const ffprobe = this.host.ffprobe();
      const post = () => this.host.post({ type: 'media', dir: this.dir, images: shown, clips, moreImages: images.length - shown.length, ffprobe });
      post();
      const unprobed = clips.filter((c) => this.probes.get(c.path)?.key !== `${c.bytes}:${c.modifiedMs}`);
      if (!ffprobe || unprobed.length === 0) return;
      await eachLimited(unprobed, 2, async (clip) => {
        let result: Probe;
        try {
          const info = await probeClip(ffprobe, clip.path);
          result = { probe: { duration: info.duration, width: info.width, height: info.height, fps: info.fps, hasAudio: info.hasAudio, videoCodec: info.videoCodec } };
        } catch (err) {
          result = { error: `ffprobe cannot read it: ${(err as Error).message}` };
        }
        this.probes.set(clip.path, { key: `${clip.bytes}:${clip.modifiedMs}`, result });
        Object.assign(clip, result);
      });
      // A newer listing started meanwhile: it sends its own.
      if (generation === this.generation) post();
    } catch (err) {
      this.host.post({ type: 'error', message: describeError(err, this.dir) });
    }
  }
}
