// A spectrogram's colour scale: the colormap from the lowest level shown (left) to the highest
// (right), between the two dB inputs that set them.
import type { ColormapName } from '../../src/protocol/audio';
import { colormapTable } from './colormaps';

export class ColourBar {
  readonly element: HTMLCanvasElement;
  private shown = '';

  constructor(testId: string) {
    this.element = document.createElement('canvas');
    this.element.width = 256;
    this.element.height = 1;
    this.element.className = 'colour-bar';
    this.element.dataset.testid = testId;
    this.element.setAttribute('role', 'img');
  }

  show(colormap: ColormapName | 'difference', range: readonly [number, number]): void {
    const label = `${colormap}: ${range[0]} dB (left) to ${range[1]} dB (right)`;
    this.element.setAttribute('aria-label', label);
    this.element.title = label;
    if (colormap === this.shown) return;
    this.shown = colormap;
    const table = colormapTable(colormap), image = new ImageData(256, 1);
    for (let i = 0; i < 256; i++) image.data.set([table[i * 3], table[i * 3 + 1], table[i * 3 + 2], 255], i * 4);
    this.element.getContext('2d')!.putImageData(image, 0, 0);
  }
}
