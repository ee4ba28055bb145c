#!/usr/bin/env node
// `npm start`: the demo. Builds Run Reel, writes a demo workspace of realistic runs, keeps
// it alive like a running experiment, and opens it in VS Code:
//   - with the `code` CLI: a VS Code window running this checkout (--extensionDevelopmentPath)
//   - otherwise: the embedded code-server on 127.0.0.1 with the packaged extension installed
// Ctrl+C stops everything it started.
//   RUNREEL_DEMO_DIR  where the workspace goes (default: ./demo-workspace)
//   RUNREEL_PORT      code-server port (default: 8765, or a free one if taken)
//   RUNREEL_DEMO_STATE code-server's user data and extensions (default: the cache's demo-state)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir, isCodeServerInstalled } from './lib/e2eEnv.mjs';
import { freePort, startCodeServer } from './lib/codeServer.mjs';
import { findProducerPython, PYTHON_HINT } from './lib/python.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const demoDir = resolve(process.env.RUNREEL_DEMO_DIR || join(root, 'demo-workspace'));
const say = (m) => console.log(`[demo] ${m}`);
const children = [];
let stopping = false;

function fail(message) {
  console.error(`[demo] ${message}`);
  void stopAll(2);
}

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const stop of children.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => { say('stopping…'); void stopAll(0); });
process.on('SIGTERM', () => void stopAll(0));

function runOrFail(title, cmd, args, options = {}) {
  say(title);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${title} failed (exit ${r.status})`);
}

function hasCodeCli() {
  const r = spawnSync('code', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && !/code-server/i.test(r.stdout);
}

function spawnTracked(cmd, args, options) {
  const child = spawn(cmd, args, { stdio: 'inherit', ...options });
  children.push(() => new Promise((res) => {
    if (child.exitCode !== null) return res();
    child.once('exit', res);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  }));
  return child;
}

async function main() {
  // 1. What the demo needs from the system (Python producers; code-server's build libraries).
  let python = findProducerPython();
  const useCode = hasCodeCli();
  // code-server compiles native modules on its first install and needs build libraries for that.
  if ((!python || (!useCode && !isCodeServerInstalled())) && existsSync('/usr/bin/apt-get')) {
    runOrFail('checking system packages', 'bash', ['scripts/setup-system.sh']);
    python = findProducerPython();
  }
  if (!python) throw new Error(PYTHON_HINT);

  // 2. Build (and package, for code-server).
  runOrFail('building', process.execPath, ['esbuild.mjs']);
  if (!useCode) runOrFail('packaging the VSIX', process.execPath, ['scripts/package.mjs']);

  // 3. The demo workspace, fresh each time.
  for (const sub of ['lightning_logs', 'outputs', 'latents', 'live']) rmSync(join(demoDir, sub), { recursive: true, force: true });
  runOrFail(`writing the demo workspace to ${demoDir}`, python, ['scripts/demo/demo.py', 'init', demoDir]);

  // 4. Keep it alive: ring buffer in real time, new training steps and episodes.
  const writer = spawnTracked(python, [join(root, 'scripts/demo/demo.py'), 'live', demoDir]);
  writer.on('exit', (code) => { if (!stopping && code !== 0) fail(`the live writer exited with code ${code}`); });

  // 5. Open it.
  if (useCode) {
    say('opening VS Code with this checkout as a development extension');
    spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, demoDir], { stdio: 'inherit' });
    say('VS Code is open on the demo workspace. Ctrl+C here stops the live writer.');
    return;
  }
  const { name, version } = (await import(join(root, 'package.json'), { with: { type: 'json' } })).default;
  let port = Number(process.env.RUNREEL_PORT || 8765);
  if (!process.env.RUNREEL_PORT) port = await freePort().then((free) => (port === 8765 ? tryPort(8765, free) : free));
  const server = await startCodeServer({
    vsix: join(root, 'out', `${name}-${version}.vsix`),
    stateDir: resolve(process.env.RUNREEL_DEMO_STATE || join(cacheDir(), 'demo-state')),
    workspace: demoDir,
    port,
    // A new user's first look: Run Reel's Get Started walkthrough opens on its first activation.
    settings: { 'workbench.colorTheme': 'Default Dark Modern', 'runreel.autoAnimate': true, 'workbench.welcomePage.walkthroughs.openOnInstall': true, 'runreel.walkthrough.openOnFirstRun': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden' },
    log: say,
  });
  children.push(server.stop);
  say('');
  say(`Run Reel demo is running in VS Code (code-server). Open:`);
  say(`    ${server.folderUrl}`);
  say('Click the Run Reel icon in the activity bar. Ctrl+C stops everything.');
}

async function tryPort(preferred, fallback) {
  const { createServer } = await import('node:net');
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(fallback));
    s.listen(preferred, '127.0.0.1', () => s.close(() => res(preferred)));
  });
}

main().catch((err) => fail(err.message));
