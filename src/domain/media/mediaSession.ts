// The Media panel's host side, free of vscode: a folder's images (sizes read from their
// headers) and video clips (duration, resolution and audio from ffprobe, when there is one),
// relisted when files change. Probes are cached by size and modification time.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describeError } from '../artifacts/errors';
import { readImageSize } from '../artifacts/imageSize';
import { probeClip } from '../animation/stitch';
import { VIDEO_CLIP } from '../runs/discover';
import type { ClipEntry, ImageEntry, ImageTag, MediaHostToWebview, MediaWebviewToHost } from '../../protocol/media';
import { FileSource } from '../artifacts/source';
import { ScalarRun, type MediaEntry } from '../tensorboard/scalars';

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
  /** Create Animation of one image tag of the folder's event files. */
  animateTag(tag: string): void;
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

/** Images a summary holds larger than this are not sent (a data URL of it would be). */
const MAX_TAG_IMAGE = 32 << 20;
const IMAGE_TYPES: Record<string, string> = { '\x89PNG': 'image/png', '\xff\xd8\xff': 'image/jpeg', 'GIF8': 'image/gif' };

export class MediaSession {
  private readonly probes = new Map<string, { key: string; result: Probe }>();
  private generation = 0;
  /** The folder's event files, for their image summaries. */
  private readonly events: ScalarRun;
  private imageTags = new Map<string, MediaEntry[]>();

  /** A step of the run's clock the page has not seen (set before it opened, or while hidden). */
  private pendingStep: number | undefined;

  constructor(readonly dir: string, private readonly host: MediaHost, private focus?: string, clockStep?: number) {
    this.pendingStep = clockStep;
    this.events = new ScalarRun(dir);
  }

  async handle(message: MediaWebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready': {
        // What was shown before a reload, once the page has the list to find it in: before the
        // clips are probed (which can take seconds), so it cannot undo what the user opened since.
        const restore = this.focus;
        await this.refresh(() => { if (restore && this.focus === restore) this.host.post({ type: 'focus', path: restore }); });
        if (this.pendingStep !== undefined && this.imageTags.size) this.host.post({ type: 'goToStep', step: this.pendingStep });
        this.pendingStep = undefined;
        return;
      }
      case 'copyId': return typeof message.id === 'string' ? this.host.copy(message.id) : undefined;
      // Paths come from the page: only this folder's images and clips are revealed, played or stitched.
      case 'reveal': return this.ownFile(message.path, IMAGE_FILE) || this.ownFile(message.path, VIDEO_CLIP) ? this.host.reveal(message.path) : this.refuse(message.path);
      case 'openExternal': return this.ownFile(message.path, VIDEO_CLIP) ? this.host.openExternal(message.path) : this.refuse(message.path);
      case 'stitch': {
        const paths: unknown[] = Array.isArray(message.paths) ? message.paths : [];
        const clips = paths.filter((p): p is string => this.ownFile(p, VIDEO_CLIP));
        if (paths.length === 0) return this.host.post({ type: 'error', message: `${this.dir}: no clips to stitch` });
        return clips.length === paths.length ? this.host.stitch(clips) : this.refuse(paths.find((p) => !this.ownFile(p, VIDEO_CLIP)));
      }
      case 'focus':
        this.focus = message.path;
        return;
      case 'requestTagImage':
        return this.sendTagImage(message.tag, message.step);
      case 'animateTag':
        return this.host.animateTag(message.tag);
    }
  }

  /** `path` names a file of kind `pattern` directly in this folder. */
  private ownFile(path: unknown, pattern: RegExp): path is string {
    return typeof path === 'string' && pattern.test(path) && dirname(resolve(path)) === resolve(this.dir);
  }

  private refuse(path: unknown): void {
    this.host.post({ type: 'error', message: `${this.dir}: ${JSON.stringify(path)} is not one of this folder's images or clips` });
  }

  /** Reads the folder's event files (what they gained) and lists their image tags. */
  private async refreshImageTags(): Promise<void> {
    await this.events.update();
    const tags = this.events.media().filter((m) => m.kind === 'image');
    this.imageTags = new Map(tags.map((m) => [m.tag, m.entries]));
    if (tags.length === 0) return;
    const list: ImageTag[] = tags.map((m) => ({ tag: m.tag, steps: m.entries.map((e) => e.step), width: m.entries[0].image!.width, height: m.entries[0].image!.height }));
    this.host.post({ type: 'imageTags', tags: list });
  }

  private async sendTagImage(tag: string, step: number): Promise<void> {
    // A step written twice (a restarted job): the later image, as TensorBoard shows it.
    const entry = this.imageTags.get(tag)?.filter((e) => e.step === step).at(-1);
    if (!entry || entry.offset === undefined || entry.length === undefined) return;
    if (entry.length > MAX_TAG_IMAGE) {
      this.host.post({ type: 'error', message: `${entry.file}: the image of ${tag} at step ${step} is ${entry.length} bytes (limit ${MAX_TAG_IMAGE})` });
      return;
    }
    const src = await FileSource.open(entry.file);
    try {
      const bytes = await src.read(entry.offset, entry.length, 'image summary');
      const head = String.fromCharCode(...bytes.subarray(0, 4));
      const type = Object.entries(IMAGE_TYPES).find(([magic]) => head.startsWith(magic))?.[1];
      if (!type) {
        this.host.post({ type: 'error', message: `${entry.file}: the image of ${tag} at step ${step} is not a PNG, JPEG or GIF` });
        return;
      }
      this.host.post({ type: 'tagImage', tag, step, src: `data:${type};base64,${Buffer.from(bytes).toString('base64')}`, wallTime: entry.wallTime });
    } finally {
      await src.close();
    }
  }

  /** The run's step clock moved; a hidden page gets the step when it is shown again. */
  goToStep(step: number, shown = true): void {
    if (!shown) { this.pendingStep = step; return; }
    this.host.post({ type: 'goToStep', step });
  }

  /** Shows `path` (an image enlarged, a clip in the player). */
  show(path: string): void {
    this.focus = path;
    this.host.post({ type: 'focus', path });
  }

  /** Lists the folder (`listed` runs once the page has the list), then probes new clips and lists again. */
  async refresh(listed?: () => void): Promise<void> {
    const generation = ++this.generation;
    await this.refreshImageTags().catch((err) => this.host.post({ type: 'error', message: describeError(err, this.dir) }));
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
      listed?.();
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
