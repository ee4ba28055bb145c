// The host half of the live audio benchmark (bench/liveAudio.ts), in a process of its own that
// loads only the host's code: LiveStream reads the ring for SECONDS, each frame is recorded with
// the time it was read, and the process's CPU over the span is the host's share. (Run from the
// harness's own bundle, Playwright's modules cost it 0.02 of a core more in garbage collection.)
// Usage: liveAudioHost.cjs RING SUBSCRIPTION_JSON SECONDS OUT_JSON
import { writeFileSync } from 'node:fs';
import { LiveStream } from '../src/domain/audio/liveStream';
import type { LiveFrame } from '../src/protocol/audio';

/** Frames as JSON: a Float32Array as `{ __f32: [...] }`, NaN as null (rebuilt as typed arrays in the page). */
const encodeF32 = (_k: string, v: unknown) => (v instanceof Float32Array ? { __f32: Array.from(v, (x) => (Number.isNaN(x) ? null : x)) } : v);

async function main(file: string, subscription: string, seconds: number, out: string): Promise<void> {
  const frames: (LiveFrame & { at: number })[] = [];
  const stream = new LiveStream(file, (m) => {
    if (m.type !== 'frame') return;
    frames.push({ ...m, at: performance.now() });
    setImmediate(() => stream.ack(m.id, m.seq));
  });
  const cpu0 = process.cpuUsage(), wall0 = performance.now();
  stream.subscribe(JSON.parse(subscription));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stream.dispose();
  const c = process.cpuUsage(cpu0);
  const core = (c.user + c.system) / 1e6 / ((performance.now() - wall0) / 1000);
  writeFileSync(out, JSON.stringify({ core, frames }, encodeF32));
}

const [file, subscription, seconds, out] = process.argv.slice(2);
main(file, subscription, Number(seconds), out).catch((err) => { console.error(err); process.exit(1); });
