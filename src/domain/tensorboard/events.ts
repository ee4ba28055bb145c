// TensorBoard's Event protobuf (tensorflow/core/util/event.proto, summary.proto, tensor.proto),
// decoded to what Run Reel shows: wall time, step, and each summary value's tag, plugin and
// kind, with the number a scalar holds. Scalars come from `simple_value` and from 0-d (or
// one-element) tensors of every float dtype: float, double, half and bfloat16 (PyTorch's
// SummaryWriter writes double scalars as tensors, which TensorBoard's fast loader drops).
import { f32At, f64At, int64, ProtoReader, smallVarint, text, varintEnd } from './protobuf';

export type ValueKind = 'scalar' | 'tensor' | 'image' | 'audio' | 'histogram' | 'other';

export interface SummaryValue {
  tag: string;
  plugin?: string;
  kind: ValueKind;
  /** The number, for scalars. */
  scalar?: number;
  /** The tensor's dtype name (DT_FLOAT …), for tensors. */
  dtype?: string;
  /** The hparams plugin's hyperparameters (from its session_start_info). */
  hparams?: [string, HparamValue][];
  /** An image's or audio clip's encoded bytes (PNG, WAV): a view into the record. */
  payload?: Uint8Array;
  image?: { width: number; height: number; colorspace: number };
  audio?: { sampleRate: number; channels: number; frames: number; contentType: string };
  histogram?: Histogram;
  /** A text summary's string (the text plugin's DT_STRING tensor, its first element). */
  text?: string;
}

/** HistogramProto: bucket i counts values in (limits[i−1], limits[i]]. */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  limits: Float64Array;
  counts: Float64Array;
}

export type HparamValue = string | number | boolean | null;

export interface TbEvent {
  wallTime: number;
  /** proto3 leaves a step of 0 out: it is 0 then. */
  step: number;
  fileVersion?: string;
  values: SummaryValue[];
}

const DTYPES: Record<number, string> = { 1: 'DT_FLOAT', 2: 'DT_DOUBLE', 3: 'DT_INT32', 4: 'DT_UINT8', 7: 'DT_STRING', 9: 'DT_INT64', 10: 'DT_BOOL', 14: 'DT_BFLOAT16', 19: 'DT_HALF' };

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const bf16ToFloat = (b: number) => { u32[0] = (b & 0xffff) << 16; return f32[0]; };

/** A TensorProto's single value as a number, or undefined when it is not a one-element float/int tensor. */
function tensorScalar(bytes: Uint8Array, file: string): { dtype: string; value?: number; text?: string } {
  const r = new ProtoReader(bytes, file);
  let dtype = 0, dims = 0, elements = 1;
  let firstString: Uint8Array | undefined;
  let content: Uint8Array | undefined;
  const vals: number[] = [];
  while (!r.done) {
    const { no, v } = r.field();
    if (no === 1 && v.wire === 0) dtype = Number(v.value);
    else if (no === 2 && v.wire === 2) {
      const s = new ProtoReader(v.bytes, file);
      while (!s.done) {
        const d = s.field();
        if (d.no === 2 && d.v.wire === 2) {
          dims++;
          const dim = new ProtoReader(d.v.bytes, file);
          while (!dim.done) { const x = dim.field(); if (x.no === 1 && x.v.wire === 0) elements *= int64(x.v.value); }
        }
      }
    } else if (no === 4 && v.wire === 2) content = v.bytes;
    else if (no === 5) { // float_val, packed or not
      if (v.wire === 2) { const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength); for (let i = 0; i + 4 <= v.bytes.length; i += 4) vals.push(dv.getFloat32(i, true)); }
      else if (v.wire === 5) vals.push(r.float(v.at));
    } else if (no === 6) { // double_val
      if (v.wire === 2) { const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength); for (let i = 0; i + 8 <= v.bytes.length; i += 8) vals.push(dv.getFloat64(i, true)); }
      else if (v.wire === 1) vals.push(r.double(v.at));
    } else if (no === 8 && v.wire === 2) { // string_val
      firstString ??= v.bytes;
    } else if (no === 13 || no === 7 || no === 10) { // half_val (half and bfloat16 bits), int_val, int64_val
      const raw: bigint[] = [];
      if (v.wire === 2) { const p = new ProtoReader(v.bytes, file); while (!p.done) raw.push(p.varint()); }
      else if (v.wire === 0) raw.push(v.value);
      for (const x of raw) vals.push(no === 13 ? (dtype === 14 ? bf16ToFloat(Number(x)) : halfToFloat(Number(x) & 0xffff)) : int64(x));
    }
  }
  const name = DTYPES[dtype] ?? `DT_${dtype}`;
  if (dtype === 7) return { dtype: name, text: firstString ? text(firstString.subarray(0, MAX_TEXT)) : '' };
  if (elements !== 1 || dims > 1) return { dtype: name };
  if (content && content.length) {
    const dv = new DataView(content.buffer, content.byteOffset, content.byteLength);
    switch (dtype) {
      case 1: return content.length >= 4 ? { dtype: name, value: dv.getFloat32(0, true) } : { dtype: name };
      case 2: return content.length >= 8 ? { dtype: name, value: dv.getFloat64(0, true) } : { dtype: name };
      case 19: return content.length >= 2 ? { dtype: name, value: halfToFloat(dv.getUint16(0, true)) } : { dtype: name };
      case 14: return content.length >= 2 ? { dtype: name, value: bf16ToFloat(dv.getUint16(0, true)) } : { dtype: name };
      case 3: return content.length >= 4 ? { dtype: name, value: dv.getInt32(0, true) } : { dtype: name };
      case 9: return content.length >= 8 ? { dtype: name, value: Number(dv.getBigInt64(0, true)) } : { dtype: name };
      default: return { dtype: name };
    }
  }
  return vals.length === 1 && [1, 2, 3, 9, 14, 19].includes(dtype) ? { dtype: name, value: vals[0] } : { dtype: name };
}

function summaryValue(bytes: Uint8Array, file: string): SummaryValue {
  const r = new ProtoReader(bytes, file);
  const out: SummaryValue = { tag: '', kind: 'other' };
  while (!r.done) {
    const { no, v } = r.field();
    if (no === 1 && v.wire === 2) out.tag = text(v.bytes);
    else if (no === 2 && v.wire === 5) { out.kind = 'scalar'; out.scalar = r.float(v.at); }
    else if (no === 4 && v.wire === 2) { out.kind = 'image'; imageValue(v.bytes, file, out); }
    else if (no === 5 && v.wire === 2) { out.kind = 'histogram'; out.histogram = histogramValue(v.bytes, file); }
    else if (no === 6 && v.wire === 2) { out.kind = 'audio'; audioValue(v.bytes, file, out); }
    else if (no === 8 && v.wire === 2) {
      const t = tensorScalar(v.bytes, file);
      out.dtype = t.dtype;
      if (t.text !== undefined) out.text = t.text;
      if (t.value !== undefined && out.kind !== 'scalar') { out.kind = 'scalar'; out.scalar = t.value; } else if (out.kind === 'other') out.kind = 'tensor';
    } else if (no === 9 && v.wire === 2) {
      const m = new ProtoReader(v.bytes, file);
      while (!m.done) {
        const f = m.field();
        if (f.no === 1 && f.v.wire === 2) {
          const p = new ProtoReader(f.v.bytes, file);
          let content: Uint8Array | undefined;
          while (!p.done) {
            const x = p.field();
            if (x.no === 1 && x.v.wire === 2) out.plugin = text(x.v.bytes);
            else if (x.no === 2 && x.v.wire === 2) content = x.v.bytes;
          }
          if (out.plugin === 'hparams' && content) {
            const hp = sessionStartHparams(content, file);
            if (hp) out.hparams = hp;
          }
        }
      }
    }
  }
  // Plugins that keep non-scalar data in one-element tensors are not scalars (text, hparams …).
  if (out.kind === 'scalar' && out.plugin && out.plugin !== 'scalars' && out.dtype) { out.kind = 'tensor'; delete out.scalar; }
  return out;
}

/** Text summaries longer than this are cut (they are notes, not data). */
const MAX_TEXT = 64 << 10;

/** Summary.Image: height 1, width 2, colorspace 3, encoded_image_string 4. */
function imageValue(bytes: Uint8Array, file: string, out: SummaryValue): void {
  const r = new ProtoReader(bytes, file);
  const image = { width: 0, height: 0, colorspace: 0 };
  while (!r.done) {
    const { no, v } = r.field();
    if (v.wire === 0 && no === 1) image.height = int64(v.value);
    else if (v.wire === 0 && no === 2) image.width = int64(v.value);
    else if (v.wire === 0 && no === 3) image.colorspace = int64(v.value);
    else if (v.wire === 2 && no === 4) out.payload = v.bytes;
  }
  out.image = image;
}

/** Summary.Audio: sample_rate 1 (float), num_channels 2, length_frames 3, encoded_audio_string 4, content_type 5. */
function audioValue(bytes: Uint8Array, file: string, out: SummaryValue): void {
  const r = new ProtoReader(bytes, file);
  const audio = { sampleRate: NaN, channels: 0, frames: 0, contentType: '' };
  while (!r.done) {
    const { no, v } = r.field();
    if (v.wire === 5 && no === 1) audio.sampleRate = r.float(v.at);
    else if (v.wire === 0 && no === 2) audio.channels = int64(v.value);
    else if (v.wire === 0 && no === 3) audio.frames = int64(v.value);
    else if (v.wire === 2 && no === 4) out.payload = v.bytes;
    else if (v.wire === 2 && no === 5) audio.contentType = text(v.bytes);
  }
  out.audio = audio;
}

/** HistogramProto: min 1, max 2, num 3, sum 4, sum_squares 5 (doubles), bucket_limit 6, bucket 7 (packed doubles). */
function histogramValue(bytes: Uint8Array, file: string): Histogram {
  const r = new ProtoReader(bytes, file);
  const h = { min: NaN, max: NaN, num: 0, sum: NaN, limits: [] as number[], counts: [] as number[] };
  const doubles = (b: Uint8Array, into: number[]) => {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i + 8 <= b.length; i += 8) into.push(dv.getFloat64(i, true));
  };
  while (!r.done) {
    const { no, v } = r.field();
    if (v.wire === 1 && no <= 5) { const x = r.double(v.at); if (no === 1) h.min = x; else if (no === 2) h.max = x; else if (no === 3) h.num = x; else if (no === 4) h.sum = x; }
    else if (no === 6 || no === 7) {
      const into = no === 6 ? h.limits : h.counts;
      if (v.wire === 2) doubles(v.bytes, into);
      else if (v.wire === 1) into.push(r.double(v.at));
    }
  }
  return { ...h, limits: Float64Array.from(h.limits), counts: Float64Array.from(h.counts) };
}

/**
 * HParamsPluginData.session_start_info.hparams (tensorboard/plugins/hparams/plugin_data.proto):
 * a map of google.protobuf.Value. Lists and structs are kept as a short text.
 */
function sessionStartHparams(content: Uint8Array, file: string): [string, HparamValue][] | undefined {
  const data = new ProtoReader(content, file);
  while (!data.done) {
    const { no, v } = data.field();
    if (no !== 3 || v.wire !== 2) continue;
    const out: [string, HparamValue][] = [];
    const start = new ProtoReader(v.bytes, file);
    while (!start.done) {
      const f = start.field();
      if (f.no !== 1 || f.v.wire !== 2) continue;
      const entry = new ProtoReader(f.v.bytes, file);
      let key = '';
      let value: HparamValue = null;
      while (!entry.done) {
        const e = entry.field();
        if (e.no === 1 && e.v.wire === 2) key = text(e.v.bytes);
        else if (e.no === 2 && e.v.wire === 2) value = protobufValue(e.v.bytes, file);
      }
      out.push([key, value]);
    }
    return out;
  }
  return undefined;
}

function protobufValue(bytes: Uint8Array, file: string): HparamValue {
  const r = new ProtoReader(bytes, file);
  let out: HparamValue = null;
  while (!r.done) {
    const { no, v } = r.field();
    if (no === 2 && v.wire === 1) out = r.double(v.at);
    else if (no === 3 && v.wire === 2) out = text(v.bytes);
    else if (no === 4 && v.wire === 0) out = v.value !== 0n;
    else if ((no === 5 || no === 6) && v.wire === 2) out = no === 5 ? '{…}' : '[…]';
  }
  return out;
}

export function decodeEvent(bytes: Uint8Array, file: string): TbEvent {
  const r = new ProtoReader(bytes, file);
  const ev: TbEvent = { wallTime: NaN, step: 0, values: [] };
  while (!r.done) {
    const { no, v } = r.field();
    if (no === 1 && v.wire === 1) ev.wallTime = r.double(v.at);
    else if (no === 2 && v.wire === 0) ev.step = int64(v.value);
    else if (no === 3 && v.wire === 2) ev.fileVersion = text(v.bytes);
    else if (no === 5 && v.wire === 2) {
      const s = new ProtoReader(v.bytes, file);
      while (!s.done) { const f = s.field(); if (f.no === 1 && f.v.wire === 2) ev.values.push(summaryValue(f.v.bytes, file)); }
    }
  }
  return ev;
}

/**
 * The fast path for the record nearly every scalar log is made of: wall_time, step and summary
 * values that are a tag and a `simple_value`, nothing else. Calls `scalar` for each value and
 * returns true; returns false (having called nothing) for any other record, which then goes
 * through decodeEvent. No objects are made per field, which is most of decodeEvent's cost.
 */
export function scanSimpleScalars(b: Uint8Array, scalar: (record: Uint8Array, tagStart: number, tagEnd: number, value: number, step: number, wall: number) => void, from = 0, to = b.length): boolean {
  let p = from, wall = NaN, step = 0, sumStart = -1, sumEnd = -1;
  const n = to;
  while (p < n) {
    const key = b[p++];
    if (key === 0x09) { // wall_time: double
      if (p + 8 > n) return false;
      wall = f64At(b, p);
      p += 8;
    } else if (key === 0x10) { // step: varint (a negative or huge step takes the full path)
      let v = 0, mul = 1, x: number;
      do {
        if (p >= n || mul > 2 ** 49) return false;
        x = b[p++];
        v += (x & 0x7f) * mul;
        mul *= 128;
      } while (x & 0x80);
      step = v;
    } else if (key === 0x2a) { // summary (twice would be merged: the full path does that)
      if (sumStart >= 0) return false;
      const len = smallVarint(b, p, n);
      if (len < 0) return false;
      p = varintEnd.at;
      if (p + len > n) return false;
      sumStart = p; sumEnd = p + len; p += len;
    } else return false;
  }
  if (sumStart < 0) return false;
  // Check every value first, so a record is either all fast or all slow.
  for (let pass = 0; pass < 2; pass++) {
    let q = sumStart;
    while (q < sumEnd) {
      if (b[q++] !== 0x0a) return false;
      const len = smallVarint(b, q, sumEnd);
      if (len < 0) return false;
      q = varintEnd.at;
      const end = q + len;
      if (end > sumEnd) return false;
      let tagStart = -1, tagEnd = -1, value = NaN, has = false;
      while (q < end) {
        const k = b[q++];
        if (k === 0x0a) {
          const l = smallVarint(b, q, end);
          if (l < 0) return false;
          q = varintEnd.at;
          tagStart = q; tagEnd = q + l; q += l;
          if (q > end) return false;
        } else if (k === 0x15) {
          if (q + 4 > end) return false;
          value = f32At(b, q); has = true; q += 4;
        } else return false;
      }
      if (!has || tagStart < 0) return false;
      if (pass === 1) scalar(b, tagStart, tagEnd, value, step, wall);
    }
  }
  return true;
}

