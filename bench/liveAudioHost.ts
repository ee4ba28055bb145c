// The host half of the live audio benchmark (bench/liveAudio.ts), in a process of its own that
// loads only the host's code: LiveStream reads the ring for WARM_UP_S, then for SECONDS, when
// each frame is recorded with the time it was read and the process's CPU is the host's share. (Run from the
// harness's own bundle, Playwright's modules cost it 0.02 of a core more in garbage collection.)
// With --bare, the host's floor instead: a process that reads the same channels' new samples
// from the ring at the same rate, into one reused buffer, and does nothing else.
// Usage: liveAudioHost.cjs [--bare] RING SUBSCRIPTION_JSON SECONDS OUT_JSON
import { fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { parseRingHeader, RING_HEADER_BYTES } from '../src/domain/artifacts/ringBuffer';
import { LiveStream } from '../src/domain/audio/liveStream';
import { LIVE_FRAME_MS, type LiveFrame } from '../src/protocol/audio';

/** Seconds read before the CPU is counted and frames recorded: at 60 calls a second, V8 is still optimising the reader 15 s in. */
const WARM_UP_S = 15;

/** Frames as JSON: a Float32Array as `{ __f32: [...] }`, NaN as null (rebuilt as typed arrays in the page). */
const encodeF32 = (_k: string, v: unknown) => (v instanceof Float32Array ? { __f32: Array.from(v, (x) => (Number.isNaN(x) ? null : x)) } : v);

async function main(file: string, subscription: string, seconds: number, out: string): Promise<void> {
  const frames: (LiveFrame & { at: number })[] = [];
  const stream = new LiveStream(file, (m) => {
    if (m.type !== 'frame') return;
    frames.push({ ...m, at: performance.now() });
    setImmediate(() => stream.ack(m.id, m.seq));
  });
  stream.subscribe(JSON.parse(subscription));
  // Measured once warm (the page's share is too): the first seconds compile the reader.
  await new Promise((r) => setTimeout(r, WARM_UP_S * 1000));
  frames.length = 0;
  const cpu0 = process.cpuUsage(), wall0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stream.dispose();
  const c = process.cpuUsage(cpu0);
  const core = (c.user + c.system) / 1e6 / ((performance.now() - wall0) / 1000);
  // Numbered from 1, as a replay's acks are counted.
  const first = frames[0]?.seq ?? 1;
  writeFileSync(out, JSON.stringify({ core, frames: frames.map((f) => ({ ...f, seq: f.seq - first + 1 })) }, encodeF32));
}

async function bare(file: string, subscription: string, seconds: number, out: string): Promise<void> {
  const s = JSON.parse(subscription) as { channels: number[]; spectrumChannel?: number };
  const channels = [...new Set([...s.channels, ...(s.spectrumChannel === undefined ? [] : [s.spectrumChannel])])];
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size, head = new Uint8Array(64);
  const header = () => { readSync(fd, head, 0, 64, 0); return parseRingHeader(head, size, file); };
  let h = header();
  let cursor = h.writeSequence * h.samplesPerWrite, frames = 0;
  const buf = new Uint8Array(h.capacity * 8);
  const timer = setInterval(() => {
    h = header();
    const written = h.writeSequence * h.samplesPerWrite;
    const n = Math.min(written - cursor, h.capacity - h.samplesPerWrite);
    if (n <= 0) return;
    for (const c of channels) {
      const base = RING_HEADER_BYTES + c * h.capacity * 8, at = (written - n) % h.capacity, first = Math.min(n, h.capacity - at);
      readSync(fd, buf, 0, first * 8, base + at * 8);
      if (first < n) readSync(fd, buf, first * 8, (n - first) * 8, base);
    }
    cursor = written;
    frames++;
  }, LIVE_FRAME_MS);
  await new Promise((r) => setTimeout(r, WARM_UP_S * 1000));
  frames = 0;
  const cpu0 = process.cpuUsage(), wall0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  const c = process.cpuUsage(cpu0);
  writeFileSync(out, JSON.stringify({ core: (c.user + c.system) / 1e6 / ((performance.now() - wall0) / 1000), frames }));
}

const isBare = process.argv[2] === '--bare';
const [file, subscription, seconds, out] = process.argv.slice(isBare ? 3 : 2);
(isBare ? bare : main)(file, subscription, Number(seconds), out).catch((err) => { console.error(err); process.exit(1); });
