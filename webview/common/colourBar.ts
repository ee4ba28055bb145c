// A spectrogram's colour scale: the colormap from the lowest level shown (left) to the highest
// (right), between the two dB inputs that set them. Shown as an image, not a canvas: a canvas
// is a compositor layer of its own, committed with every frame of a live panel.
import type { ColormapName } from '../../src/protocol/audio';
import { colormapRgba, colormapTable } from './colormaps';

export class ColourBar {
  readonly element: HTMLImageElement;
  private shown = '';

  constructor(testId: string) {
    this.element = document.createElement('img');
    this.element.className = 'colour-bar';
    this.element.dataset.testid = testId;
  }

  show(colormap: ColormapName | 'difference', range: readonly [number, number]): void {
    const label = `${colormap}: ${range[0]} dB (left) to ${range[1]} dB (right)`;
    this.element.alt = label;
    this.element.setAttribute('aria-label', label);
    this.element.title = label;
    if (colormap === this.shown) return;
    this.shown = colormap;
    const image = new ImageData(colormapRgba(colormapTable(colormap)), 256, 1);
    const canvas = document.createElement('canvas');
    canvas.width = 256;
    canvas.height = 1;
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    this.element.src = canvas.toDataURL('image/png');
  }
}
