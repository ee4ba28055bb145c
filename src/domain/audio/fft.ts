// A real-input FFT for power-of-two sizes: the n real samples are packed as n/2 complex
// values (even samples real, odd imaginary), transformed by an iterative radix-2 FFT with
// precomputed twiddles, then split into the n/2 + 1 bins of the real spectrum. Pure, no
// allocation per call: it runs for every window of every spectrogram.

export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly reversed: Uint32Array;
  /** cos/sin of -2πk/half for k < half/2: the complex FFT's twiddles. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** cos/sin of -2πk/size for k ≤ half: the split step's twiddles. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0 || size > 1 << 24) throw new RangeError(`FFT size must be a power of two from 4 to 2^24, not ${size}`);
    this.size = size;
    const half = (this.half = size >> 1);
    const bits = Math.log2(half);
    this.reversed = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.reversed[i] = r;
    }
    this.cos = new Float64Array(Math.max(1, half >> 1));
    this.sin = new Float64Array(Math.max(1, half >> 1));
    for (let k = 0; k < half >> 1; k++) {
      this.cos[k] = Math.cos((-2 * Math.PI * k) / half);
      this.sin[k] = Math.sin((-2 * Math.PI * k) / half);
    }
    this.splitCos = new Float64Array(half + 1);
    this.splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitCos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * The spectrum of `input[offset … offset + size)`, each sample times `window[i]` when
   * given, into `outRe`/`outIm` (size/2 + 1 bins: DC … Nyquist). Unnormalised, as numpy's rfft.
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array, window?: ArrayLike<number>, offset = 0): void {
    const { half, reversed, re, im } = this;
    // Pack pairs of samples into complex values, straight into bit-reversed order.
    if (window) {
      for (let i = 0; i < half; i++) {
        const r = reversed[i], j = offset + 2 * i;
        re[r] = input[j] * window[2 * i];
        im[r] = input[j + 1] * window[2 * i + 1];
      }
    } else {
      for (let i = 0; i < half; i++) {
        const r = reversed[i], j = offset + 2 * i;
        re[r] = input[j];
        im[r] = input[j + 1];
      }
    }
    this.complexInPlace();
    // Split: X[k] = E[k] + e^{-2πik/n} O[k], with E, O from Z[k] and conj(Z[half-k]).
    const { splitCos, splitSin } = this;
    outRe[0] = re[0] + im[0];
    outIm[0] = 0;
    outRe[half] = re[0] - im[0];
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      const zr = re[k], zi = im[k], cr = re[half - k], ci = -im[half - k];
      const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
      // O[k] = (Z[k] - conj(Z[half-k])) / 2i
      const or = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
      const wr = splitCos[k], wi = splitSin[k];
      outRe[k] = er + wr * or - wi * oi;
      outIm[k] = ei + wr * oi + wi * or;
    }
  }

  /**
   * Decimation in time over re/im (already in bit-reversed order), two radix-2 stages fused
   * per pass (radix 2²): half the passes over memory, which is what costs in JS.
   */
  private complexInPlace(): void {
    const { half, re, im, cos, sin } = this;
    let len = 1;
    if (Math.log2(half) % 2 === 1) {
      // An odd number of stages: one plain size-2 stage first (no twiddles).
      for (let i = 0; i < half; i += 2) {
        const ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
        re[i] = ar + br; im[i] = ai + bi;
        re[i + 1] = ar - br; im[i + 1] = ai - bi;
      }
      len = 2;
    } else if (half >= 4) {
      // The first radix-4 pass has only trivial twiddles (1 and -i).
      for (let i0 = 0; i0 < half; i0 += 4) {
        const i1 = i0 + 1, i2 = i0 + 2, i3 = i0 + 3;
        const a0r = re[i0] + re[i1], a0i = im[i0] + im[i1], a1r = re[i0] - re[i1], a1i = im[i0] - im[i1];
        const a2r = re[i2] + re[i3], a2i = im[i2] + im[i3], a3r = re[i2] - re[i3], a3i = im[i2] - im[i3];
        re[i0] = a0r + a2r; im[i0] = a0i + a2i;
        re[i2] = a0r - a2r; im[i2] = a0i - a2i;
        re[i1] = a1r + a3i; im[i1] = a1i - a3r;
        re[i3] = a1r - a3i; im[i3] = a1i + a3r;
      }
      len = 4;
    }
    for (; len < half; len <<= 2) {
      const block = len << 2;
      const step1 = half / (2 * len), step2 = half / block;
      for (let j = 0; j < len; j++) {
        // W_{2len}^j for the first stage, W_{4len}^j (and it times -i) for the second.
        const w1r = cos[j * step1], w1i = sin[j * step1];
        const w2r = cos[j * step2], w2i = sin[j * step2];
        for (let i0 = j; i0 < half; i0 += block) {
          const i1 = i0 + len, i2 = i1 + len, i3 = i2 + len;
          let xr = re[i1] * w1r - im[i1] * w1i, xi = re[i1] * w1i + im[i1] * w1r;
          const a0r = re[i0] + xr, a0i = im[i0] + xi, a1r = re[i0] - xr, a1i = im[i0] - xi;
          xr = re[i3] * w1r - im[i3] * w1i; xi = re[i3] * w1i + im[i3] * w1r;
          const a2r = re[i2] + xr, a2i = im[i2] + xi, a3r = re[i2] - xr, a3i = im[i2] - xi;
          const br = a2r * w2r - a2i * w2i, bi = a2r * w2i + a2i * w2r;
          re[i0] = a0r + br; im[i0] = a0i + bi;
          re[i2] = a0r - br; im[i2] = a0i - bi;
          // (-i)·(p + iq) = q - ip
          const pr = a3r * w2r - a3i * w2i, pi = a3r * w2i + a3i * w2r;
          re[i1] = a1r + pi; im[i1] = a1i - pr;
          re[i3] = a1r - pi; im[i3] = a1i + pr;
        }
      }
    }
  }
}
