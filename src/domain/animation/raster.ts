// RGBA rasters: fitting frames of any size onto one canvas without distortion, and a
// small bitmap font for step labels. Plain typed arrays; no canvas library.

export interface Raster {
  width: number;
  height: number;
  data: Uint8Array; // RGBA
  /** Known to have alpha 255 everywhere. */
  opaque?: boolean;
}

export function blank(width: number, height: number, rgb: [number, number, number] = [255, 255, 255]): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) { data[i] = rgb[0]; data[i + 1] = rgb[1]; data[i + 2] = rgb[2]; data[i + 3] = 255; }
  return { width, height, data };
}

/**
 * Scales `src` to fit inside width×height keeping its aspect ratio, centred on a
 * background (letterboxed). Area-averaging when shrinking, bilinear when enlarging.
 * Transparent source pixels are composited over the background.
 */
export function fitToCanvas(src: Raster, width: number, height: number, background: [number, number, number] = [255, 255, 255]): Raster {
  if (src.width === width && src.height === height) return flatten(src, background);
  const out = blank(width, height, background);
  const scale = Math.min(width / src.width, height / src.height);
  const w = Math.max(1, Math.round(src.width * scale)), h = Math.max(1, Math.round(src.height * scale));
  const ox = Math.floor((width - w) / 2), oy = Math.floor((height - h) / 2);
  const sx = src.width / w, sy = src.height / h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      if (sx >= 1 || sy >= 1) {
        // average the source box this pixel covers
        const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
        const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
        for (let yy = y0; yy < y1 && yy < src.height; yy++) {
          for (let xx = x0; xx < x1 && xx < src.width; xx++) {
            const i = (yy * src.width + xx) * 4;
            const al = src.data[i + 3];
            r += src.data[i] * al; g += src.data[i + 1] * al; b += src.data[i + 2] * al; a += al; n++;
          }
        }
      } else {
        const fx = Math.min(src.width - 1, Math.max(0, (x + 0.5) * sx - 0.5)), fy = Math.min(src.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
        const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(src.width - 1, x0 + 1), y1 = Math.min(src.height - 1, y0 + 1);
        const tx = fx - x0, ty = fy - y0;
        for (const [xx, yy, wgt] of [[x0, y0, (1 - tx) * (1 - ty)], [x1, y0, tx * (1 - ty)], [x0, y1, (1 - tx) * ty], [x1, y1, tx * ty]] as const) {
          const i = (yy * src.width + xx) * 4;
          const al = src.data[i + 3] * wgt;
          r += src.data[i] * al; g += src.data[i + 1] * al; b += src.data[i + 2] * al; a += al; n += wgt;
        }
      }
      const o = ((oy + y) * width + ox + x) * 4;
      const alpha = n ? a / n / 255 : 0;
      out.data[o] = Math.round(a ? (r / a) * alpha + background[0] * (1 - alpha) : background[0]);
      out.data[o + 1] = Math.round(a ? (g / a) * alpha + background[1] * (1 - alpha) : background[1]);
      out.data[o + 2] = Math.round(a ? (b / a) * alpha + background[2] * (1 - alpha) : background[2]);
    }
  }
  return out;
}

/** Composites any transparency over the background (GIF and WebM frames are opaque). */
export function flatten(src: Raster, background: [number, number, number]): Raster {
  if (src.opaque) return src;
  const d = src.data;
  let opaque = true;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) { opaque = false; break; }
  if (opaque) return src;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3] / 255;
    out[i] = Math.round(d[i] * a + background[0] * (1 - a));
    out[i + 1] = Math.round(d[i + 1] * a + background[1] * (1 - a));
    out[i + 2] = Math.round(d[i + 2] * a + background[2] * (1 - a));
    out[i + 3] = 255;
  }
  return { width: src.width, height: src.height, data: out };
}

// 5×7 glyphs, one row per string, '#' = ink.
const GLYPHS: Record<string, string[]> = {
  '0': [' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
  '3': ['#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '],
  '4': ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
  '5': ['#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '],
  '6': ['  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
  '8': [' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '],
  '9': [' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '],
  a: ['     ', '     ', ' ### ', '    #', ' ####', '#   #', ' ####'],
  b: ['#    ', '#    ', '#### ', '#   #', '#   #', '#   #', '#### '],
  c: ['     ', '     ', ' ### ', '#    ', '#    ', '#   #', ' ### '],
  d: ['    #', '    #', ' ####', '#   #', '#   #', '#   #', ' ####'],
  e: ['     ', '     ', ' ### ', '#   #', '#####', '#    ', ' ### '],
  f: ['  ## ', ' #   ', ' #   ', '#### ', ' #   ', ' #   ', ' #   '],
  g: ['     ', ' ####', '#   #', '#   #', ' ####', '    #', ' ### '],
  h: ['#    ', '#    ', '#### ', '#   #', '#   #', '#   #', '#   #'],
  i: ['  #  ', '     ', ' ##  ', '  #  ', '  #  ', '  #  ', ' ### '],
  j: ['   # ', '     ', '  ## ', '   # ', '   # ', '#  # ', ' ##  '],
  k: ['#    ', '#    ', '#  # ', '# #  ', '##   ', '# #  ', '#  # '],
  l: [' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  m: ['     ', '     ', '## # ', '# # #', '# # #', '# # #', '# # #'],
  n: ['     ', '     ', '#### ', '#   #', '#   #', '#   #', '#   #'],
  o: ['     ', '     ', ' ### ', '#   #', '#   #', '#   #', ' ### '],
  p: ['     ', '     ', '#### ', '#   #', '#### ', '#    ', '#    '],
  q: ['     ', '     ', ' ####', '#   #', ' ####', '    #', '    #'],
  r: ['     ', '     ', '# ## ', '##  #', '#    ', '#    ', '#    '],
  s: ['     ', '     ', ' ####', '#    ', ' ### ', '    #', '#### '],
  t: ['  #  ', '  #  ', '#####', '  #  ', '  #  ', '  #  ', '   ##'],
  u: ['     ', '     ', '#   #', '#   #', '#   #', '#   #', ' ####'],
  v: ['     ', '     ', '#   #', '#   #', '#   #', ' # # ', '  #  '],
  w: ['     ', '     ', '#   #', '# # #', '# # #', '# # #', ' # # '],
  x: ['     ', '     ', '#   #', ' # # ', '  #  ', ' # # ', '#   #'],
  y: ['     ', '     ', '#   #', '#   #', ' ####', '    #', ' ### '],
  z: ['     ', '     ', '#####', '   # ', '  #  ', ' #   ', '#####'],
  _: ['     ', '     ', '     ', '     ', '     ', '     ', '#####'],
  '-': ['     ', '     ', '     ', '#####', '     ', '     ', '     '],
  '.': ['     ', '     ', '     ', '     ', '     ', ' ##  ', ' ##  '],
  ' ': ['     ', '     ', '     ', '     ', '     ', '     ', '     '],
};

/** Width and height in pixels of `text` drawn by drawLabel at `scale`. */
export function labelSize(text: string, scale: number): { width: number; height: number } {
  return { width: [...text].filter((c) => GLYPHS[c]).length * 6 * scale + 2 * scale, height: 9 * scale };
}

/** Draws `text` (digits, lowercase letters, space, _ - .) at (x, y) on a plate for contrast. */
export function drawLabel(r: Raster, text: string, x: number, y: number, scale = 2, ink: [number, number, number] = [32, 32, 32], plate: [number, number, number] = [255, 255, 255]): void {
  const chars = [...text].filter((c) => GLYPHS[c]);
  const w = chars.length * 6 * scale + 2 * scale, h = 9 * scale;
  for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) setPixel(r, x + xx, y + yy, plate);
  chars.forEach((c, k) => {
    GLYPHS[c].forEach((row, gy) => {
      for (let gx = 0; gx < 5; gx++) {
        if (row[gx] !== '#') continue;
        for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setPixel(r, x + scale + (k * 6 + gx) * scale + dx, y + scale + gy * scale + dy, ink);
      }
    });
  });
}

function setPixel(r: Raster, x: number, y: number, rgb: [number, number, number]): void {
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const i = (y * r.width + x) * 4;
  r.data[i] = rgb[0]; r.data[i + 1] = rgb[1]; r.data[i + 2] = rgb[2]; r.data[i + 3] = 255;
}
