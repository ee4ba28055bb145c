// The Scalars session the panel's host runs, over the real Lightning run: a run is sent whole
// once, then only what it gains, and whole again when a new page asks (a tab shown again).
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ScalarsSession } from '../../../src/domain/tensorboard/scalarsSession';
import type { ScalarsHostToWebview } from '../../../src/protocol/scalars';
import { realProducer } from '../helpers';

const V0 = join(realProducer('lightning'), 'lightning_logs', 'version_0');
let session: ScalarsSession | undefined;
afterEach(() => session?.dispose());

type Data = Extract<ScalarsHostToWebview, { type: 'data' }>;
const pointsOf = (messages: ScalarsHostToWebview[]) => {
  const data = messages.filter((m): m is Data => m.type === 'data');
  return { resets: data.filter((m) => m.reset).length, trainLoss: data.flatMap((m) => m.chunks).filter((c) => c.tag === 'train/loss').reduce((n, c) => n + c.steps.length, 0) };
};

test('a run goes whole once, nothing more while its files are unchanged, and whole again after resend()', async () => {
  const sent: ScalarsHostToWebview[] = [];
  session = new ScalarsSession([V0], (m) => sent.push(m), 60_000);
  await session.select([V0]);
  expect(pointsOf(sent)).toEqual({ resets: 1, trainLoss: 200 });
  sent.length = 0;
  await session.pollNow();
  expect(pointsOf(sent)).toEqual({ resets: 0, trainLoss: 0 });
  session.resend();
  await session.pollNow();
  expect(pointsOf(sent)).toEqual({ resets: 1, trainLoss: 200 });
  // The histograms and text go again too (version_0 has none: an empty list, not left out).
  const data = sent.find((m): m is Data => m.type === 'data')!;
  expect(data.histograms).toEqual([]);
});

test('a selection from the page that is not a list of folders selects only the folders in it', async () => {
  const sent: ScalarsHostToWebview[] = [];
  session = new ScalarsSession([V0], (m) => sent.push(m), 60_000);
  for (const hostile of [null, 'version_0', 5, { length: 1, 0: V0 }, [null, 7, '', {}]]) await session.select(hostile as never);
  expect(pointsOf(sent)).toEqual({ resets: 0, trainLoss: 0 });
  await session.select([V0, 42 as never, V0]);
  expect(pointsOf(sent)).toEqual({ resets: 1, trainLoss: 200 });
});
