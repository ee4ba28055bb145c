// zlib inflate into a buffer the caller owns. Decoding hundreds of frames with inflateSync
// makes a fresh output buffer per frame, and that garbage (megabytes a frame, outside the JS
// heap) is what a worker's memory grows on. Node's own sync path drives its zlib handle
// with an output buffer; this does the same with ours, and falls back to inflateSync (plus a
// copy) where that handle is not there.
import { constants, createInflate, inflateSync, type Inflate } from 'node:zlib';

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}
type HandleInflate = Inflate & { _handle?: ZlibHandle; _writeState?: Uint32Array };

export type InflateResult = { ok: true; bytes: number } | { ok: false; reason: 'too_long' | 'truncated' | 'error'; message: string };

let reusable: HandleInflate | undefined;

function inflater(): HandleInflate | undefined {
  if (reusable && !reusable.destroyed) {
    reusable.reset();
    return reusable;
  }
  const z = createInflate() as HandleInflate;
  z.on('error', () => {}); // read from `errored` below; the event itself comes a tick later
  if (typeof z._handle?.writeSync !== 'function' || !(z._writeState instanceof Uint32Array)) {
    z.close();
    return undefined;
  }
  return (reusable = z);
}

/**
 * Inflates the zlib stream `input` (in one piece, or in parts such as a PNG's IDAT chunks)
 * into `out`. A stream that fills `out` is 'too_long': give it one byte more than the
 * largest result you accept.
 */
export function inflateInto(input: Uint8Array | readonly Uint8Array[], out: Uint8Array): InflateResult {
  const parts = input instanceof Uint8Array ? [input] : input;
  const z = inflater();
  if (!z) return inflateByCopy(parts.length === 1 ? parts[0] : Buffer.concat(parts), out);
  let written = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    z._handle!.writeSync(i === parts.length - 1 ? constants.Z_FINISH : constants.Z_NO_FLUSH, part, 0, part.length, out, written, out.length - written);
    if (z.destroyed) return failure(z.errored as NodeJS.ErrnoException | null);
    const [availOut, availIn] = z._writeState!;
    written = out.length - availOut;
    if (availOut === 0) return tooLong(out);
    if (availIn > 0) return { ok: false, reason: 'error', message: 'data after the end of the compressed stream' };
  }
  return { ok: true, bytes: written };
}

/** The fallback, exported so tests hold it to the same results. */
export function inflateByCopy(input: Uint8Array, out: Uint8Array): InflateResult {
  try {
    // maxOutputLength must be at least 1, so a 1-byte `out` (an empty result's) is checked here.
    const data = inflateSync(input, { maxOutputLength: Math.max(1, out.length - 1) });
    if (data.length >= out.length) return tooLong(out);
    out.set(data);
    return { ok: true, bytes: data.length };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ERR_BUFFER_TOO_LARGE' ? tooLong(out) : failure(e);
  }
}

function tooLong(out: Uint8Array): InflateResult {
  return { ok: false, reason: 'too_long', message: `inflates to more than ${out.length - 1} bytes` };
}

function failure(err: NodeJS.ErrnoException | null): InflateResult {
  return { ok: false, reason: err?.code === 'Z_BUF_ERROR' ? 'truncated' : 'error', message: err?.message ?? 'invalid data' };
}
