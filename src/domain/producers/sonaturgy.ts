// sonaturgy's latent store (matlowai/sonaturgy web/backend/services/latent_store.py, seed 004),
// in the three versions of ../shared/real-producers/acestep/latents:
// - web_tmp/latents/<id>.safetensors (tensor `latent`, [1,T,64]; [2,T,64] for pipeline stages);
// - 29666d9 and 9f719a3: <id>.json beside it, json.dump(asdict(record)); 9f719a3 adds
//   `schedule` and checkpoint records (stored after the finals of their generation);
// - 2239c92 and later: the records in metadata.lmdb (key: id, value: compact JSON), old JSON
//   migrated and deleted;
// - ids are uuid4().hex[:12] (the seed says dashed UUIDs: both are taken);
// - the producer deletes unpinned records after ACE_LATENT_TTL_HOURS (default 24).
// Read by artifacts/latents.ts (records, expiry, generations) and artifacts/lmdb.ts.

export const LATENT_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{8,32}';
export const LATENT_FILE = new RegExp(`^(${LATENT_ID})\\.(safetensors|json)$`, 'i');
/** The LMDB environment newer stores keep their records in. */
export const LATENT_LMDB = 'metadata.lmdb';
export const DEFAULT_TTL_HOURS = 24;
export const TTL_ENV = 'ACE_LATENT_TTL_HOURS';
