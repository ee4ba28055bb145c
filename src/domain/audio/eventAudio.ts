// Audio summaries of a run's TensorBoard event files (SummaryWriter.add_audio) as Eval Audio's
// steps: one sample per audio tag at each step it was written, its WAV a byte range of the file.
import { ScalarRun } from '../tensorboard/scalars';
import type { EvalStep } from './evalAudio';

export async function listEventAudioSteps(runDir: string, run = new ScalarRun(runDir)): Promise<EvalStep[]> {
  await run.update();
  const steps = new Map<number, EvalStep>();
  for (const m of run.media().filter((x) => x.kind === 'audio')) {
    // A step written twice (a restarted job): the later clip, as TensorBoard shows it.
    const byStep = new Map(m.entries.filter((e) => e.offset !== undefined && e.length !== undefined).map((e) => [e.step, e]));
    for (const [step, e] of byStep) {
      const s = steps.get(step) ?? steps.set(step, { step, dir: runDir, samples: [] }).get(step)!;
      s.samples.push({ index: s.samples.length, key: m.tag, summary: { file: e.file, offset: e.offset!, length: e.length! } });
    }
  }
  return [...steps.values()].sort((a, b) => a.step - b.step);
}
