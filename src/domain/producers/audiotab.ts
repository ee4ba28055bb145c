// audiotab (FYZAFH/audiotab, seed 003): what its audio engine writes, and where.
// Checked against its real RingBufferWriter's files in shared/real-producers/audiotab.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The writer never fills the header's samples-per-write (bytes 48–55 stay 0): it writes
 * blocks of this many samples, block k starting at (k·1024) mod capacity.
 */
export const AUDIOTAB_WRITE_STRIDE = 1024;

/** The app's ring buffer: `/tmp/audiotab_ringbuf` on every OS (src-tauri/src/state.rs), then the system temp folder. */
export function audiotabRingPaths(tmp = tmpdir()): string[] {
  return [...new Set(['/tmp/audiotab_ringbuf', join(tmp, 'audiotab_ringbuf')])];
}
