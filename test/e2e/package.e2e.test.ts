// The VSIX as the Marketplace and users get it: its README's images resolve, its walkthrough's
// media ship inside it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import { readZipDirectory, readZipMember } from '../../src/domain/artifacts/zip';
import { withFile } from '../../src/domain/artifacts/source';

const root = inject('repoRoot');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

async function vsixText(member: string): Promise<string> {
  return withFile(inject('vsix'), async (src) => {
    const entry = (await readZipDirectory(src)).find((e) => e.name === member);
    if (!entry) throw new Error(`${member} is not in the VSIX`);
    return new TextDecoder().decode(await readZipMember(src, entry));
  });
}

test('the packaged README links every image to a file of the repository, by absolute URL', async () => {
  const readme = await vsixText('extension/readme.md');
  const links = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g), ...readme.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThanOrEqual(10);
  const base = `${pkg.repository.url.replace(/\.git$/, '')}/raw/HEAD/`;
  for (const link of links) {
    expect(link.startsWith(base), link).toBe(true);
    expect(existsSync(join(root, link.slice(base.length))), link).toBe(true);
  }
  // …so the screenshots themselves stay out of the VSIX.
  const names = await withFile(inject('vsix'), async (src) => (await readZipDirectory(src)).map((e) => e.name));
  expect(names.filter((n) => n.includes('screenshots/'))).toEqual([]);
  expect(pkg.homepage).toMatch(/^https:\/\//);
  expect(pkg.bugs.url).toMatch(/^https:\/\//);
});

test('the walkthrough and its images ship in the VSIX', async () => {
  const manifest = JSON.parse(await vsixText('extension/package.json'));
  const [walkthrough] = manifest.contributes.walkthroughs;
  expect(walkthrough.steps.map((s: { id: string }) => s.id)).toEqual(['openRuns', 'addRunFolder', 'openTimeline', 'createAnimation']);
  const images = walkthrough.steps.flatMap((s: { media: { image: string | Record<string, string> } }) =>
    (typeof s.media.image === 'string' ? [s.media.image] : Object.values(s.media.image)));
  const names = await withFile(inject('vsix'), async (src) => new Set((await readZipDirectory(src)).map((e) => e.name)));
  for (const image of images) expect(names.has(`extension/${image}`), image).toBe(true);
  // Each step's button names a command that the manifest contributes (or the view's own focus).
  const commands = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
  for (const step of walkthrough.steps) {
    const [, id] = /\(command:([\w.]+)\)/.exec(step.description)!;
    expect(commands.has(id) || id === 'runreel.runs.focus', id).toBe(true);
  }
});
