// The latent store of seed 004: its records (JSON files or LMDB), their expiry and their
// generations. What each version of the producer writes: ../producers/sonaturgy.ts.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readLmdb } from './lmdb';
import { ArtifactError, asArtifactError, guard } from './errors';
import { withFile } from './source';
import { isJsonObject, parseStrictJson, type JsonValue } from './strictJson';

import { DEFAULT_TTL_HOURS, LATENT_FILE, LATENT_ID, LATENT_LMDB, TTL_ENV } from '../producers/sonaturgy';

export { DEFAULT_TTL_HOURS, LATENT_FILE, LATENT_ID };

export interface LatentRecord {
  id: string;
  path?: string;
  shape: number[];
  dtype: string;
  modelVariant: string;
  stageType: string;
  isCheckpoint: boolean;
  checkpointStep: number | null;
  totalSteps: number;
  params: { [key: string]: JsonValue };
  lmMetadata: { [key: string]: JsonValue } | null;
  batchSize: number;
  /** Seconds since the epoch, as the producer writes time.time(). */
  createdAt: number;
  pinned: boolean;
  /** The sampler's timesteps (stores from 9f719a3 on), when written. */
  schedule?: number[];
  /** Stages of one multi-stage pipeline share this id; null for a single generation. */
  pipelineId: string | null;
  /** The stage's place in its pipeline (0, 1, …), or null. */
  stageIndex: number | null;
}

export interface Expiry {
  /** Milliseconds since the epoch, or null when pinned (never expires). */
  expiresAtMs: number | null;
  expired: boolean;
  /** Expires within the next hour (and is not yet expired). */
  expiresSoon: boolean;
}

export function ttlHoursFromEnv(env: Record<string, string | undefined>): number {
  const v = Number(env[TTL_ENV]);
  return Number.isFinite(v) && v >= 0 ? v : DEFAULT_TTL_HOURS;
}

export function latentExpiry(record: Pick<LatentRecord, 'createdAt' | 'pinned'>, ttlHours: number, nowMs: number): Expiry {
  if (record.pinned) return { expiresAtMs: null, expired: false, expiresSoon: false };
  const expiresAtMs = (record.createdAt + ttlHours * 3600) * 1000;
  const left = expiresAtMs - nowMs;
  return { expiresAtMs, expired: left <= 0, expiresSoon: left > 0 && left <= 3600_000 };
}

export function parseLatentRecord(text: string, file: string): LatentRecord {
  const json = parseStrictJson(text, file, 'latent record', 32);
  if (!isJsonObject(json)) throw new ArtifactError('inconsistent', file, 'latent record is not a JSON object');
  const bad = (field: string, want: string): never => {
    throw new ArtifactError('inconsistent', file, `latent record field ${field} is ${JSON.stringify(json[field]) ?? 'missing'}, expected ${want}`);
  };
  const str = (k: string) => (typeof json[k] === 'string' ? (json[k] as string) : bad(k, 'a string'));
  const int = (k: string) => (typeof json[k] === 'number' && Number.isSafeInteger(json[k]) ? (json[k] as number) : bad(k, 'an integer'));
  const shape = Array.isArray(json.shape) && json.shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) ? (json.shape as number[]) : bad('shape', 'a list of sizes');
  const createdAt = typeof json.created_at === 'number' && Number.isFinite(json.created_at) ? json.created_at : bad('created_at', 'a timestamp');
  const cs = json.checkpoint_step;
  const lm = json.lm_metadata;
  return {
    id: str('id'),
    path: typeof json.path === 'string' ? json.path : undefined,
    shape,
    dtype: str('dtype'),
    modelVariant: str('model_variant'),
    stageType: str('stage_type'),
    isCheckpoint: json.is_checkpoint === true,
    checkpointStep: cs === null || cs === undefined ? null : typeof cs === 'number' && Number.isSafeInteger(cs) ? cs : bad('checkpoint_step', 'an integer or null'),
    totalSteps: int('total_steps'),
    params: isJsonObject(json.params) ? json.params : bad('params', 'an object'),
    lmMetadata: lm === null || lm === undefined ? null : isJsonObject(lm) ? lm : bad('lm_metadata', 'an object or null'),
    batchSize: json.batch_size === undefined ? 1 : int('batch_size'),
    createdAt,
    pinned: json.pinned === true,
    schedule: json.schedule === undefined || json.schedule === null ? undefined
      : Array.isArray(json.schedule) && json.schedule.every((x) => typeof x === 'number') ? (json.schedule as number[]) : bad('schedule', 'a list of numbers'),
    pipelineId: json.pipeline_id === undefined || json.pipeline_id === null ? null : str('pipeline_id'),
    stageIndex: json.stage_index === undefined || json.stage_index === null ? null : int('stage_index'),
  };
}

const MAX_RECORD_BYTES = 16 << 20;

export function readLatentRecord(path: string): Promise<LatentRecord> {
  return withFile(path, async (src) => {
    if (src.size > MAX_RECORD_BYTES) throw new ArtifactError('too_large', path, `latent record of ${src.size} bytes (limit ${MAX_RECORD_BYTES})`);
    if (src.size === 0) throw new ArtifactError('truncated', path, 'latent record is empty (still being written?)');
    const bytes = await src.read(0, src.size, 'latent record');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ArtifactError('bad_json', path, 'latent record is not valid UTF-8');
    }
    return parseLatentRecord(text, path);
  });
}

export interface LatentEntry {
  id: string;
  tensorPath?: string;
  recordPath?: string;
  /** The LMDB store the record was read from (sonaturgy 2239c92 and later), when it was. */
  recordIn?: string;
  record?: LatentRecord;
  /** The record could not be read (corrupt, half-written…). */
  error?: ArtifactError;
  /** 'no_tensor': a record whose tensor is gone; 'no_record': a tensor without its record. */
  orphan?: 'no_tensor' | 'no_record';
  expiry?: Expiry;
}

export interface LatentStore {
  dir: string;
  ttlHours: number;
  entries: LatentEntry[];
}

export async function scanLatentStore(dir: string, options: { ttlHours?: number; nowMs?: number } = {}): Promise<LatentStore> {
  const ttlHours = options.ttlHours ?? ttlHoursFromEnv(process.env);
  const nowMs = options.nowMs ?? Date.now();
  const names = await guard(dir, () => readdir(dir));
  const byId = new Map<string, LatentEntry>();
  for (const name of names) {
    const m = LATENT_FILE.exec(name);
    if (!m) continue;
    const id = m[1].toLowerCase();
    const e = byId.get(id) ?? { id };
    if (m[2].toLowerCase() === 'safetensors') e.tensorPath = join(dir, name);
    else e.recordPath = join(dir, name);
    byId.set(id, e);
  }
  // Newer stores keep records in LMDB (key: the id, value: the record's JSON), read without a lock.
  const lmdb = names.includes(LATENT_LMDB) ? join(dir, LATENT_LMDB) : undefined;
  let lmdbError: ArtifactError | undefined;
  if (lmdb) {
    try {
      for (const { key, value } of (await readLmdb(lmdb)).entries) {
        const id = new TextDecoder().decode(key).toLowerCase();
        if (!new RegExp(`^(${LATENT_ID})$`).test(id)) continue;
        const e = byId.get(id) ?? byId.set(id, { id }).get(id)!;
        e.recordIn = lmdb;
        try {
          e.record = parseLatentRecord(new TextDecoder('utf-8', { fatal: true }).decode(value), `${lmdb}[${id}]`);
          e.expiry = latentExpiry(e.record, ttlHours, nowMs);
        } catch (err) {
          e.error = asArtifactError(`${lmdb}[${id}]`, err);
        }
      }
    } catch (err) {
      lmdbError = asArtifactError(lmdb, err);
    }
  }
  const entries = [...byId.values()];
  await Promise.all(entries.map(async (e) => {
    if (e.recordPath) {
      try {
        e.record = await readLatentRecord(e.recordPath);
        e.expiry = latentExpiry(e.record, ttlHours, nowMs);
      } catch (err) {
        e.error = asArtifactError(e.recordPath, err);
      }
    }
    if (!e.tensorPath) e.orphan = 'no_tensor';
    else if (!e.recordPath && !e.recordIn && lmdbError) e.error = lmdbError;
    else if (!e.recordPath && !e.recordIn) e.orphan = 'no_record';
  }));
  entries.sort((a, b) => (b.record?.createdAt ?? 0) - (a.record?.createdAt ?? 0) || a.id.localeCompare(b.id));
  return { dir, ttlHours, entries };
}

/** Records of one generation are stored within seconds; a rerun of the same request comes later than this. */
export const GENERATION_GAP_MS = 5 * 60_000;

function canonical(v: JsonValue | undefined): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
}

/** What the records of one generation share: its pipeline, else the request (params less the per-record checkpoint step). */
function generationKey(r: LatentRecord): string {
  if (r.pipelineId) return `pipeline\u0000${r.pipelineId}`;
  const { checkpoint_step: _step, ...params } = r.params;
  return [r.modelVariant, r.stageType, r.totalSteps, canonical(params)].join('\u0000');
}

/**
 * Records of one generation together: the step-K checkpoints and the final latent(s) the
 * producer stores for one request (same model variant, stage, step count and params; or the
 * same pipeline_id for a multi-stage pipeline's stages), whatever the order they were stored
 * in (the sonaturgy store writes checkpoints after the finals). A rerun of the same request
 * is told apart by time: GENERATION_GAP_MS without a record of it starts another. Within a
 * generation: pipeline stages in order, checkpoints by step, then finals. Entries without a
 * readable record stand alone. Groups are newest first.
 */
export function groupGenerations(entries: readonly LatentEntry[]): LatentEntry[][] {
  const groups: LatentEntry[][] = [];
  const open = new Map<string, { members: LatentEntry[]; lastMs: number }>();
  const withRecord = entries.filter((e) => e.record).sort((a, b) => a.record!.createdAt - b.record!.createdAt);
  for (const e of withRecord) {
    const r = e.record!;
    const key = generationKey(r);
    const ms = r.createdAt * 1000;
    let g = open.get(key);
    if (!g || ms - g.lastMs > GENERATION_GAP_MS) {
      g = { members: [], lastMs: ms };
      open.set(key, g);
      groups.push(g.members);
    }
    g.members.push(e);
    g.lastMs = ms;
  }
  const order = (e: LatentEntry) => [e.record!.stageIndex ?? 0, e.record!.isCheckpoint ? (e.record!.checkpointStep ?? 0) : Infinity, e.record!.createdAt];
  for (const g of groups) {
    g.sort((a, b) => {
      const x = order(a), y = order(b);
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.id.localeCompare(b.id);
    });
  }
  for (const e of entries) if (!e.record) groups.push([e]);
  const newest = (g: LatentEntry[]) => Math.max(...g.map((e) => e.record?.createdAt ?? 0));
  return groups.sort((a, b) => newest(b) - newest(a));
}
