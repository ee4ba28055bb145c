// Starts a real VS Code (code-server) on loopback with a packaged Run Reel installed.
// Shared by the end-to-end suite and `npm start`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { childEnv, ensureCodeServer } from './e2eEnv.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * @param {{ vsix: string, stateDir: string, workspace?: string, port?: number,
 *           settings?: Record<string, unknown>, log?: (m: string) => void, stdio?: 'inherit'|'pipe' }} options
 */
export async function startCodeServer(options) {
  const log = options.log ?? ((m) => console.error(`[code-server] ${m}`));
  const { node24Bin, codeServerEntry } = await ensureCodeServer(log);
  // VS Code's terminals and extensions inherit this: none of the outer npm's settings.
  const env = childEnv(process.env);
  const userDataDir = join(options.stateDir, 'user-data');
  const extensionsDir = join(options.stateDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'git.openRepositoryInParentFolders': 'never',
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      // Tests open Run Reel's walkthrough on purpose only (the demo turns it on).
      'runreel.walkthrough.openOnFirstRun': false,
      ...options.settings,
    }, null, 2),
  );
  const base = [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const install = spawnSync(node24Bin, [...base, '--install-extension', options.vsix, '--force'], { encoding: 'utf8', env });
  if (install.status !== 0) throw new Error(`installing ${options.vsix} into code-server failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`);
  log(install.stdout.trim().split('\n').pop() ?? 'extension installed');

  const port = options.port ?? (await freePort());
  const args = [...base, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'];
  if (options.workspace) args.push(options.workspace);
  const child = spawn(node24Bin, args, { env, stdio: options.stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'], detached: false });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(`${url}healthz`, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${output}`);
  }
  const folderUrl = options.workspace ? `${url}?folder=${encodeURIComponent(options.workspace)}` : url;
  return {
    url, folderUrl, port, userDataDir, extensionsDir,
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** Every *.log file under the code-server user-data logs folder, with its text. */
export function readLogs(userDataDir) {
  const out = [];
  const walk = (dir) => {
    let entries;
    try { entries = readdirSync(dir); } catch { return; }
    for (const name of entries) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (name.endsWith('.log')) out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(userDataDir, 'logs'));
  return out;
}
