// Writing 32-bit float WAV, streamed: the header states the length up front and the
// samples follow in chunks, so a capture of any length needs one chunk of memory.
import { open } from 'node:fs/promises';
import { ArtifactError } from '../artifacts/errors';

const HEADER_BYTES = 58; // RIFF + fmt (18) + fact + data headers

/** The header of a float32 WAV of `frames` frames; non-PCM formats carry a fact chunk. */
export function floatWavHeader(sampleRate: number, channels: number, frames: number, file = 'WAV'): Uint8Array {
  const dataBytes = frames * channels * 4;
  if (!Number.isSafeInteger(dataBytes) || dataBytes + HEADER_BYTES - 8 > 0xffffffff) {
    throw new ArtifactError('too_large', file, `${frames} frames of ${channels} channels is over the 4 GiB a WAV file can hold`);
  }
  const b = new Uint8Array(HEADER_BYTES);
  const dv = new DataView(b.buffer);
  const id = (at: number, s: string) => { for (let i = 0; i < 4; i++) b[at + i] = s.charCodeAt(i); };
  id(0, 'RIFF'); dv.setUint32(4, HEADER_BYTES - 8 + dataBytes, true); id(8, 'WAVE');
  id(12, 'fmt '); dv.setUint32(16, 18, true);
  dv.setUint16(20, 3, true); dv.setUint16(22, channels, true); dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * channels * 4, true); dv.setUint16(32, channels * 4, true); dv.setUint16(34, 32, true); dv.setUint16(36, 0, true);
  id(38, 'fact'); dv.setUint32(42, 4, true); dv.setUint32(46, frames, true);
  id(50, 'data'); dv.setUint32(54, dataBytes, true);
  return b;
}

/**
 * Writes `frames` frames to `path`, asking `chunk(from, n)` for planar samples n at a time.
 * Callers write to a temporary name and rename (see writeAtomically).
 */
export async function writeFloatWav(path: string, sampleRate: number, channels: number, frames: number, chunk: (from: number, n: number) => Promise<ArrayLike<number>[]>, chunkFrames = 1 << 16): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(floatWavHeader(sampleRate, channels, frames, path));
    const interleaved = new Float32Array(Math.min(frames, chunkFrames) * channels);
    for (let from = 0; from < frames; from += chunkFrames) {
      const n = Math.min(chunkFrames, frames - from);
      const planar = await chunk(from, n);
      for (let c = 0; c < channels; c++) {
        const src = planar[c];
        for (let i = 0; i < n; i++) interleaved[i * channels + c] = src[i];
      }
      await handle.write(new Uint8Array(interleaved.buffer, 0, n * channels * 4));
    }
  } finally {
    await handle.close();
  }
}
