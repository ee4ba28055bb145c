// The streaming index of episode logs: the producer's two state layouts read to the same grids,
// any chunking gives the same index, and cut, hostile or huge logs fail with a typed message.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { listEpisodeFolder, parseStep, readEpisodeLog, type Grid } from '../../../src/domain/artifacts/episodes';
import { IndexedEpisodeLog } from '../../../src/domain/episodes/indexedLog';
import { EpisodeLogScanner } from '../../../src/domain/episodes/logScanner';
import { changedCells, cumulative, firstSimilarityDrop, keyMoments } from '../../../src/domain/episodes/analysis';
import { artifactError, EPISODES, tempDir } from '../helpers';


const JAXARC = join(EPISODES, 'jaxarc_run');
const GRID = join(EPISODES, 'grid_run');

async function indexed(file: string, options = {}) {
  const log = await IndexedEpisodeLog.open(file, options);
  await log.done;
  return log;
}

const cells = (g: Grid | undefined) => (g ? [g.height, g.width, ...g.cells] : undefined);

test("JaxARC's layout (padded, masked, gzipped, indent=2, ids only) reads to the same grids as the plain layout", async () => {
  const jax = await indexed((await listEpisodeFolder(join(JAXARC, 'episode_0000'))).logs[0]);
  const plain = await readEpisodeLog((await listEpisodeFolder(join(GRID, 'episode_0000'))).logs[0], GRID);
  try {
    expect(jax.error).toBeUndefined();
    expect(jax.scanner.complete).toBe(true);
    expect(jax.stepCount).toBe(12);
    expect(jax.scanner.header).toMatchObject({ episode_num: 0, task_id: 'arc_000', total_steps: 12, config_hash: '3f9a1c2e' });
    for (let i = 0; i < 12; i++) {
      const s = parseStep(await jax.readStep(i), i, jax.file, JAXARC, join(JAXARC, 'episode_0000'), []);
      const p = plain.steps[i];
      // Cut from 8×8 padding to the task's 5×6 cells.
      expect([s.before?.height, s.before?.width]).toEqual([5, 6]);
      expect(cells(s.before)).toEqual(cells(p.before));
      expect(cells(s.after)).toEqual(cells(p.after));
      expect(cells(s.target)).toEqual(cells(p.target));
      expect(cells(s.selection)).toEqual(cells(p.selection));
      expect(s.reward).toBe(p.reward);
      expect(s.similarity).toBe(p.similarity);
      expect(s.operation).toBe(p.operation);
      // Only the id is logged; the name comes from JaxARC's table.
      expect(s.operationName).toMatch(/^(Fill|Flood Fill) \d$|^Move /);
      expect(jax.scanner.steps[i].fields).toMatchObject({ step_num: i, reward: p.reward, info: { similarity: p.similarity } });
    }
  } finally {
    await jax.close();
  }
});

test('any chunking of the bytes gives the same index (keys, escapes and brackets in strings split anywhere)', () => {
  const doc = {
    'episode_num': 7, 'task_id': 'a "quoted" [task] {x} \\ end', 'weird key "}': [1, { a: '[' }],
    steps: [
      { step_num: 0, reward: 0.5, info: { similarity: 0.25, note: 'braces } ] in "strings"' }, before_state: { grid: [[1, 2], [3, 4]] }, after_state: { grid: [[1, 2], [3, 5]] }, action: { operation: 3 } },
      { step_num: 1, reward: -1e-3, info: {}, visualization_path: 'episode_0007/step_001.svg', before_state: { note: '\\"' } },
      { step_num: 2, reward: 2, info: { similarity: 1, success: true } },
    ],
    final_similarity: 1,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(doc, null, 1));
  const whole = new EpisodeLogScanner();
  whole.push(bytes);
  expect(whole.complete).toBe(true);
  expect(whole.steps.map((s) => s.fields)).toEqual([
    { step_num: 0, reward: 0.5, info: doc.steps[0].info },
    { step_num: 1, reward: -1e-3, info: {}, visualization_path: 'episode_0007/step_001.svg' },
    { step_num: 2, reward: 2, info: { similarity: 1, success: true } },
  ]);
  expect(whole.header).toEqual({ episode_num: 7, task_id: doc.task_id, 'weird key "}': [1, { a: '[' }], final_similarity: 1 });
  // Each step's byte range parses to that step.
  for (const [i, s] of whole.steps.entries()) expect(JSON.parse(new TextDecoder().decode(bytes.subarray(s.start, s.end)))).toEqual(doc.steps[i]);
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 200 }), (sizes) => {
    const scanner = new EpisodeLogScanner();
    let at = 0;
    for (let k = 0; at < bytes.length; k++) {
      const n = sizes[k % sizes.length];
      scanner.push(bytes.subarray(at, at + n));
      at += n;
    }
    expect(scanner.complete).toBe(true);
    expect(scanner.steps).toEqual(whole.steps);
    expect(scanner.header).toEqual(whole.header);
  }), { numRuns: 200 });
});

test('keys named like Object\'s own members are fields of the log, not its prototype', () => {
  const text = '{"__proto__": {"episode_num": 9}, "constructor": 1, "steps": [{"__proto__": {"reward": 5}, "step_num": 0}]}';
  const scanner = new EpisodeLogScanner();
  scanner.push(new TextEncoder().encode(text));
  expect(scanner.complete).toBe(true);
  expect(Object.getPrototypeOf(scanner.header)).toBe(Object.prototype);
  expect(scanner.header.episode_num).toBeUndefined();
  expect(Object.keys(scanner.header)).toEqual(['__proto__', 'constructor']);
  expect(scanner.header).toEqual(JSON.parse('{"__proto__": {"episode_num": 9}, "constructor": 1}'));
  const fields = scanner.steps[0].fields;
  // (A step keeps only the fields a replay reads.)
  expect([Object.getPrototypeOf(fields), fields.reward, Object.keys(fields)]).toEqual([Object.prototype, undefined, ['step_num']]);
});

test('a log cut mid-write keeps its complete steps and says where it ends', async () => {
  const dir = tempDir();
  const source = readFileSync((await listEpisodeFolder(join(GRID, 'episode_0001'))).logs[0]);
  const cutAfter = new EpisodeLogScanner();
  cutAfter.push(source);
  const third = cutAfter.steps[3];
  const file = join(dir, 'episode_0001_20251121_044100.json');
  writeFileSync(file, source.subarray(0, third.end + 40));
  const log = await indexed(file);
  expect(log.error).toBeUndefined();
  expect(log.stepCount).toBe(4);
  expect(log.scanner.warnings.join()).toMatch(/log ends at byte \d+ inside the JSON .*4 complete steps/);
  await log.close();
  writeFileSync(file, source.subarray(0, 200));
  const early = await indexed(file);
  expect(early.error?.code).toBe('truncated');
  expect(early.error?.message).toContain(file);
  await early.close();
});

test.each([
  ['not an object', '[1, 2, 3]', 'bad_json', /JSON object/],
  ['steps not a list', '{"steps": {"a": 1}}', 'bad_json', /'steps' is not a list/],
  ['a step that is not an object', '{"steps": [1]}', 'bad_json', /step 0 is not an object/],
  ['deep nesting', `{"steps": [{"info": ${'['.repeat(100)}${']'.repeat(100)}}]}`, 'too_deep', /deeper than 64/],
  ['unbalanced', '{"steps": []}}', 'bad_json', /unbalanced|after the end/],
  ['empty', '', 'truncated', /empty/],
])('hostile log: %s', async (_name, text, code, message) => {
  const file = join(tempDir(), 'episode_0000_20250101_000000.json');
  writeFileSync(file, text);
  const err = await artifactError(async () => {
    const log = await indexed(file);
    await log.close();
    if (log.error) throw log.error;
  });
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
  expect(err.message).toContain(file);
});

test('gzip: a bomb stops at the limit, a damaged stream names the file; temp files go on close', async () => {
  const dir = tempDir();
  const bomb = join(dir, 'episode_0000_20250101_000000.json.gz');
  writeFileSync(bomb, gzipSync(Buffer.from(`{"steps": [${'{"reward": 0}, '.repeat(200_000)}{}]}`)));
  const big = await indexed(bomb, { maxInflatedBytes: 1 << 20 });
  expect(big.error?.code).toBe('too_large');
  await big.close();
  const damaged = join(dir, 'episode_0001_20250101_000000.json.gz');
  const good = gzipSync(Buffer.from('{"steps": [{"reward": 1}, {"reward": 2}]}'));
  writeFileSync(damaged, Buffer.concat([good.subarray(0, 20), Buffer.from('garbage-garbage-garbage')]));
  const bad = await indexed(damaged);
  expect(bad.error?.message).toContain(damaged);
  await bad.close();
  const ok = await indexed(join(JAXARC, 'episode_0000', 'episode_0000_20251121_044000.json.gz'));
  const temp = (ok as unknown as { tempDir: string }).tempDir;
  expect(readFileSync(join(temp, 'log.json')).length).toBeGreaterThan(10_000);
  await ok.close();
  expect(() => readFileSync(join(temp, 'log.json'))).toThrow();
});

test('a step beyond the index and a log replaced while open are typed errors', async () => {
  const dir = tempDir();
  const file = join(dir, 'episode_0000_20250101_000000.json');
  writeFileSync(file, JSON.stringify({ steps: [{ reward: 1, before_state: { grid: [[1]] } }, { reward: 2 }] }));
  const log = await indexed(file);
  expect((await artifactError(() => log.readStep(5))).code).toBe('inconsistent');
  writeFileSync(file, '{}');
  expect((await artifactError(() => log.readStep(1))).message).toMatch(/changed while it was open/);
  await log.close();
});

test('changed cells, key moments, first similarity drop, cumulative reward', () => {
  const g = (cellsList: number[], width = 3): Grid => ({ height: cellsList.length / width, width, cells: Int16Array.from(cellsList) });
  expect(changedCells(g([1, 2, 3, 4, 5, 6]), g([1, 0, 3, 4, 5, 9]))).toEqual([1, 5]);
  expect(changedCells(g([1, 2, 3]), g([1, 2, 3, 4], 2))).toEqual([0, 1, 2, 3]);
  expect(changedCells(undefined, g([1]))).toEqual([]);
  expect(keyMoments([0.01, 0.02, 0.5, 0.49, -0.3, -0.29])).toEqual([2, 4]);
  expect(keyMoments([0, 0, 0])).toEqual([]);
  expect(firstSimilarityDrop([0.1, null, 0.2, 0.2, 0.15, 0.1])).toBe(4);
  expect(firstSimilarityDrop([0.1, 0.2, 1])).toBeUndefined();
  expect(cumulative([1, 2, NaN, -1])).toEqual([1, 3, 3, 2]);
});
