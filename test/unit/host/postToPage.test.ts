// postToPage: a large message goes in parts, two on their way at most, every message in the
// order posted, and nothing more to a page that has gone.
import { expect, test } from 'vitest';
import { PartsReceiver } from '../../../src/protocol/parts';
import { postToPage, type PageChannel } from '../../../src/host/postToPage';

/** A page that takes each post when `deliver()` says, as VS Code's webview does (true: delivered). */
function slowPage(live = () => true) {
  const received: unknown[] = [];
  const waiting: (() => void)[] = [];
  let most = 0, calls = 0;
  const page: PageChannel = {
    postMessage: (m) => new Promise<boolean>((resolve) => {
      calls++;
      waiting.push(() => { if (live()) received.push(m); resolve(live()); });
      most = Math.max(most, waiting.length);
    }),
  };
  const deliverAll = async () => { for (let i = 0; i < 1000 && waiting.length; i++) { waiting.shift()!(); await new Promise((r) => setTimeout(r, 0)); } };
  return { page, received, deliverAll, most: () => most, calls: () => calls };
}

test('a large message in parts, two undelivered at most, and the messages after it in order', async () => {
  const { page, received, deliverAll, most } = slowPage();
  const big = { type: 'stepData', step: 3, x: Float32Array.from({ length: 4000 }, (_, i) => i), y: new Float32Array(3000).fill(2) };
  postToPage(page, { type: 'steps', n: 1 }, 4096);
  postToPage(page, big, 4096);
  postToPage(page, { type: 'warning', text: 'after' }, 4096);
  await deliverAll();
  expect(most()).toBeLessThanOrEqual(3); // the first small one, then two parts at a time
  expect((received[0] as { type: string }).type).toBe('steps');
  expect((received.at(-1) as { type: string }).type).toBe('warning');
  const parts = received.slice(1, -1) as { type: string }[];
  expect(parts.length).toBeGreaterThan(3);
  expect(parts[0].type).toBe('partsBegin');
  const receiver = new PartsReceiver();
  let whole: unknown;
  for (const p of parts) whole = receiver.accept(p as never) ?? whole;
  expect(whole).toEqual(big);
});

test('a page that has gone gets no more parts', async () => {
  let alive = true;
  const { page, received, deliverAll, calls } = slowPage(() => alive);
  postToPage(page, { type: 'stepData', x: new Float32Array(40_000) }, 4096); // 40 parts and more
  alive = false;
  await deliverAll();
  expect(received).toEqual([]);
  // Two were on their way when it went; none after them.
  expect(calls()).toBe(2);
});
