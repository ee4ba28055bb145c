// Run Reel's side of the animation benchmark, in a fresh process (so max RSS is its own).
//   node animation.cjs gif FRAMES_DIR OUT_DIR WORKER   -> {"ms", "max_rss_mb", "bytes"}
//   node animation.cjs webm FRAMES_DIR OUT_DIR WORKER
//   node animation.cjs psnr FRAMES_DIR GIF_OR_WEBM     -> {"psnr_db"} (all frames decoded back)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAnimation } from '../src/domain/animation/animate';
import { readPng } from '../src/domain/artifacts/png';

const [mode, frames, target, worker] = process.argv.slice(2);

function frameFiles(): string[] {
  return readdirSync(frames).filter((n) => /^viz_step_\d+_pacmap\.png$/.test(n)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0])).map((n) => join(frames, n));
}

async function encode(gif: boolean): Promise<void> {
  const t = performance.now();
  const r = await createAnimation(frames, { gif, webm: !gif, outDir: target, label: false, workerScript: worker });
  const ms = performance.now() - t;
  const path = gif ? r.gif!.path : r.webm!.path;
  console.log(JSON.stringify({ ms, max_rss_mb: process.resourceUsage().maxRSS / 1024, bytes: statSync(path).size, path }));
}

/** Mean PSNR over all frames: the output decoded by ffmpeg (all GIF/WebM semantics), frame by frame. */
async function psnr(): Promise<void> {
  const files = frameFiles();
  const first = await readPng(files[0]);
  const { width, height } = first;
  const frameBytes = width * height * 4;
  // passthrough: every encoded frame once, in order (no retiming of variable-rate inputs)
  const proc = spawn('ffmpeg', ['-v', 'error', '-i', target, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, 'pipe:1']);
  let buf = Buffer.alloc(0);
  let k = 0, total = 0;
  const scores: number[] = [];
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= frameBytes) {
        const frame = buf.subarray(0, frameBytes);
        buf = buf.subarray(frameBytes);
        const i = k++;
        if (i < files.length) {
          const copy = Buffer.from(frame);
          pending.push(readPng(files[i]).then((src) => {
            let se = 0;
            for (let p = 0; p < frameBytes; p += 4) for (let c = 0; c < 3; c++) { const e = copy[p + c] - src.data[p + c]; se += e * e; }
            scores[i] = 10 * Math.log10((255 * 255) / Math.max(1e-9, se / (width * height * 3)));
          }));
        }
      }
    });
    proc.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}`))));
  });
  await Promise.all(pending);
  for (const s of scores) total += s;
  console.log(JSON.stringify({ psnr_db: total / files.length, decoded: k }));
}

void (mode === 'psnr' ? psnr() : encode(mode === 'gif'));
