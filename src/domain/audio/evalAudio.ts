// Eval audio as seed 000 writes it: eval_results/step_N/{target_wav_i,pred_wav_i}.wav and
// key_prompt_lyric_i.txt. Lists steps and samples; reads a sample's text, bounded.
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface EvalSample {
  index: number;
  target?: string;
  pred?: string;
  text?: string;
}

export interface EvalStep {
  step: number;
  dir: string;
  samples: EvalSample[];
}

const STEP_DIR = /^step_(\d+)$/;
const SAMPLE_FILE = /^(target_wav|pred_wav|key_prompt_lyric)_(\d+)\.(wav|txt)$/;
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
    const samples = new Map<number, EvalSample>();
    for (const name of files) {
      const f = SAMPLE_FILE.exec(name);
      if (!f || (f[1] === 'key_prompt_lyric') !== (f[3] === 'txt')) continue;
      const index = Number(f[2]);
      const sample = samples.get(index) ?? samples.set(index, { index }).get(index)!;
      if (f[1] === 'target_wav') sample.target = name;
      else if (f[1] === 'pred_wav') sample.pred = name;
      else sample.text = name;
    }
    const list = [...samples.values()].filter((s) => s.target || s.pred).sort((a, b) => a.index - b.index);
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
