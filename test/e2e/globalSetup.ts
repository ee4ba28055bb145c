// Packages the VSIX exactly as users get it and makes sure code-server and Chromium exist.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureCodeServer, findChromium } from '../../scripts/lib/e2eEnv.mjs';

const root = join(__dirname, '..', '..');

declare module 'vitest' {
  export interface ProvidedContext {
    vsix: string;
    chromium: string;
    repoRoot: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const pkg = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs')], { cwd: root, encoding: 'utf8' });
  if (pkg.status !== 0) throw new Error(`packaging the VSIX failed:\n${pkg.stdout}\n${pkg.stderr}`);
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  await ensureCodeServer();
  project.provide('vsix', join(root, 'out', `${name}-${version}.vsix`));
  project.provide('chromium', findChromium());
  project.provide('repoRoot', root);
}
