// The histogram of a tensor's finite values, drawn on a canvas in theme colours.
import type { HistogramData } from '../../src/protocol/tensors';
import { themeVar } from '../common/dom';

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function drawHistogram(canvas: HTMLCanvasElement, h: HistogramData, logCounts: boolean): void {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(200, canvas.clientWidth || 600), height = 120;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.height = `${height}px`;
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  const scale = (c: number) => (logCounts ? Math.log10(1 + c) : c);
  const peak = Math.max(1e-9, ...h.counts.map(scale));
  const bw = width / h.counts.length;
  g.fillStyle = themeVar('--vscode-charts-blue', '#3794ff');
  h.counts.forEach((c, i) => {
    if (c === 0) return;
    const bh = Math.max(1, (scale(c) / peak) * (height - 4));
    g.fillRect(i * bw + 0.5, height - bh, Math.max(1, bw - 1), bh);
  });
  // Zero, when inside the range: where a latent's values centre.
  if (h.lo < 0 && h.hi > 0) {
    g.fillStyle = themeVar('--vscode-descriptionForeground', '#888');
    g.fillRect(((0 - h.lo) / (h.hi - h.lo)) * width, 0, 1, height);
  }
}
