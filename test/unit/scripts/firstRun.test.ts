// The first-run install of Node 24 and code-server, as `npm start` / `npm test` run it: under an
// outer npm whose settings (npm_config_user_agent naming Node 20, nodedir, …) must not reach
// the inner `npm install`. A fake `npm` on PATH records what the installer passes it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childEnv, CODE_SERVER_VERSION, node24Package } from '../../../scripts/lib/e2eEnv.mjs';

const root = join(__dirname, '..', '..', '..');
const realNpm = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'npm')).find((p) => existsSync(p))!;

let work: string;
let fakeBin: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runreel-firstrun-'));
  fakeBin = join(work, 'fakebin');
  const fake = `#!/usr/bin/env node
// Stands in for npm: records its argv and environment, then does what the install would.
const fs = require('node:fs'), path = require('node:path');
const argv = process.argv.slice(2);
const n = fs.readdirSync(process.env.RECORD_DIR).length;
fs.writeFileSync(path.join(process.env.RECORD_DIR, 'call-' + n + '.json'), JSON.stringify({ argv, env: process.env }));
const prefix = argv[argv.indexOf('--prefix') + 1];
const spec = argv[argv.length - 1];
const kind = spec.startsWith('code-server') ? 'code-server' : 'node';
if (process.env.FAKE_NPM_FAIL === kind) {
  if (kind === 'node') console.error('npm error code E404\\nnpm error 404 Not Found - GET https://registry.example/' + spec);
  else console.error('npm error command sh -c sh ./postinstall.sh\\nnpm error ERROR: code-server currently requires node v24.');
  process.exit(1);
}
const out = kind === 'node' ? path.join(prefix, 'node_modules', '${node24Package()}', 'bin') : path.join(prefix, 'node_modules', 'code-server', 'out', 'node');
fs.mkdirSync(out, { recursive: true });
if (kind === 'node') fs.symlinkSync(${JSON.stringify(process.execPath)}, path.join(out, 'node'));
else fs.writeFileSync(path.join(out, 'entry.js'), '');
`;
  spawnSync('mkdir', ['-p', fakeBin]);
  writeFileSync(join(fakeBin, 'npm'), fake);
  chmodSync(join(fakeBin, 'npm'), 0o755);
  // A package whose script runs the installer, the way `npm test` reaches it.
  writeFileSync(join(work, 'package.json'), JSON.stringify({
    name: 'outer', version: '1.0.0',
    scripts: { setup: `node ${JSON.stringify(join(root, 'scripts', 'e2e-env.mjs'))}`, dump: 'node -e "console.log(JSON.stringify(process.env))"' },
  }));
});

afterAll(() => spawnSync('rm', ['-rf', work]));

/** Runs `npm run NAME` with the real npm, the fake one first on PATH for the installer's children. */
function outerNpmRun(name: string, env: Record<string, string>) {
  return spawnSync(realNpm, ['run', '--silent', name], {
    cwd: work, encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${fakeBin}${delimiter}${process.env.PATH}`,
      // What a user's own set-up may add: all of it must stay out of the inner install.
      NODE_OPTIONS: '--max-old-space-size=4096',
      FORCE_NODE_VERSION: '20',
      npm_config_nodedir: '/usr',
      ...env,
    },
  });
}

function calls(dir: string): { argv: string[]; env: Record<string, string> }[] {
  return readdirSync(dir).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

describe('childEnv', () => {
  test('drops what an outer `npm run` exports, keeps the rest, puts Node 24 first on PATH', () => {
    const r = outerNpmRun('dump', { RUNREEL_KEEP: 'yes' });
    expect(r.status, r.stderr).toBe(0);
    const outer = JSON.parse(r.stdout) as Record<string, string>;
    // The leak itself, as npm writes it: the outer agent names this machine's Node 20.
    expect(outer.npm_config_user_agent).toMatch(/node\/v20\./);
    expect(outer.PATH.split(delimiter)[0]).toMatch(/node_modules[\\/]\.bin$/);
    const env = childEnv(outer, '/opt/node24/bin');
    expect(Object.keys(env).filter((k) => /^npm_/i.test(k))).toEqual([]);
    for (const k of ['NODE', 'INIT_CWD', 'NODE_OPTIONS', 'FORCE_NODE_VERSION']) expect(env[k]).toBeUndefined();
    const path = env.PATH.split(delimiter);
    expect(path[0]).toBe('/opt/node24/bin');
    expect(path.filter((p) => /node_modules[\\/]\.bin|node-gyp-bin/.test(p))).toEqual([]);
    expect(path).toContain(fakeBin);
    expect(env.RUNREEL_KEEP).toBe('yes');
    expect(env.HOME).toBe(outer.HOME);
  });
});

describe('first run under an outer npm', () => {
  test('installs Node 24 then code-server with a clean environment and Node 24 headers', () => {
    const cache = join(work, 'cache-ok');
    const record = mkdtempSync(join(work, 'rec-'));
    const npmCache = join(work, 'npm-cache');
    const r = outerNpmRun('setup', { RUNREEL_CACHE: cache, RECORD_DIR: record, npm_config_cache: npmCache });
    expect(r.status, r.stderr).toBe(0);
    const [nodeCall, csCall] = calls(record);
    expect(nodeCall.argv.at(-1)).toBe(`${node24Package()}@24`);
    expect(csCall.argv.at(-1)).toBe(`code-server@${CODE_SERVER_VERSION}`);
    const node24Dir = join(cache, 'node-24', 'node_modules', node24Package());
    expect(csCall.argv).toContain(`--nodedir=${node24Dir}`);
    for (const call of [nodeCall, csCall]) {
      expect(Object.keys(call.env).filter((k) => /^npm_/i.test(k))).toEqual([]);
      expect(call.env.NODE_OPTIONS).toBeUndefined();
      expect(call.env.FORCE_NODE_VERSION).toBeUndefined();
      expect(call.env.PATH.split(delimiter).filter((p) => /node_modules[\\/]\.bin/.test(p))).toEqual([]);
    }
    expect(csCall.env.PATH.split(delimiter)[0]).toBe(join(node24Dir, 'bin'));
    // How to reach the registry is the one thing carried over, as flags: here the cache folder.
    for (const call of [nodeCall, csCall]) expect(call.argv).toContain(`--cache=${npmCache}`);
    expect(csCall.argv.filter((a) => a.startsWith('--nodedir'))).toEqual([`--nodedir=${node24Dir}`]);
    // Both installs landed through their temporary folders, marked complete.
    expect(readdirSync(cache).sort()).toEqual([`code-server-${CODE_SERVER_VERSION}`, 'node-24']);
    expect(existsSync(join(cache, `code-server-${CODE_SERVER_VERSION}`, '.complete'))).toBe(true);
    const printed = JSON.parse(r.stdout);
    expect(printed.codeServerEntry).toBe(join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js'));
    // A second run finds both and installs nothing.
    const again = outerNpmRun('setup', { RUNREEL_CACHE: cache, RECORD_DIR: record });
    expect(again.status, again.stderr).toBe(0);
    expect(calls(record)).toHaveLength(2);
  });

  test('a failed Node 24 download names the step, the reason and what to do, and leaves no partial cache', () => {
    const cache = join(work, 'cache-node-fails');
    const r = outerNpmRun('setup', { RUNREEL_CACHE: cache, RECORD_DIR: mkdtempSync(join(work, 'rec-')), FAKE_NPM_FAIL: 'node' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`code-server needs Node 24 (this is Node ${process.versions.node}); installing it (npm package ${node24Package()}@24) into ${join(cache, 'node-24')} failed`);
    expect(r.stderr).toContain('404 Not Found');
    expect(r.stderr).toMatch(/What to do: check that the npm registry is reachable/);
    expect(readdirSync(cache)).toEqual([]);
  });

  test('a failed code-server build names the step and the build needs, and keeps the Node 24 already installed', () => {
    const cache = join(work, 'cache-cs-fails');
    const r = outerNpmRun('setup', { RUNREEL_CACHE: cache, RECORD_DIR: mkdtempSync(join(work, 'rec-')), FAKE_NPM_FAIL: 'code-server' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`installing code-server ${CODE_SERVER_VERSION} (VS Code 1.139.1 for the browser) with Node 24 into ${join(cache, `code-server-${CODE_SERVER_VERSION}`)} failed: npm exited with 1`);
    expect(r.stderr).toContain('ERROR: code-server currently requires node v24.');
    expect(r.stderr).toMatch(/What to do: code-server compiles native modules/);
    expect(readdirSync(cache)).toEqual(['node-24']);
  });
});
