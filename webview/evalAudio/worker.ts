// The spectrogram worker: STFT, row mapping and colouring off the panel's main thread.
import type { ColormapName } from '../../src/protocol/audio';
import { colormapTable } from '../common/colormaps';
import { colourize, computeSpectrogram, difference, type SpectrogramGrid, type SpectrogramJob } from './spectrogramImage';

export type WorkerRequest =
  | { kind: 'spectrogram'; id: number; job: SpectrogramJob; colormap: ColormapName; range: [number, number] }
  | { kind: 'difference'; id: number; pred: SpectrogramGrid; target: SpectrogramGrid; range: number };
export type WorkerReply = { id: number; grid: SpectrogramGrid; rgba: Uint8ClampedArray } | { id: number; error: string };

const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerReply, transfer?: Transferable[]): void };
scope.onmessage = (e) => {
  const m = e.data;
  try {
    const grid = m.kind === 'spectrogram' ? computeSpectrogram(m.job) : difference(m.pred, m.target);
    const rgba = m.kind === 'spectrogram' ? colourize(grid, colormapTable(m.colormap), m.range) : colourize(grid, colormapTable('difference'), [-m.range, m.range]);
    scope.postMessage({ id: m.id, grid, rgba }, [rgba.buffer]);
  } catch (err) {
    scope.postMessage({ id: m.id, error: String((err as Error).message ?? err) });
  }
};
