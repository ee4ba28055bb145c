// A separate process writing a ring buffer as fast as it can, the way seed 003's writer
// does: samples first, then the write sequence. Sample n of channel c is n + 0.25 + c*1e5.
// Usage: node ringWriter.mjs FILE CHANNELS CAPACITY SPW SECONDS
import { openSync, writeSync, closeSync, renameSync } from 'node:fs';

const [file, channels, capacity, spw, seconds] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v)));
const header = Buffer.alloc(4096);
header.write('AUDITAB!', 0, 'latin1');
for (const [at, v] of [[8, 1], [16, 48000], [24, channels], [32, capacity], [40, 0], [48, spw]]) header.writeBigUInt64LE(BigInt(v), at);
const tmp = `${file}.tmp`;
const fd0 = openSync(tmp, 'w');
writeSync(fd0, header, 0, 4096, 0);
writeSync(fd0, Buffer.alloc(1), 0, 1, 4096 + channels * capacity * 8 - 1);
closeSync(fd0);
renameSync(tmp, file);
const fd = openSync(file, 'r+');
const block = new Float64Array(spw);
const seqBuf = Buffer.alloc(8);
const end = Date.now() + seconds * 1000;
let seq = 0;
process.send?.('ready');
while (Date.now() < end) {
  const start = (seq * spw) % capacity;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < spw; i++) block[i] = seq * spw + i + 0.25 + c * 1e5;
    const bytes = Buffer.from(block.buffer);
    const first = Math.min(spw, capacity - start);
    writeSync(fd, bytes, 0, first * 8, 4096 + (c * capacity + start) * 8);
    if (first < spw) writeSync(fd, bytes, first * 8, (spw - first) * 8, 4096 + c * capacity * 8);
  }
  seq++;
  seqBuf.writeBigUInt64LE(BigInt(seq));
  writeSync(fd, seqBuf, 0, 8, 40);
}
closeSync(fd);
