// Loads every array of an npz with Run Reel's reader; prints the median time as JSON.
import { withNpz } from '../src/domain/artifacts/npz';

async function main(): Promise<void> {
  const [path, repeatsText] = process.argv.slice(2);
  const repeats = Number(repeatsText);
  const times: number[] = [];
  let arrays = 0;
  for (let i = 0; i < repeats + 1; i++) {
    const t = performance.now();
    await withNpz(path, async (npz) => {
      // Members inflate in parallel on libuv's thread pool; numpy reads them one by one.
      const all = await Promise.all(npz.members.map((m) => npz.read(m.key)));
      arrays = all.length;
    });
    times.push(performance.now() - t);
  }
  const sorted = times.slice(1).sort((a, b) => a - b);
  console.log(JSON.stringify({ median_ms: sorted[Math.floor(sorted.length / 2)], arrays }));
}
void main();
