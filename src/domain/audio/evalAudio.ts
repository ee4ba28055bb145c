// Eval audio as ACE-Step's trainer writes it: eval_results/step_N/{target,pred}_wav_{key}_{i}.wav
// and key_prompt_lyric_{key}_{i}.txt (key: the batch item's key, i: its index), or the seed's
// {target_wav,pred_wav}_i.wav. A sample is what shares the part after the prefix. Lists steps
// and samples; reads a sample's text, bounded.
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface EvalSample {
  /** Position in the step's samples, in key order. */
  index: number;
  /** What the files share after their prefix: "song_0014_0" (the trainer), "3" (the seed). */
  key: string;
  target?: string;
  pred?: string;
  text?: string;
  /** An audio summary of an event file: the WAV's byte range there (the key is its tag). */
  summary?: { file: string; offset: number; length: number };
}

export interface EvalStep {
  step: number;
  dir: string;
  samples: EvalSample[];
}

const STEP_DIR = /^step_(\d+)$/;
const SAMPLE_FILE = /^(target_wav|pred_wav|key_prompt_lyric)_(.+)\.(wav|txt)$/i;

/** The sample a file of an eval step belongs to, or undefined. */
export function evalSampleKey(name: string): { kind: 'target' | 'pred' | 'text'; key: string } | undefined {
  const f = SAMPLE_FILE.exec(name);
  if (!f || (f[1].toLowerCase() === 'key_prompt_lyric') !== (f[3].toLowerCase() === 'txt')) return undefined;
  return { kind: f[1].toLowerCase() === 'target_wav' ? 'target' : f[1].toLowerCase() === 'pred_wav' ? 'pred' : 'text', key: f[2] };
}
/** Prompt/lyric files are shown whole up to this; longer ones are cut with a note. */
export const MAX_TEXT_BYTES = 64 * 1024;

/** The eval_results folder for a run folder, the folder itself, a step folder, or a file in one. */
export async function findEvalDir(path: string): Promise<string | undefined> {
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  const dir = isDir ? path : dirname(path);
  if (basename(dir) === 'eval_results') return dir;
  if (STEP_DIR.test(basename(dir)) && basename(dirname(dir)) === 'eval_results') return dirname(dir);
  const inside = join(dir, 'eval_results');
  return (await stat(inside).then((s) => s.isDirectory(), () => false)) ? inside : undefined;
}

/** Steps in numeric order, each with its samples in index order; unreadable folders skipped. */
export async function listEvalSteps(evalDir: string): Promise<EvalStep[]> {
  const entries = await readdir(evalDir, { withFileTypes: true });
  const steps: EvalStep[] = [];
  for (const e of entries) {
    const m = STEP_DIR.exec(e.name);
    if (!m || !e.isDirectory()) continue;
    const dir = join(evalDir, e.name);
    const files = await readdir(dir).catch(() => [] as string[]);
    const samples = new Map<string, EvalSample>();
    for (const name of files) {
      const f = evalSampleKey(name);
      if (!f) continue;
      const sample = samples.get(f.key) ?? samples.set(f.key, { index: 0, key: f.key }).get(f.key)!;
      if (f.kind === 'target') sample.target = name;
      else if (f.kind === 'pred') sample.pred = name;
      else sample.text = name;
    }
    const list = [...samples.values()].filter((s) => s.target || s.pred).sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }));
    list.forEach((s, i) => (s.index = i));
    if (list.length > 0) steps.push({ step: Number(m[1]), dir, samples: list });
  }
  return steps.sort((a, b) => a.step - b.step);
}

/** A text file as UTF-8, at most MAX_TEXT_BYTES of it (a cut is said in the text). */
export async function readSampleText(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, MAX_TEXT_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(buffer.subarray(0, bytesRead));
    return size > MAX_TEXT_BYTES ? `${text}\n… (${size - MAX_TEXT_BYTES} more bytes not shown)` : text;
  } finally {
    await handle.close();
  }
}
