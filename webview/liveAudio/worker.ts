// The live spectrogram worker: keeps the stream's STFT state between frames and returns
// each frame's new columns, levels and colours, with the time it took (for adaptive quality).
import type { ColormapName } from '../../src/protocol/audio';
import { colormapTable } from '../common/colormaps';
import { colourize } from '../evalAudio/spectrogramImage';
import { LiveSpectrogram, type LiveSpectrogramParams, type SpectrogramColumns } from './liveSpectrogram';

export interface LiveWorkerRequest {
  id: number;
  /** Bumped whenever the view starts its spectrogram afresh: the stream state starts over too. */
  epoch: number;
  params: LiveSpectrogramParams;
  start: number;
  samples: Float32Array;
  maxColumns: number;
  colormap: ColormapName;
  range: [number, number];
}
export type LiveWorkerReply = (SpectrogramColumns & { id: number; epoch: number; params: LiveSpectrogramParams; rgba: Uint8ClampedArray; ms: number; pushed: number }) | { id: number; error: string };

const scope = self as unknown as { onmessage: ((e: MessageEvent<LiveWorkerRequest>) => void) | null; postMessage(m: LiveWorkerReply, transfer?: Transferable[]): void };
let spectrogram: LiveSpectrogram | undefined;
let key = '';

scope.onmessage = (e) => {
  const m = e.data;
  try {
    const started = performance.now();
    const k = JSON.stringify([m.epoch, m.params]);
    if (k !== key || !spectrogram) { spectrogram = new LiveSpectrogram(m.params); key = k; }
    const columns = spectrogram.push(m.start, m.samples, m.maxColumns);
    const rgba = colourize({ columns: columns.count, rows: columns.rows, levels: columns.levels }, colormapTable(m.colormap), m.range);
    scope.postMessage({ id: m.id, epoch: m.epoch, params: m.params, ...columns, rgba, ms: performance.now() - started, pushed: m.samples.length }, [rgba.buffer, columns.levels.buffer]);
  } catch (err) {
    scope.postMessage({ id: m.id, error: String((err as Error).message ?? err) });
  }
};
