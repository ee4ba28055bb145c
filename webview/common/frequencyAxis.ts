// A spectrogram's frequency axis: round frequencies beside the rows that show them, in the
// margin left of the picture (where the waveform above has its amplitude axis). Drawn when the
// scale, rate or height changes, never per frame.
import { frequencyTicks, type FrequencyTick } from '../../src/domain/audio/frequencyTicks';
import type { FrequencyScale } from '../../src/domain/audio/stft';

const LABEL_HEIGHT = 12;

export class FrequencyAxis {
  readonly element: HTMLDivElement;
  private drawn = '';
  /** The ticks shown: for drawing them into an exported image. */
  private ticks: (FrequencyTick & { y: number; labelTop: number })[] = [];

  constructor(testId: string) {
    this.element = document.createElement('div');
    this.element.className = 'freq-axis';
    this.element.dataset.testid = testId;
    this.element.setAttribute('aria-label', 'Frequency');
  }

  /** Ticks for a picture `heightPx` high (CSS pixels) whose top is `topPx` below the row's (its border), on `scale` at `sampleRate`. */
  show(scale: FrequencyScale, sampleRate: number, heightPx: number, topPx = 0): void {
    const key = `${scale}|${sampleRate}|${heightPx}|${topPx}`;
    if (key === this.drawn) return;
    this.drawn = key;
    this.element.style.top = `${topPx}px`;
    this.ticks = frequencyTicks(scale, sampleRate, heightPx, LABEL_HEIGHT + 4).map((t) => {
      const y = (1 - t.at) * heightPx;
      // A label centred on its tick, kept inside the axis at the ends.
      return { ...t, y, labelTop: Math.max(0, Math.min(heightPx - LABEL_HEIGHT, y - LABEL_HEIGHT / 2)) };
    });
    this.element.replaceChildren(...this.ticks.flatMap((t) => {
      const mark = document.createElement('span');
      mark.className = 'freq-tick';
      mark.style.top = `${Math.min(heightPx - 1, t.y)}px`;
      mark.dataset.hz = String(t.hz);
      const label = document.createElement('span');
      label.className = 'freq-label';
      label.textContent = t.label;
      label.dataset.hz = String(t.hz);
      label.style.top = `${t.labelTop}px`;
      return [mark, label];
    }));
  }

  /** The axis's width: the margin left of the picture. */
  place(widthPx: number): void {
    this.element.style.width = `${widthPx}px`;
  }

  /** Draws the ticks and labels into `ctx` as shown, the axis's right edge at `right` and its top at `top` (device pixels). */
  drawInto(ctx: CanvasRenderingContext2D, right: number, top: number, dpr: number): void {
    const style = getComputedStyle(this.element);
    ctx.save();
    ctx.fillStyle = style.color;
    ctx.strokeStyle = style.color;
    ctx.font = `${10 * dpr}px ${style.fontFamily}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of this.ticks) {
      ctx.fillRect(right - 5 * dpr, top + t.y * dpr, 4 * dpr, Math.max(1, dpr));
      ctx.fillText(t.label, right - 7 * dpr, top + (t.labelTop + LABEL_HEIGHT / 2) * dpr);
    }
    ctx.restore();
  }
}
