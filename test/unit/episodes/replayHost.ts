// A replay session's host for tests: what it posts and warns, kept in order.
import type { EpisodeHostToWebview } from '../../../src/protocol/episodes';

export function fakeHost() {
  const posts: EpisodeHostToWebview[] = [];
  const warnings: string[] = [];
  return { posts, warnings, host: { post: (m: EpisodeHostToWebview) => posts.push(m), imageUri: (p: string) => `uri:${p}`, warn: (w: string) => warnings.push(w) } };
}

export const last = <T extends EpisodeHostToWebview['type']>(posts: EpisodeHostToWebview[], type: T) =>
  posts.filter((p) => p.type === type).at(-1) as Extract<EpisodeHostToWebview, { type: T }> | undefined;

export async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
