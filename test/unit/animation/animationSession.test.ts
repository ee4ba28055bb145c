// The Animation panel's host side: the files it shows (those still there, with sizes and URIs)
// and Reveal for those files alone, whatever a page sends.
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { AnimationSession } from '../../../src/domain/animation/animationSession';
import { gifHeader } from '../../../src/domain/animation/gifWriter';
import type { AnimationHostToWebview } from '../../../src/protocol/animation';
import { tempDir } from '../helpers';

const WEBM = join(__dirname, '..', '..', 'fixtures', 'layouts', 'videos', 'scene_2.webm');

function setUp() {
  const dir = tempDir();
  const gif = join(dir, 'timeline.gif'), webm = join(dir, 'timeline.webm'), gone = join(dir, 'deleted.gif'), folder = join(dir, 'folder.gif');
  writeFileSync(gif, Buffer.concat([gifHeader(2, 2, [[0, 0, 0], [255, 255, 255]]), Buffer.from([0x3b])]));
  copyFileSync(WEBM, webm);
  mkdirSync(folder);
  const posted: AnimationHostToWebview[] = [], revealed: string[] = [];
  const session = new AnimationSession([gif, webm, gone, folder], 'viz_snapshots', 12, { post: (m) => void posted.push(m), uri: (p) => `uri:${p}`, reveal: (p) => void revealed.push(p) });
  return { dir, gif, webm, posted, revealed, session };
}

test('ready: the files still there, as GIF or WebM with their sizes; a deleted one or a folder is not shown', async () => {
  const { gif, webm, posted, session } = setUp();
  await session.handle({ type: 'ready' });
  expect(posted).toEqual([{
    type: 'show', title: 'viz_snapshots', frames: 12, files: [
      { kind: 'gif', src: `uri:${gif}`, name: 'timeline.gif', path: gif, bytes: statSync(gif).size },
      { kind: 'webm', src: `uri:${webm}`, name: 'timeline.webm', path: webm, bytes: statSync(webm).size },
    ],
  }]);
});

test('Reveal: only the files the panel shows; anything else a page sends does nothing', async () => {
  const { dir, gif, revealed, session } = setUp();
  await session.handle({ type: 'reveal', path: gif });
  expect(revealed).toEqual([gif]);
  for (const hostile of ['/etc/passwd', join(dir, '..', 'timeline.gif'), `${gif} `, dir]) await session.handle({ type: 'reveal', path: hostile });
  await fc.assert(fc.asyncProperty(fc.anything(), async (m) => { await session.handle(m as never); await session.handle({ type: 'reveal', path: m } as never); }));
  expect(revealed).toEqual([gif]);
});
