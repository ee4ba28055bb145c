// The Live Audio panel's host side on a ring buffer audiotab's writer left: a frozen span and
// its export, and messages from a page that is not to be trusted.
import { copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { FileSource } from '../../../src/domain/artifacts/source';
import { readWavInfoFrom } from '../../../src/domain/artifacts/wav';
import { LiveAudioSession } from '../../../src/domain/audio/liveAudioSession';
import type { LiveAudioHostToWebview } from '../../../src/protocol/audio';
import { realProducer, tempDir } from '../helpers';

const RING = realProducer('audiotab', '48k_8ch_2s', 'audiotab_ringbuf');
/** The session's temporary copies of frozen spans. */
const frozenCopies = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`runreel-live-${process.pid}-`));

function open() {
  const dir = tempDir('runreel-live-session-');
  const ring = join(dir, 'audiotab_ringbuf');
  copyFileSync(RING, ring);
  const posted: LiveAudioHostToWebview[] = [], saved: string[] = [];
  const session = new LiveAudioSession(ring, {
    post: (m) => void posted.push(m),
    save: async (name, _filters, write) => { const out = join(dir, name); await write(out); saved.push(out); },
    savePng: async () => {}, warn: () => {}, visible: () => true,
  });
  return { dir, ring, session, posted, saved };
}

async function firstFrame(posted: LiveAudioHostToWebview[]) {
  for (const end = Date.now() + 5000; ;) {
    const f = posted.find((m) => m.type === 'frame');
    if (f?.type === 'frame') return f;
    if (Date.now() > end) throw new Error(`no frame: ${JSON.stringify(posted.map((m) => m.type))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('freeze keeps the span asked for; Export WAV saves it, every sample of the channels shown; the temporary copy goes on resume', async () => {
  const { session, posted, saved } = open();
  await session.handle({ type: 'subscribe', id: 1, channels: [0, 5], spectrumChannel: 0, bucket: 64, history: 48000 });
  const f = await firstFrame(posted);
  const start = f.end - 24000, end = f.end;
  await session.handle({ type: 'freeze', start, end, channels: [0, 5] });
  expect(posted.filter((m) => m.type === 'frozen').at(-1)).toEqual({ type: 'frozen', ok: true, message: 'Frozen: 2 channels kept for export.' });
  await session.handle({ type: 'exportWav', start, end, channels: [0, 5] });
  expect(saved.map((p) => p.split('/').at(-1))).toEqual([`audiotab_ringbuf_${start}-${end}.wav`]);
  const wav = await FileSource.open(saved[0]);
  try {
    expect(await readWavInfoFrom(wav)).toMatchObject({ sampleRate: 48000, channels: 2, frames: 24000 });
  } finally {
    await wav.close();
  }
  expect(frozenCopies()).toHaveLength(1);
  // Resumed: a new subscription drops the copy.
  await session.handle({ type: 'subscribe', id: 2, channels: [0], bucket: 64, history: 48000 });
  expect(frozenCopies()).toEqual([]);
  await session.dispose();
});

test('a span the ring no longer holds, or not written yet: frozen, with the reason, and nothing kept', async () => {
  const { session, posted } = open();
  await session.handle({ type: 'subscribe', id: 1, channels: [0], bucket: 64, history: 48000 });
  const f = await firstFrame(posted);
  await session.handle({ type: 'freeze', start: f.end, end: f.end + 1000, channels: [0] });
  expect(posted.filter((m) => m.type === 'frozen').at(-1)).toMatchObject({ ok: false, message: expect.stringMatching(/^Frozen, but the span could not be kept for export: .*samples up to \d+ were asked for; the writer has written \d+$/) });
  await session.handle({ type: 'freeze', start: 0, end: 10, channels: [0] });
  expect(posted.filter((m) => m.type === 'frozen').at(-1)).toMatchObject({ ok: false, message: expect.stringMatching(/overwritten by the writer before they could be saved/) });
  // Channels from the page: a list, each once, at least one.
  for (const [channels, why] of [[null, /the channels asked for are not a list \(null\)$/], [[0, 0], /a channel is asked for twice \(0, 0\)$/], [[], /no channels to save$/], [[9], /channel 9 does not exist \(the buffer has 8\)$/]] as const) {
    await session.handle({ type: 'freeze', start: f.end - 100, end: f.end, channels: channels as never });
    expect(posted.filter((m) => m.type === 'frozen').at(-1)).toMatchObject({ ok: false, message: expect.stringMatching(why) });
  }
  await session.dispose();
});

test('hostile messages from the page: each settles, with frames, a refusal or an error, and no file left behind', async () => {
  const { dir, session, posted, saved } = open();
  const value = fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null), fc.constant(undefined), fc.array(fc.integer({ min: -2, max: 20 }), { maxLength: 5 }));
  const message = fc.record({
    type: fc.constantFrom('ready', 'subscribe', 'ack', 'freeze', 'exportWav', 'bogus'),
    id: value, seq: value, channels: fc.oneof(value, fc.array(value, { maxLength: 4 })), spectrumChannel: value, bucket: value, history: value, start: value, end: value,
  });
  await fc.assert(fc.asyncProperty(message, async (m) => {
    const settled = await Promise.race([session.handle(m as never).then(() => true, (err) => (expect(err).toBeInstanceOf(Error), true)), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    expect(settled).toBe(true);
  }), { numRuns: 80 });
  await new Promise((r) => setTimeout(r, 300));
  for (const m of posted) expect(['frame', 'unavailable', 'frozen', 'error']).toContain(m.type);
  await session.dispose();
  expect(frozenCopies()).toEqual([]);
  expect(saved.every((p) => p.startsWith(dir))).toBe(true);
}, 60_000);
