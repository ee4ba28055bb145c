// Issue 9: the Safetensors Inspector on a ~2 GB checkpoint, through the real InspectorSession:
//   open   = 'ready' → header posted (all the inspector reads to show the file);
//   stats  = a tensor's statistics and histogram, streamed from its byte range;
//   plane  = the whole of a [32000, 1024] tensor as a 512 × 1024 block-mean heatmap;
// each with the process's peak RSS. Prints JSON.
import { InspectorSession } from '../src/domain/tensors/inspectorSession';
import type { InspectorHostToWebview } from '../src/protocol/tensors';

const [file, bigName, bf16Name] = process.argv.slice(2);
let peakRss = 0;
let waiting: ((m: InspectorHostToWebview) => void) | undefined;
const session = new InspectorSession(file, {
  post: (m) => { peakRss = Math.max(peakRss, process.memoryUsage().rss); if (m.type !== 'progress') waiting?.(m); },
  copy: () => {},
});
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 5);

async function timed(message: Parameters<InspectorSession['handle']>[0]): Promise<{ ms: number; reply: InspectorHostToWebview }> {
  const got = new Promise<InspectorHostToWebview>((r) => (waiting = r));
  const t0 = performance.now();
  await session.handle(message);
  const reply = await got;
  if (reply.type === 'error') throw new Error(reply.message);
  return { ms: performance.now() - t0, reply };
}

async function main(): Promise<void> {
  const rssAtStart = process.memoryUsage().rss;
  const open = await timed({ type: 'ready' });
  const tensors = open.reply.type === 'header' ? open.reply.header.tensors.length : 0;
  const big = await timed({ type: 'stats', name: bigName });
  const bf16 = await timed({ type: 'stats', name: bf16Name });
  const plane = await timed({ type: 'plane', seq: 1, name: bigName, window: { lead: [], maxRows: 512, maxCols: 1024 } });
  clearInterval(sampler);
  const mean = big.reply.type === 'stats' ? big.reply.stats.mean : null;
  console.log(JSON.stringify({ tensors, open_ms: open.ms, big_stats_ms: big.ms, bf16_stats_ms: bf16.ms, plane_ms: plane.ms, mean, start_rss_mb: rssAtStart / 1048576, peak_rss_mb: peakRss / 1048576 }));
}

void main();
