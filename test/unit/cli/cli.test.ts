import { describe, expect, test } from 'vitest';
import { runCli } from '../../../src/cli/main';
import { FIXTURE_WORKSPACE } from '../helpers';

async function cli(...argv: string[]) {
  let out = '', err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: FIXTURE_WORKSPACE });
  return { code, out, err };
}

describe('runreel CLI', () => {
  test('--version prints the package version', async () => {
    const { version } = await import('../../../package.json');
    expect(await cli('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
    expect(JSON.parse((await cli('--version', '--json')).out)).toEqual({ name: 'runreel', version });
  });

  test('--help lists usage and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^runreel \d+\.\d+\.\d+ — /);
    expect(r.out).toContain('runreel scan [DIR...] [--json]');
  });

  test.each([
    [['frobnicate'], 'usage', "unknown command 'frobnicate'; see runreel --help"],
    [['--frob'], 'usage', 'unknown option --frob; see runreel --help'],
    [[], 'usage', 'no command given; see runreel --help'],
    [['scan', '/no/such/dir'], 'not_found', 'run root not found: /no/such/dir'],
  ])('%j fails with exit 2 and a message on stderr only', async (argv, code, message) => {
    const plain = await cli(...argv);
    expect(plain).toEqual({ code: 2, out: '', err: `runreel: ${message}\n` });
    const json = await cli(...argv, '--json');
    expect(json.code).toBe(2);
    expect(json.out).toBe('');
    expect(JSON.parse(json.err)).toEqual({ error: { code, message } });
  });

  test('scan --json reports every run with its groups', async () => {
    const r = await cli('scan', '.', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    expect(data.roots).toEqual([FIXTURE_WORKSPACE]);
    expect(data.runs.map((s: { run: { kind: string } }) => s.run.kind)).toEqual(['latents', 'lightning', 'episodes']);
    expect(data.runs[1].groups[0]).toMatchObject({ kind: 'snapshots', count: 3, detail: 'steps 50–150' });
  });

  test('scan prints a readable listing', async () => {
    const r = await cli('scan');
    expect(r.code).toBe(0);
    expect(r.out).toContain('lightning_logs/version_0  (training run)\n');
    expect(r.out).toContain('  Embedding snapshots: 3  steps 50–150\n');
  });
});
