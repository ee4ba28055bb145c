// The Animation panel's host side without VS Code: the files it shows (those still on disk,
// with their sizes) and Reveal, for only those files whatever the page sends.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AnimationFile, AnimationHostToWebview, AnimationWebviewToHost } from '../../protocol/animation';

export interface AnimationHost {
  post(m: AnimationHostToWebview): void;
  /** A URI the page can load `path` from. */
  uri(path: string): string;
  reveal(path: string): unknown;
}

export class AnimationSession {
  constructor(private readonly paths: readonly string[], private readonly title: string, private readonly frames: number | undefined, private readonly host: AnimationHost) {}

  async handle(m: AnimationWebviewToHost): Promise<void> {
    if (m?.type === 'ready') {
      const files: AnimationFile[] = [];
      for (const path of this.paths) {
        const s = await stat(path).catch(() => undefined);
        // Deleted since: not shown.
        if (s?.isFile()) files.push({ kind: path.endsWith('.webm') ? 'webm' : 'gif', src: this.host.uri(path), name: basename(path), path, bytes: s.size });
      }
      this.host.post({ type: 'show', title: this.title, files, frames: this.frames });
    } else if (m?.type === 'reveal' && typeof m.path === 'string' && this.paths.includes(m.path)) {
      await this.host.reveal(m.path);
    }
  }
}
