// The host sides of the Safetensors Inspector, Latent Store and Media panels, driven by the
// messages their webviews send, on files the producers wrote.
import { chmodSync, copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { groupGenerations, scanLatentStore } from '../../../src/domain/artifacts/latents';
import { readImageSize } from '../../../src/domain/artifacts/imageSize';
import { resolveFfmpeg, resolveFfprobe } from '../../../src/domain/animation/ffmpeg';
import { LatentStoreSession } from '../../../src/domain/latents/storeSession';
import { MediaSession } from '../../../src/domain/media/mediaSession';
import { InspectorSession } from '../../../src/domain/tensors/inspectorSession';
import type { MediaHostToWebview } from '../../../src/protocol/media';
import type { InspectorHostToWebview, LatentStoreHostToWebview } from '../../../src/protocol/tensors';
import { artifactError, mediaHost, realProducer, tempDir, TENSORS } from '../helpers';

const STORE = join(TENSORS, 'store');
const WALL = 1763700000;
const storeExpected = JSON.parse(readFileSync(join(TENSORS, 'store.expected.json'), 'utf8'));
const ids: Record<string, string> = storeExpected.ids;
const LAYOUTS = join(__dirname, '..', '..', 'fixtures', 'layouts');
const GALLERY = join(LAYOUTS, 'backend', 'mv', 'outputs', 'character_reference');

function collect<M>() {
  const posted: M[] = [];
  const copied: string[] = [];
  return { posted, copied, of: <T extends string>(type: T) => posted.filter((m) => (m as { type: string }).type === type) as Extract<M, { type: T }>[] };
}

describe('latent store', () => {
  test('pinned, expiring, expired and orphaned records; a half-written record is named', async () => {
    const store = await scanLatentStore(STORE, { ttlHours: 24, nowMs: (WALL + 23.5 * 3600) * 1000 });
    const byId = new Map(store.entries.map((e) => [e.id, e]));
    expect(store.entries).toHaveLength(10);
    expect(byId.get(ids.bf16)!.expiry).toEqual({ expiresAtMs: null, expired: false, expiresSoon: false });
    expect(byId.get(ids.ckpt2)!.expiry).toMatchObject({ expired: false, expiresSoon: true });
    expect(byId.get(ids.again)!.expiry).toMatchObject({ expired: false, expiresSoon: false });
    expect(byId.get(ids.notensor)!.orphan).toBe('no_tensor');
    expect(byId.get(ids.norecord)!.orphan).toBe('no_record');
    const corrupt = byId.get(ids.corrupt)!;
    expect(corrupt.error?.message).toContain(`${ids.corrupt}.json`);
    const later = await scanLatentStore(STORE, { ttlHours: 24, nowMs: (WALL + 24.05 * 3600) * 1000 });
    expect(later.entries.find((e) => e.id === ids.final)!.expiry!.expired).toBe(true);
    expect(later.entries.find((e) => e.id === ids.bf16)!.expiry!.expired).toBe(false);
  });

  test('generations: checkpoints and final of one request together; a rerun is its own', async () => {
    const store = await scanLatentStore(STORE, { ttlHours: 24, nowMs: WALL * 1000 });
    const groups = groupGenerations(store.entries).map((g) => g.map((e) => e.id));
    expect(groups).toContainEqual([ids.ckpt2, ids.ckpt4, ids.final]);
    expect(groups).toContainEqual([ids.again]);
    expect(groups[0]).toEqual([ids.again]); // newest first
    // Records that cannot be read, and tensors without a record, stand alone.
    expect(groups).toContainEqual([ids.norecord]);
    expect(groups).toContainEqual([ids.corrupt]);
    expect(groups.flat().sort()).toEqual(store.entries.map((e) => e.id).sort());
  });

  test('session: rows with params as text, copy, compare and its errors', async () => {
    const m = collect<LatentStoreHostToWebview>();
    const inspected: string[] = [];
    const session = new LatentStoreSession(STORE, { post: (x) => m.posted.push(x), copy: (t) => m.copied.push(t), inspect: (p) => inspected.push(p), reveal: () => {} }, () => 24);
    await session.handle({ type: 'ready' });
    const [store] = m.of('store');
    expect(store.rows).toHaveLength(10);
    const final = store.rows.find((r) => r.id === ids.final)!;
    expect(final).toMatchObject({ stage: 'generate', variant: 'acestep-v15-base', totalSteps: 8, isCheckpoint: false, shape: [1, 32, 8], caption: 'lofi piano, rain', tensorBytes: expect.any(Number) });
    expect(JSON.parse(final.paramsText!)).toEqual({ caption: 'lofi piano, rain', inference_steps: 8, seed: 42 });
    expect(JSON.parse(final.lmText!)).toMatchObject({ bpm: 110 });
    expect(store.generations).toContainEqual([ids.ckpt2, ids.ckpt4, ids.final]);
    await session.handle({ type: 'copyId', id: ids.final });
    expect(m.copied).toEqual([ids.final]);
    await session.handle({ type: 'inspect', path: final.tensorPath! });
    expect(inspected).toEqual([final.tensorPath]);
    // Only the files of the records listed: any other path from the page is refused by name.
    await session.handle({ type: 'inspect', path: '/etc/passwd' });
    await session.handle({ type: 'reveal', path: 3 as never });
    expect(inspected).toEqual([final.tensorPath]);
    expect(m.of('error').slice(-2).map((e) => e.message)).toEqual([`${STORE}: "/etc/passwd" is not a file of the latents listed`, `${STORE}: 3 is not a file of the latents listed`]);

    await session.handle({ type: 'compare', a: ids.final, b: ids.ckpt4, window: { lead: [], maxRows: 1000, maxCols: 1000 } });
    const [cmp] = m.of('comparison');
    expect(cmp.comparison.shape).toEqual([1, 32, 8]);
    cmp.comparison.cosine.forEach((v, i) => expect(v).toBeCloseTo(storeExpected.cosine[i], 5));
    // F16 against F32: decoded and compared like any other pair.
    await session.handle({ type: 'compare', a: ids.final, b: ids.f16, window: { lead: [0], maxRows: 10, maxCols: 10 } });
    expect(m.of('comparison')).toHaveLength(2);
    await session.handle({ type: 'compare', a: ids.final, b: ids.other, window: { lead: [0], maxRows: 10, maxCols: 10 } });
    await session.handle({ type: 'compare', a: ids.final, b: ids.notensor, window: { lead: [0], maxRows: 10, maxCols: 10 } });
    const errors = m.of('compareError').map((e) => e.message);
    expect(errors[0]).toMatch(/shapes differ/);
    expect(errors[1]).toMatch(new RegExp(`${ids.notensor}: this latent has no tensor file`));
  });

  test('session: a store folder that is gone is reported, not thrown', async () => {
    const m = collect<LatentStoreHostToWebview>();
    const session = new LatentStoreSession(join(tempDir(), 'nope'), { post: (x) => m.posted.push(x), copy: () => {}, inspect: () => {}, reveal: () => {} }, () => 24);
    await session.handle({ type: 'ready' });
    expect(m.of('error')[0].message).toMatch(/nope: no such file/);
  });
});

describe('inspector session', () => {
  test('header, metadata and dtype totals; stats and a plane on request', async () => {
    const m = collect<InspectorHostToWebview>();
    const session = new InspectorSession(join(TENSORS, 'stats.safetensors'), { post: (x) => m.posted.push(x), copy: (t) => m.copied.push(t) });
    await session.handle({ type: 'ready' });
    const [{ header }] = m.of('header');
    expect(header.tensors.map((t) => t.name).sort()).toEqual(['bf16_latent', 'f16_plane', 'f32_special', 'known', 'scalar']);
    expect(header.metadata).toContainEqual(['<b>html</b>', '<img src=x onerror=alert(1)>']);
    expect(header.totals.find((t) => t.dtype === 'F32')).toEqual({ dtype: 'F32', tensors: 3, count: 6000 + 48 + 1, bytes: (6000 + 48 + 1) * 4 });
    expect(header.totals.find((t) => t.dtype === 'BF16')).toMatchObject({ tensors: 1, count: 2048, bytes: 4096 });
    await session.handle({ type: 'stats', name: 'known' });
    expect(m.of('stats')[0].stats).toMatchObject({ min: 0, max: 135, count: 48 });
    await session.handle({ type: 'plane', seq: 3, name: 'known', window: { lead: [1], maxRows: 10, maxCols: 10 } });
    const [plane] = m.of('plane');
    expect(plane.seq).toBe(3);
    expect(Array.from(plane.plane.values.slice(0, 3))).toEqual([100, 101, 102]);
    await session.handle({ type: 'plane', seq: 4, name: 'nope', window: { lead: [], maxRows: 10, maxCols: 10 } });
    expect(m.of('error')[0]).toMatchObject({ seq: 4, name: 'nope', message: expect.stringMatching(/has no tensor named "nope"/) });
    // A window from the page is checked, not trusted: sizes that are not sizes, leads that are not lists.
    await session.handle({ type: 'plane', seq: 5, name: 'known', window: { lead: [1], maxRows: Infinity, maxCols: 10 } });
    expect(m.of('error').at(-1)).toMatchObject({ seq: 5, message: expect.stringMatching(/tensor "known": a window of at most Infinity × 10 cells is not a size$/) });
    await session.handle({ type: 'plane', seq: 6, name: 'known', window: null as never });
    expect(m.of('error').at(-1)).toMatchObject({ seq: 6, message: expect.stringMatching(/tensor "known": the window asked for has no list of leading indices$/) });
    expect(m.of('plane')).toHaveLength(1);
  });

  test('a file replaced while open: the new header is sent, marked changed', async () => {
    const dir = tempDir();
    const file = join(dir, 'model.safetensors');
    copyFileSync(join(TENSORS, 'stats.safetensors'), file);
    const m = collect<InspectorHostToWebview>();
    const session = new InspectorSession(file, { post: (x) => m.posted.push(x), copy: () => {} });
    await session.handle({ type: 'ready' });
    copyFileSync(join(STORE, `${ids.final}.safetensors`), file);
    await session.fileChanged();
    const headers = m.of('header');
    expect(headers.map((h) => h.changed)).toEqual([false, true]);
    expect(headers[1].header.tensors.map((t) => t.name)).toEqual(['latent']);
  });

  test.each([
    ['empty', new Uint8Array(0), /file has 0 bytes/],
    ['truncated', readFileSync(join(TENSORS, 'stats.safetensors')).subarray(0, 900), /truncated|needs|data should be|header says/],
    ['not safetensors', new TextEncoder().encode('{"hello": "world"}'), /header/],
  ])('%s file: an error naming it, no header', async (_name, bytes, pattern) => {
    const file = join(tempDir(), 'bad.safetensors');
    writeFileSync(file, bytes);
    const m = collect<InspectorHostToWebview>();
    await new InspectorSession(file, { post: (x) => m.posted.push(x), copy: () => {} }).handle({ type: 'ready' });
    expect(m.of('header')).toHaveLength(0);
    expect(m.of('error')[0].message).toContain(file);
    expect(m.of('error')[0].message).toMatch(pattern);
  });
});

describe('media', () => {
  test('image sizes from headers: PNG, JPEG, WebP', async () => {
    for (const [name, format] of [['00000000-4b43-4c59-9d0a-8f1f5b0b7a10.png', 'png'], ['00000002-4b43-4c59-9d0a-8f1f5b0b7a12.jpg', 'jpeg'], ['00000003-4b43-4c59-9d0a-8f1f5b0b7a13.webp', 'webp']]) {
      expect(await readImageSize(join(GALLERY, name))).toEqual({ format, width: 32, height: 24 });
    }
  });

  test('broken images are named with the problem', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.png'), readFileSync(join(GALLERY, '00000000-4b43-4c59-9d0a-8f1f5b0b7a10.png')).subarray(0, 12));
    writeFileSync(join(dir, 'b.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]));
    writeFileSync(join(dir, 'c.webp'), Buffer.from('RIFF\0\0\0\0WEBPVP8Z' + '\0'.repeat(20)));
    expect((await artifactError(() => readImageSize(join(dir, 'a.png')))).message).toMatch(/a\.png: image header ends after 12 bytes/);
    expect((await artifactError(() => readImageSize(join(dir, 'b.jpg')))).message).toMatch(/b\.jpg: .*(length 1|ended|needs)/);
    expect((await artifactError(() => readImageSize(join(dir, 'c.webp')))).message).toMatch(/c\.webp: WebP chunk "VP8Z"/);
  });

  test('session: images with ids and sizes, clips probed by ffprobe, broken files flagged', async () => {
    const dir = tempDir();
    cpSync(GALLERY, dir, { recursive: true });
    cpSync(join(LAYOUTS, 'videos'), dir, { recursive: true });
    writeFileSync(join(dir, '11111111-2222-4333-8444-555555555555.png'), 'not a png');
    writeFileSync(join(dir, 'broken.mp4'), 'not a video');
    const ffprobe = resolveFfprobe(resolveFfmpeg()).path;
    const m = collect<MediaHostToWebview>();
    const session = new MediaSession(dir, mediaHost({ post: (x) => void m.posted.push(x), uri: (p) => `uri:${p}`, copy: (t) => void m.copied.push(t), ffprobe: () => ffprobe }), join(dir, 'scene_2.webm'));
    await session.handle({ type: 'ready' });
    const lists = m.of('media');
    expect(lists.length).toBe(2); // listed at once, then again with the probes
    const { images, clips } = lists[1];
    expect(images).toHaveLength(5);
    const png = images.find((i) => i.name.startsWith('00000000'))!;
    expect(png).toMatchObject({ id: '00000000-4b43-4c59-9d0a-8f1f5b0b7a10', width: 32, height: 24, format: 'png', src: `uri:${png.path}` });
    expect(images.find((i) => i.name.startsWith('11111111'))!.error).toMatch(/not a PNG, JPEG, WebP or GIF/);
    expect(clips.map((c) => c.name)).toEqual(['broken.mp4', 'scene_1.mp4', 'scene_2.webm']);
    expect(clips[1].probe).toMatchObject({ width: 64, height: 48, hasAudio: false, videoCodec: 'h264' });
    expect(clips[1].probe!.duration).toBeCloseTo(1, 1);
    expect(clips[2].probe).toMatchObject({ videoCodec: 'vp9' });
    expect(clips[0].error).toMatch(/ffprobe cannot read it/);
    expect(m.of('focus')).toEqual([{ type: 'focus', path: join(dir, 'scene_2.webm') }]);
    // Probes are cached: a relist probes nothing new and sends once.
    await session.refresh();
    expect(m.of('media').length).toBe(3);
  });

  test('after a reload the image shown before comes back with the first list, and probing the clips does not undo an image opened since', async () => {
    const dir = tempDir();
    cpSync(GALLERY, dir, { recursive: true });
    cpSync(join(LAYOUTS, 'videos'), dir, { recursive: true });
    // The real ffprobe, slow to start (a cold disk, many clips): probing takes seconds.
    const slow = join(dir, 'slow-ffprobe.sh');
    writeFileSync(slow, `#!/bin/sh\nsleep 1\nexec "${resolveFfprobe(resolveFfmpeg()).path}" "$@"\n`);
    chmodSync(slow, 0o755);
    const before = join(dir, '00000000-4b43-4c59-9d0a-8f1f5b0b7a10.png');
    const m = collect<MediaHostToWebview>();
    const session = new MediaSession(dir, mediaHost({ post: (x) => void m.posted.push(x), ffprobe: () => slow }), before);
    const ready = session.handle({ type: 'ready' });
    await expect.poll(() => m.of('media').length).toBe(1);
    expect(m.of('focus')).toEqual([{ type: 'focus', path: before }]);
    // The user moves on to another image while the clips are probed.
    const next = m.of('media')[0].images.find((i) => i.path !== before)!.path;
    await session.handle({ type: 'focus', path: next });
    await ready;
    expect(m.of('media')).toHaveLength(2);
    expect(m.of('media')[1].clips.find((c) => c.name === 'scene_1.mp4')!.probe).toMatchObject({ width: 64, height: 48 });
    expect(m.of('focus')).toEqual([{ type: 'focus', path: before }]);
  });

  test('the page may reveal, play and stitch only this folder\'s images and clips', async () => {
    const dir = tempDir();
    cpSync(join(LAYOUTS, 'videos'), dir, { recursive: true });
    const m = collect<MediaHostToWebview>();
    const acted: string[] = [];
    const session = new MediaSession(dir, mediaHost({
      post: (x) => void m.posted.push(x), reveal: (p) => void acted.push(`reveal ${p}`), openExternal: (p) => void acted.push(`open ${p}`), stitch: (ps) => void acted.push(`stitch ${ps.join(',')}`),
    }));
    const clip = join(dir, 'scene_1.mp4');
    await session.handle({ type: 'openExternal', path: clip });
    await session.handle({ type: 'reveal', path: clip });
    await session.handle({ type: 'stitch', paths: [clip, join(dir, 'scene_2.webm')] });
    expect(acted).toEqual([`open ${clip}`, `reveal ${clip}`, `stitch ${clip},${join(dir, 'scene_2.webm')}`]);
    for (const hostile of ['/bin/sh', join(dir, '..', 'elsewhere.mp4'), join(dir, 'sub', 'x.mp4'), join(dir, 'notes.txt'), null, 7]) {
      await session.handle({ type: 'openExternal', path: hostile as never });
      await session.handle({ type: 'reveal', path: hostile as never });
    }
    await session.handle({ type: 'stitch', paths: [clip, '/etc/passwd.mp4'] });
    await session.handle({ type: 'stitch', paths: 'all' as never });
    expect(acted).toHaveLength(3);
    expect(m.of('error').map((e) => e.message).slice(-2)).toEqual([`${dir}: "/etc/passwd.mp4" is not one of this folder's images or clips`, `${dir}: no clips to stitch`]);
    expect(m.of('error')).toHaveLength(12 + 2);
  });

  test('session without ffprobe: clips listed, not probed', async () => {
    const m = collect<MediaHostToWebview>();
    const session = new MediaSession(join(LAYOUTS, 'videos'), mediaHost({ post: (x) => void m.posted.push(x) }));
    await session.handle({ type: 'ready' });
    const [list] = m.of('media');
    expect(list.ffprobe).toBeNull();
    expect(list.clips.map((c) => [c.name, c.probe])).toEqual([['scene_1.mp4', undefined], ['scene_2.webm', undefined]]);
    expect(m.of('media')).toHaveLength(1);
  });
});

test('the latent store follows the run\'s step clock to the nearest checkpoint latent', async () => {
  const posted: LatentStoreHostToWebview[] = [];
  const session = new LatentStoreSession(realProducer('acestep', 'latents', '2239c92', 'web_tmp', 'latents'), { post: (x) => posted.push(x), copy: () => {}, inspect: () => {}, reveal: () => {} }, () => 1e6);
  await session.handle({ type: 'ready' });
  const store = posted.find((m) => m.type === 'store') as Extract<LatentStoreHostToWebview, { type: 'store' }>;
  const checkpoints = store.rows.filter((r) => typeof r.checkpointStep === 'number');
  expect(checkpoints.length).toBe(4); // FORMATS.md: two step-4 checkpoints for each of two generations
  session.goToStep(7);
  const sel = posted.at(-1) as Extract<LatentStoreHostToWebview, { type: 'select' }>;
  expect(sel.type).toBe('select');
  expect(checkpoints.map((r) => r.id)).toContain(sel.id);
  const before = posted.length;
  const empty = new LatentStoreSession(tempDir(), { post: (x) => posted.push(x), copy: () => {}, inspect: () => {}, reveal: () => {} }, () => 24);
  await empty.handle({ type: 'ready' });
  empty.goToStep(3);
  expect(posted.slice(before).some((m) => m.type === 'select')).toBe(false);
});

test('a clock step set before the latent store opened, or while it was hidden, is applied when its page is ready', async () => {
  const dir = realProducer('acestep', 'latents', '2239c92', 'web_tmp', 'latents');
  const host = (posted: LatentStoreHostToWebview[]) => ({ post: (x: LatentStoreHostToWebview) => posted.push(x), copy: () => {}, inspect: () => {}, reveal: () => {} });
  const posted: LatentStoreHostToWebview[] = [];
  const session = new LatentStoreSession(dir, host(posted), () => 1e6, 7);
  await session.handle({ type: 'ready' });
  const store = posted.find((m) => m.type === 'store') as Extract<LatentStoreHostToWebview, { type: 'store' }>;
  const checkpointIds = store.rows.filter((r) => typeof r.checkpointStep === 'number').map((r) => r.id);
  const selects = () => posted.filter((m): m is Extract<LatentStoreHostToWebview, { type: 'select' }> => m.type === 'select');
  expect(selects()).toHaveLength(1);
  expect(checkpointIds).toContain(selects()[0].id);
  // Hidden: nothing is posted to a page that is not there; the next page gets it, once.
  session.goToStep(4, false);
  expect(selects()).toHaveLength(1);
  await session.handle({ type: 'ready' });
  expect(selects()).toHaveLength(2);
  await session.handle({ type: 'ready' });
  expect(selects()).toHaveLength(2);
});

describe('hostile messages', () => {
  const value = fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), fc.double(), fc.string({ maxLength: 8 }), fc.constant(null), fc.constant(undefined), fc.constant('__proto__'), fc.array(fc.integer({ min: -3, max: 1e6 }), { maxLength: 4 }));
  const window = fc.oneof(value, fc.record({ lead: fc.oneof(value, fc.array(value, { maxLength: 3 })), r0: value, r1: value, c0: value, c1: value, maxRows: value, maxCols: value }, { requiredKeys: [] }));

  test('the inspector answers each with a header, stats, a plane within its cell limit or an error, and never throws', async () => {
    const m = collect<InspectorHostToWebview>();
    const session = new InspectorSession(join(TENSORS, 'stats.safetensors'), { post: (x) => m.posted.push(x), copy: (t) => m.copied.push(t) });
    const message = fc.record({ type: fc.constantFrom('ready', 'stats', 'plane', 'copy', 'bogus'), seq: value, name: fc.oneof(fc.constantFrom('known', 'bf16_latent', 'f16_plane', 'scalar', 'constructor'), value), window, text: value });
    await fc.assert(fc.asyncProperty(message, async (msg) => {
      const from = m.posted.length;
      await session.handle(msg as never);
      for (const p of m.posted.slice(from)) {
        expect(['header', 'progress', 'stats', 'plane', 'error']).toContain(p.type);
        if (p.type === 'plane') expect(p.plane.values.length).toBeLessThanOrEqual(1 << 22);
        if (p.type === 'error') expect(p.message).toMatch(/\S/);
      }
    }), { numRuns: 150 });
    session.dispose();
  }, 60_000);

  test('the latent store answers each with rows, a comparison or an error, and never throws', async () => {
    const m = collect<LatentStoreHostToWebview>();
    const session = new LatentStoreSession(STORE, { post: (x) => m.posted.push(x), copy: (t) => m.copied.push(t), inspect: () => {}, reveal: () => {} }, () => 24);
    const message = fc.record({ type: fc.constantFrom('ready', 'copyId', 'compare', 'bogus'), id: value, a: fc.oneof(fc.constantFrom(...Object.values(ids)), value), b: fc.oneof(fc.constantFrom(...Object.values(ids)), value), window });
    await fc.assert(fc.asyncProperty(message, async (msg) => {
      const from = m.posted.length;
      await session.handle(msg as never);
      for (const p of m.posted.slice(from)) expect(['store', 'comparison', 'compareError', 'error']).toContain(p.type);
    }), { numRuns: 100 });
    session.dispose();
  }, 60_000);
});
