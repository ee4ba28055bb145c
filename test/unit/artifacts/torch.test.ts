// The torch checkpoint reader on files torch.save and Lightning wrote (test/fixtures/torch, made
// by test/fixtures/make_torch.py; the ACE-Step trainer's real .ckpt) and on hostile ones: a
// pickle that calls os.system, a storage offset past the end, a huge shape, a missing storage.
// Expected values come from torch.load of the same files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readTensorFloat32 } from '../../../src/domain/artifacts/safetensors';
import { FileSource } from '../../../src/domain/artifacts/source';
import { readTorchCheckpointFrom } from '../../../src/domain/artifacts/torch';
import { inspectFile } from '../../../src/domain/artifacts/inspect';
import { artifactError, realProducer, tempDir } from '../helpers';
import { zipBytes, type ZipMember } from './builders';

const TORCH = join(__dirname, '..', '..', 'fixtures', 'torch');
const ACE_CKPT = realProducer('acestep', 'trainer', 'lightning_logs', '2026-12-01_19-19-48lora_experiment', 'checkpoints', 'epoch=2-step=25.ckpt');

/** A checkpoint in torch's zip layout made of `members`, in a temporary folder: its path. */
function zipFile(name: string, members: ZipMember[]): string {
  const path = join(tempDir(), name);
  writeFileSync(path, zipBytes(members));
  return path;
}

async function open(path: string) {
  const src = await FileSource.open(path);
  try {
    const c = await readTorchCheckpointFrom(src);
    const values = async (name: string) => Array.from(await readTensorFloat32(src, c.tensors.find((t) => t.name === name)!));
    return { c, values: Object.fromEntries(await Promise.all(c.tensors.map(async (t) => [t.name, await values(t.name)]))) as Record<string, number[]> };
  } finally {
    await src.close();
  }
}

test('a state_dict of every dtype: names, dtypes, shapes and values as torch.load gives them', async () => {
  const { c, values } = await open(join(TORCH, 'state_dict.pt'));
  expect(c.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
    ['layer.weight', 'F32', [3, 4]], ['layer.bias', 'F64', [3]], ['half', 'F16', [2, 2]], ['bf16', 'BF16', [3]],
    ['steps', 'I64', [3]], ['mask', 'BOOL', [3]], ['scalar', 'F32', []], ['slice', 'F32', [4]],
  ]);
  expect(values['layer.weight']).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  expect(values['layer.bias']).toEqual([0.5, -1.5, 2.25]);
  expect(values.half).toEqual([1, -2, 0.5, 65504]);
  expect(values.bf16).toEqual([1, -0.5, 3]);
  expect(values.steps).toEqual([1, 2, -3]);
  expect(values.mask).toEqual([1, 0, 1]);
  expect(values.scalar).toEqual([7]);
  expect(values.slice).toEqual([4, 5, 6, 7]); // base[1]: storage offset 4
  // base.t() shares the storage with strides (1, 4): not one byte range, and it says so.
  expect(c.skipped).toEqual([{ name: 'transposed', why: 'non-contiguous (strides 1, 4)' }]);
});

test('the same state_dict in the legacy (pre-zip) format: the same tensors and values', async () => {
  const zip = await open(join(TORCH, 'state_dict.pt'));
  const legacy = await open(join(TORCH, 'state_dict_legacy.pt'));
  expect(legacy.c.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(zip.c.tensors.map((t) => [t.name, t.dtype, t.shape]));
  expect(legacy.values).toEqual(zip.values);
  expect(legacy.c.skipped).toEqual(zip.c.skipped);
  const r = await inspectFile(join(TORCH, 'state_dict_legacy.pt'));
  expect([r.kind, r.lines[0]]).toEqual(['torch', 'torch checkpoint: 8 tensors (1 not readable as ranges)']);
});

test('a legacy file cut short names the storage it lost', async () => {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const bytes = readFileSync(join(TORCH, 'state_dict_legacy.pt'));
  const cut = join(tempDir(), 'cut.pt');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
  const src = await FileSource.open(cut);
  try {
    const err = await artifactError(() => readTorchCheckpointFrom(src));
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/cut\.pt: legacy torch (file ends before storage \d+|storage \d+ claims \d+ elements, past the end of the file)$/);
  } finally {
    await src.close();
  }
});

test('a Lightning-style checkpoint: model tensors named without state_dict, the rest as data', async () => {
  const { c, values } = await open(join(TORCH, 'lightning_like.ckpt'));
  expect(c.tensors.map((t) => t.name)).toEqual(['w']);
  expect(values.w).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(c.metadata).toEqual({ epoch: '3', global_step: '120', hyper_parameters: '{"lr":0.001,"name":"tiny"}', optimizer_states: '[{"state":{},"param_groups":[{"lr":0.001}]}]' });
});

test("the ACE-Step trainer's Lightning checkpoint: LoRA weights in BF16 and the trainer's state", async () => {
  const { c, values } = await open(ACE_CKPT);
  const model = c.tensors.filter((t) => !/^(optimizer_states|callbacks)\./.test(t.name));
  expect(model).toHaveLength(16);
  // Lightning's ModelCheckpoint keeps one tensor too (kth_value), named by its path.
  expect(c.tensors.filter((t) => t.name.startsWith('callbacks.')).map((t) => t.name)).toEqual([expect.stringMatching(/^callbacks\.ModelCheckpoint\{.*\}\.kth_value$/)]);
  const q = 'transformers.transformer_blocks.0.attn.to_q.lora_A.default.weight';
  expect(c.tensors.find((t) => t.name === q)).toMatchObject({ dtype: 'BF16', shape: [4, 2560] });
  expect(values[q].slice(0, 4)).toEqual([-0.00225830078125, -0.0036163330078125, -0.0167236328125, 0.00262451171875]);
  expect(Math.min(...values[q])).toBe(-0.034423828125);
  expect(values[q].reduce((a, b) => a + b, 0) / values[q].length).toBeCloseTo(-6.194077286636457e-05, 9);
  expect(values['optimizer_states.0.state.0.step']).toEqual([25]);
  expect([c.metadata.epoch, c.metadata.global_step, c.metadata['pytorch-lightning_version'], c.metadata.hparams_name]).toEqual(['2', '25', '2.6.6', 'kwargs']);
  expect((c.data as Record<string, unknown>).hyper_parameters).toMatchObject({ learning_rate: 0.0001, max_steps: 50 });
  expect(c.metadata.hyper_parameters).toMatch(/^\{"learning_rate":0\.0001,.*…$/); // shown cut to one line
});

test('inspect names the checkpoint format and reads each tensor by its range', async () => {
  const r = await inspectFile(ACE_CKPT);
  expect(r.kind).toBe('torch');
  expect(r.lines[0]).toBe('torch checkpoint: 65 tensors');
  expect(r.lines.some((l) => l.startsWith('transformers.transformer_blocks.0.attn.to_q.lora_A.default.weight: BF16 [4, 2560]  min -0.0344  max 0.0344'))).toBe(true);
});

test.each([
  ['evil_system.pt', 'pickle_rejected', /evil_system\.pt: torch checkpoint not displayed: pickle references (posix|os)\.system, which Run Reel does not run/],
  ['offset_past_end.pt', 'inconsistent', /offset_past_end\.pt: tensor x needs bytes 12–28 of storage data\/0, which has 16/],
  ['huge_shape.pt', 'inconsistent', /huge_shape\.pt: tensor x needs bytes 0–40000000000 of storage data\/0, which has 16/],
])('hostile %s: %s, naming the file', async (name, code, message) => {
  const src = await FileSource.open(join(TORCH, name));
  try {
    const err = await artifactError(() => readTorchCheckpointFrom(src));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  } finally {
    await src.close();
  }
});

test('a missing storage is listed, not guessed', async () => {
  const { c } = await open(join(TORCH, 'missing_storage.pt'));
  expect(c.tensors).toEqual([]);
  expect(c.skipped).toEqual([{ name: 'x', why: 'its storage data/0 is missing from the archive' }]);
});

test('checkpoint keys named like Object\'s own members are metadata entries, not lost or inherited', async () => {
  // pickle.dumps({'__proto__': 'x', 'constructor': {'a': 1}, 'epoch': 3}, protocol=2), in torch's zip layout.
  const pkl = Uint8Array.from([128, 2, 125, 113, 0, 40, 88, 9, 0, 0, 0, 95, 95, 112, 114, 111, 116, 111, 95, 95, 113, 1, 88, 1, 0, 0, 0, 120, 113, 2, 88, 11, 0, 0, 0, 99, 111, 110, 115, 116, 114, 117, 99, 116, 111, 114, 113, 3, 125, 113, 4, 88, 1, 0, 0, 0, 97, 113, 5, 75, 1, 115, 88, 5, 0, 0, 0, 101, 112, 111, 99, 104, 113, 6, 75, 3, 117, 46]);
  const { c } = await open(zipFile('own_names.pt', [{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/byteorder', data: new TextEncoder().encode('little') }]));
  expect(Object.getPrototypeOf(c.metadata)).toBe(Object.prototype);
  expect(Object.entries(c.metadata)).toEqual([['__proto__', 'x'], ['constructor', '{"a":1}'], ['epoch', '3']]);
});

test('a storage class named like one of Object\'s members is refused as a global, naming it', async () => {
  // {'x': persistent id ('storage', torch.constructor, '0', 'cpu', 4)}, protocol 2, by hand (pickle cannot name a class that is not there).
  const pkl = Uint8Array.from([128, 2, 125, 88, 1, 0, 0, 0, 120, 40, 88, 7, 0, 0, 0, 115, 116, 111, 114, 97, 103, 101, 99, 116, 111, 114, 99, 104, 10, 99, 111, 110, 115, 116, 114, 117, 99, 116, 111, 114, 10, 88, 1, 0, 0, 0, 48, 88, 3, 0, 0, 0, 99, 112, 117, 75, 4, 116, 81, 115, 46]);
  const path = zipFile('odd_storage.pt', [{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: new Uint8Array(16) }]);
  const err = await artifactError(() => open(path));
  // Refused as a global (the allow-list's `in` admitted it while the table had a prototype).
  expect([err.code, err.message]).toEqual(['pickle_rejected', `${path}: torch checkpoint not displayed: pickle references torch.constructor, which Run Reel does not run`]);
});
