// WAV: PCM 8/16/24/32-bit and IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, RF64 (ds64 sizes),
// chunks in any order with odd sizes padded. A data chunk claiming more than the file holds
// is clamped with a warning (a recording still being written looks like that). Samples are
// read by frame range; peaks (min/max per bucket) stream through the file in blocks.
import { ArtifactError } from './errors';
import { withFile, type ByteSource } from './source';

export interface WavInfo {
  file: string;
  container: 'RIFF' | 'RF64' | 'RIFX';
  /** RIFX: sizes, fields and samples big-endian. */
  bigEndian: boolean;
  encoding: 'pcm' | 'float';
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  frames: number;
  durationSeconds: number;
  dataOffset: number;
  dataBytes: number;
  warnings: string[];
}

const MAX_CHUNKS = 4096;

function id4(b: Uint8Array): string {
  return String.fromCharCode(b[0], b[1], b[2], b[3]);
}

export async function readWavInfoFrom(src: ByteSource): Promise<WavInfo> {
  const file = src.name;
  if (src.size < 12) throw new ArtifactError(src.size === 0 ? 'truncated' : 'bad_magic', file, `not a WAV file (${src.size} bytes)`);
  const head = await src.read(0, 12, 'RIFF header');
  const riff = id4(head), wave = id4(head.subarray(8));
  if ((riff !== 'RIFF' && riff !== 'RF64' && riff !== 'BW64' && riff !== 'RIFX') || wave !== 'WAVE') throw new ArtifactError('bad_magic', file, `not a WAV file (starts with ${JSON.stringify(riff)}…${JSON.stringify(wave)})`);
  const container = riff === 'RIFF' ? 'RIFF' : riff === 'RIFX' ? 'RIFX' : 'RF64';
  const le = container !== 'RIFX';
  const warnings: string[] = [];
  let fmt: Uint8Array | undefined;
  let dataOffset = -1, dataBytes = 0, ds64DataSize: number | undefined;
  let pos = 12;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= src.size && (!fmt || dataOffset < 0); n++) {
    const h = await src.read(pos, 8, 'chunk header');
    const id = id4(h);
    const size = new DataView(h.buffer, h.byteOffset, 8).getUint32(4, le);
    const body = pos + 8;
    if (id === 'ds64') {
      const d = await src.read(body, Math.min(size, 28), 'ds64 chunk');
      if (d.length < 16) throw new ArtifactError('bad_header', file, 'ds64 chunk too short');
      const v = new DataView(d.buffer, d.byteOffset, d.length).getBigUint64(8, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArtifactError('too_large', file, `ds64 data size ${v} is beyond what can be addressed`);
      ds64DataSize = Number(v);
    } else if (id === 'fmt ') {
      if (size < 16) throw new ArtifactError('bad_header', file, `fmt chunk is ${size} bytes, at least 16 are needed`);
      fmt = await src.read(body, Math.min(size, 40), 'fmt chunk');
    } else if (id === 'data') {
      dataOffset = body;
      dataBytes = size === 0xffffffff && ds64DataSize !== undefined ? ds64DataSize : size;
    }
    if (id === 'data' && size === 0xffffffff && ds64DataSize === undefined) {
      dataBytes = src.size - body; // RF64 without ds64 in front: the data runs to the end
      warnings.push('data size is 0xFFFFFFFF without a ds64 chunk; reading to the end of the file');
    }
    const chunkLen = id === 'data' ? dataBytes : size;
    pos = body + chunkLen + (chunkLen % 2); // odd-sized chunks carry a pad byte
  }
  if (!fmt) throw new ArtifactError(dataOffset < 0 && pos >= src.size ? 'truncated' : 'bad_header', file, 'no fmt chunk');
  if (dataOffset < 0) throw new ArtifactError('truncated', file, 'no data chunk (the file may still be being written)');

  const dv = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
  const formatTag = dv.getUint16(0, le);
  const channels = dv.getUint16(2, le);
  const sampleRate = dv.getUint32(4, le);
  const blockAlign = dv.getUint16(12, le);
  const bitsPerSample = dv.getUint16(14, le);
  let subFormat = formatTag;
  if (formatTag === 0xfffe) {
    if (fmt.length < 40) throw new ArtifactError('bad_header', file, 'WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
    subFormat = dv.getUint32(24, le); // the GUID's first field, in the file's byte order
  }
  const encoding = subFormat === 1 ? 'pcm' : subFormat === 3 ? 'float' : undefined;
  if (!encoding) throw new ArtifactError('unsupported', file, `WAV format 0x${subFormat.toString(16)} is not supported (PCM and IEEE float are)`);
  if (channels === 0) throw new ArtifactError('bad_header', file, 'WAV has 0 channels');
  if (channels > 1024) throw new ArtifactError('unsupported', file, `WAV has ${channels} channels (limit 1024)`);
  if (sampleRate === 0) throw new ArtifactError('bad_header', file, 'WAV sample rate is 0');
  // PCM of 1–64 bits in whole bytes, left-justified (scipy's wavfile reads 5-, 12-, 20-, 36-bit …).
  const okBits = encoding === 'pcm' ? bitsPerSample >= 1 && bitsPerSample <= 64 : bitsPerSample === 32 || bitsPerSample === 64;
  if (!okBits) throw new ArtifactError('unsupported', file, `${bitsPerSample}-bit ${encoding} WAV is not supported (${encoding === 'pcm' ? '1–64' : '32/64'} are)`);
  const expectedAlign = channels * Math.ceil(bitsPerSample / 8);
  if (blockAlign !== expectedAlign) throw new ArtifactError('inconsistent', file, `block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits (${expectedAlign})`);

  const available = Math.max(0, src.size - dataOffset);
  if (dataBytes > available) {
    warnings.push(`data chunk says ${dataBytes} bytes, file has ${available}; reading ${available - (available % blockAlign)}`);
    dataBytes = available;
  }
  const frames = Math.floor(dataBytes / blockAlign);
  return { file, container, bigEndian: !le, encoding, formatTag, channels, sampleRate, bitsPerSample, blockAlign, frames, durationSeconds: frames / sampleRate, dataOffset, dataBytes: frames * blockAlign, warnings };
}

export function readWavInfo(path: string): Promise<WavInfo> {
  return withFile(path, readWavInfoFrom);
}

/** Decodes interleaved bytes into one Float32Array per channel, scaled to [-1, 1]. */
export function decodeFrames(info: WavInfo, bytes: Uint8Array): Float32Array[] {
  const { channels, bitsPerSample, encoding } = info;
  const le = !info.bigEndian;
  const frames = Math.floor(bytes.length / info.blockAlign);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const width = Math.ceil(bitsPerSample / 8);
  const full = 2 ** (8 * width - 1);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const at = (f * channels + c) * width;
      let v: number;
      if (encoding === 'float') v = width === 4 ? dv.getFloat32(at, le) : dv.getFloat64(at, le);
      else if (width === 1) v = (bytes[at] - 128) / 128; // 8 bits and fewer are unsigned
      else if (width === 2) v = dv.getInt16(at, le) / 32768;
      else if (width === 4) v = dv.getInt32(at, le) / 2147483648;
      else {
        // 3, 5, 6, 7 or 8 bytes: the most significant byte signed, the rest unsigned.
        let x = 0;
        for (let k = width - 1; k >= 0; k--) {
          const b = bytes[at + (le ? k : width - 1 - k)];
          x = x * 256 + (k === width - 1 ? (b << 24) >> 24 : b);
        }
        v = x / full;
      }
      out[c][f] = v;
    }
  }
  return out;
}

export async function readWavFrames(src: ByteSource, info: WavInfo, startFrame = 0, frameCount = info.frames - startFrame): Promise<Float32Array[]> {
  if (startFrame < 0 || frameCount < 0 || startFrame + frameCount > info.frames) {
    throw new ArtifactError('inconsistent', src.name, `frames ${startFrame}+${frameCount} are outside the file's ${info.frames}`);
  }
  const bytes = await src.read(info.dataOffset + startFrame * info.blockAlign, frameCount * info.blockAlign, 'WAV samples');
  return decodeFrames(info, bytes);
}

export interface WavPeaks {
  min: Float32Array[];
  max: Float32Array[];
}

/** Min/max per bucket for each channel over [startFrame, endFrame), reading in bounded blocks. */
export async function readWavPeaks(src: ByteSource, info: WavInfo, buckets: number, startFrame = 0, endFrame = info.frames, blockFrames = 1 << 16): Promise<WavPeaks> {
  buckets = Math.max(1, Math.min(Math.floor(buckets), 1 << 20));
  startFrame = Math.max(0, Math.min(startFrame, info.frames));
  endFrame = Math.max(startFrame, Math.min(endFrame, info.frames));
  const min = Array.from({ length: info.channels }, () => new Float32Array(buckets).fill(Infinity));
  const max = Array.from({ length: info.channels }, () => new Float32Array(buckets).fill(-Infinity));
  const span = endFrame - startFrame;
  for (let at = startFrame; at < endFrame; at += blockFrames) {
    const n = Math.min(blockFrames, endFrame - at);
    const chans = await readWavFrames(src, info, at, n);
    for (let c = 0; c < info.channels; c++) {
      const data = chans[c], mn = min[c], mx = max[c];
      for (let i = 0; i < n; i++) {
        const b = Math.min(buckets - 1, Math.floor(((at + i - startFrame) * buckets) / span));
        const v = data[i];
        if (v < mn[b]) mn[b] = v;
        if (v > mx[b]) mx[b] = v;
      }
    }
  }
  for (let c = 0; c < info.channels; c++) for (let b = 0; b < buckets; b++) if (min[c][b] === Infinity) { min[c][b] = 0; max[c][b] = 0; }
  return { min, max };
}
