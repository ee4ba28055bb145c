// Discovery and watching on a large generated tree. Run in a fresh process per mode so
// peak memory (maxRSS) belongs to that measurement alone.
//   node runsScan.cjs make DIR          write the tree (50,000 files in 50 runs)
//   node runsScan.cjs scan DIR          discover + summarise every run
//   node runsScan.cjs watch DIR         watch, write 200 files in a burst, time each event
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverRuns } from '../src/domain/runs/discover';
import { summarizeRun } from '../src/domain/runs/summarize';
import { RootWatcher } from '../src/domain/runs/watcher';

const [mode, dir] = process.argv.slice(2);

function make(): void {
  let files = 0;
  for (let r = 0; r < 50; r++) {
    const run = join(dir, 'lightning_logs', `run_${r}`);
    mkdirSync(join(run, 'viz_snapshots'), { recursive: true });
    writeFileSync(join(run, 'hparams.yaml'), 'lr: 1e-4\n');
    files++;
    for (let s = 0; s < 250; s++) {
      for (const ext of ['pacmap.png', 'embeddings.npz']) writeFileSync(join(run, 'viz_snapshots', `viz_step_${s * 50}_${ext}`), '');
      files += 2;
    }
    for (let e = 0; e < 83; e++) {
      const step = join(run, 'eval_results', `step_${e * 100}`);
      mkdirSync(step, { recursive: true });
      for (const f of ['target_wav_0.wav', 'pred_wav_0.wav', 'key_prompt_lyric_0.txt']) writeFileSync(join(step, f), '');
      files += 3;
    }
  }
  console.log(JSON.stringify({ files }));
}

async function scan(): Promise<void> {
  const t = performance.now();
  const { runs } = await discoverRuns([dir]);
  const discovered = performance.now() - t;
  await Promise.all(runs.map((r) => summarizeRun(r)));
  const total = performance.now() - t;
  console.log(JSON.stringify({ runs: runs.length, discover_ms: discovered, total_ms: total, max_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

async function watchBurst(): Promise<void> {
  const written = new Map<string, number>();
  const delays: number[] = [];
  let done: () => void;
  const all = new Promise<void>((r) => (done = r));
  const w = new RootWatcher(dir, {
    onBatch: (b) => {
      const now = performance.now();
      for (const [p, kind] of b.changes) {
        const t = written.get(p);
        if (t !== undefined && kind === 'add') { delays.push(now - t); written.delete(p); }
      }
      if (written.size === 0) done();
    },
  });
  const t0 = performance.now();
  await w.start();
  const ready = performance.now() - t0;
  const target = join(dir, 'lightning_logs', 'run_0', 'viz_snapshots');
  for (let i = 0; i < 200; i++) {
    const p = join(target, `viz_step_${100000 + i}_embeddings.npz`);
    written.set(p, performance.now());
    writeFileSync(p, 'x'.repeat(1000));
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 15000))]);
  await w.close();
  delays.sort((a, b) => a - b);
  console.log(JSON.stringify({ watch_ready_ms: ready, received: delays.length, lost: 200 - delays.length, median_ms: delays[Math.floor(delays.length / 2)], max_ms: delays[delays.length - 1], max_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

void (mode === 'make' ? Promise.resolve(make()) : mode === 'scan' ? scan() : watchBurst());
