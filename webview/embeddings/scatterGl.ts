// The Embedding Timeline's points: one WebGL2 canvas for every space, each in its own viewport.
// Positions, colours, selection and transition starts are vertex buffers uploaded as the
// typed arrays the host sent; a step change replaces buffers and issues one draw per space.
// Colours are made in the shader (a category's palette entry, a number on a colormap texture),
// so nothing per point is built on the main thread.

import type { Range } from './geometry';

export type LayerColour =
  | { kind: 'none' }
  /** Codes as bytes: a code of 240 or more comes as 240 + code % 10 (its colour; no legend has that many). */
  | { kind: 'category'; codes: Uint8Array; hidden: number }
  | { kind: 'number'; values: Float32Array; min: number; max: number };

export interface LayerSpace {
  x: Float32Array;
  y: Float32Array;
  /** Where points start a transition (NaN: no start, the point appears in place). */
  fromX?: Float32Array;
  fromY?: Float32Array;
  colour: LayerColour;
  /** 255 for a selected point, 0 otherwise; absent when nothing is selected. */
  selected?: Uint8Array;
  range: Range;
  /** The space's plot area in CSS pixels, from the canvas's top left. */
  rect: { left: number; top: number; width: number; height: number };
  /** Trail segments as x0, y0, x1, y1, … in data units. */
  trail?: Float32Array;
  /** A density texture (densityBins) to draw instead of the points. */
  density?: { bins: Uint8Array; width: number; height: number };
}

const POINT_VS = `#version 300 es
layout(location = 0) in float x;
layout(location = 1) in float y;
layout(location = 2) in float fx;
layout(location = 3) in float fy;
layout(location = 4) in float colour;
layout(location = 5) in float selected;
uniform vec4 view; // x0, y0, 2 / width, 2 / height of the data range
uniform float t;
uniform float size;
uniform int mode; // 0 none, 1 category, 2 number
uniform vec2 numberRange;
uniform int hidden;
uniform float anySelected;
uniform float onlySelected;
uniform vec3 palette[10];
uniform sampler2D colormap;
out vec4 vColour;
void main() {
  vec2 p = vec2(x, y);
  if (t < 1.0 && !isnan(fx) && !isnan(fy)) p = mix(vec2(fx, fy), p, t);
  bool off = isnan(p.x) || isnan(p.y);
  vec3 c = palette[0];
  if (mode == 1) {
    int code = int(colour);
    if (code < 31 && ((hidden >> code) & 1) == 1) off = true;
    c = palette[code % 10];
  } else if (mode == 2) {
    float u = numberRange.y > numberRange.x ? (colour - numberRange.x) / (numberRange.y - numberRange.x) : 0.5;
    c = isnan(colour) ? vec3(0.5) : texture(colormap, vec2(clamp(u, 0.0, 1.0), 0.5)).rgb;
  }
  if (onlySelected > 0.5 && selected < 0.5) off = true;
  float a = anySelected > 0.5 && selected < 0.5 ? 0.12 : 1.0;
  vColour = vec4(c * a, a);
  gl_Position = off ? vec4(2.0, 2.0, 2.0, 1.0) : vec4((p - view.xy) * view.zw - 1.0, 0.0, 1.0);
  gl_PointSize = off ? 0.0 : size;
}`;

const POINT_FS = `#version 300 es
precision mediump float;
in vec4 vColour;
out vec4 o;
void main() {
  if (length(gl_PointCoord - 0.5) > 0.5) discard;
  o = vColour;
}`;

const LINE_VS = `#version 300 es
layout(location = 0) in vec2 p;
uniform vec4 view;
void main() { gl_Position = vec4((p - view.xy) * view.zw - 1.0, 0.0, 1.0); }`;

const LINE_FS = `#version 300 es
precision mediump float;
uniform vec4 colour;
out vec4 o;
void main() { o = colour; }`;

const DENSITY_VS = `#version 300 es
layout(location = 0) in vec2 corner;
out vec2 uv;
void main() { uv = corner; gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0); }`;

const DENSITY_FS = `#version 300 es
precision mediump float;
in vec2 uv;
uniform sampler2D bins;
uniform sampler2D colormap;
out vec4 o;
void main() {
  float v = texture(bins, uv).r;
  if (v < 0.002) discard;
  vec3 c = texture(colormap, vec2(v, 0.5)).rgb;
  float a = min(1.0, v * 6.0) * 0.92; // edges fade out instead of ending in a hard line
  o = vec4(c * a, a);
}`;

export const TAB10_RGB = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

type BufferName = 'x' | 'y' | 'fx' | 'fy' | 'colour' | 'selected' | 'trail';
interface SpaceBuffers {
  /** Each buffer and the array last uploaded into it: a buffer is uploaded again only for a new array. */
  arrays: Map<BufferName, { data: ArrayBufferView; buffer: WebGLBuffer }>;
  density: WebGLTexture;
  densitySent?: Uint8Array;
}

/** Bytes uploaded in one task: the rest of a step's upload goes on in later tasks (Chrome's transfer to the GPU process blocks the page while it runs). */
const UPLOAD_SLICE = 4 << 20;

export class ScatterGl {
  private readonly gl: WebGL2RenderingContext;
  private readonly points: Program;
  private readonly lines: Program;
  private readonly densityProgram: Program;
  private readonly quad: WebGLBuffer;
  private readonly colormap: WebGLTexture;
  private readonly buffers: SpaceBuffers[] = [];
  private spaces: LayerSpace[] = [];
  /** 0…1 through a transition; 1 when none runs. */
  private t = 1;
  lineColour: [number, number, number, number] = [0.5, 0.5, 0.5, 0.5];
  /** Point diameter in CSS pixels. */
  pointSize = 5;

  constructor(readonly canvas: HTMLCanvasElement, colormapRgb: Uint8Array) {
    const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: true, alpha: true });
    if (!gl) throw new Error('this webview has no WebGL2');
    this.gl = gl;
    this.points = program(gl, POINT_VS, POINT_FS);
    this.lines = program(gl, LINE_VS, LINE_FS);
    this.densityProgram = program(gl, DENSITY_VS, DENSITY_FS);
    this.quad = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.quad);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]), gl.STATIC_DRAW);
    this.colormap = gl.createTexture()!;
    const rgba = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) rgba.set([colormapRgb[3 * i], colormapRgb[3 * i + 1], colormapRgb[3 * i + 2], 255], 4 * i);
    texture(gl, this.colormap, 256, 1, gl.RGBA, rgba);
    gl.useProgram(this.points.program);
    gl.uniform3fv(this.points.uniform('palette'), TAB10_RGB.flat().map((v) => v / 255));
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.enable(gl.SCISSOR_TEST);
  }

  /** Sizes the drawing buffer to the canvas's CSS size at the screen's pixel ratio. */
  resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr)), h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
  }

  /**
   * The spaces to draw. Arrays already on the GPU are not uploaded again; new ones go into new
   * buffers, UPLOAD_SLICE bytes a task, and the step is drawn from them when all have arrived
   * (`onReady`), the old step staying on screen meanwhile. Returns true when it was at once.
   */
  setSpaces(spaces: LayerSpace[], onReady: () => void = () => {}): boolean {
    const gl = this.gl;
    // The same arrays already on their way: only the view changed (a resize, a zoom).
    if (this.pending && sameArrays(this.pending.spaces, spaces)) { this.pending.spaces = spaces; this.pending.onReady = onReady; return false; }
    this.cancelUpload();
    while (this.buffers.length < spaces.length) this.buffers.push({ arrays: new Map(), density: gl.createTexture()! });
    const jobs: (() => void)[] = [];
    const swaps: (() => void)[] = [];
    const created: WebGLBuffer[] = [];
    let bytes = 0;
    spaces.forEach((s, k) => {
      const buf = this.buffers[k];
      const upload = (name: BufferName, data: ArrayBufferView | undefined) => {
        if (!data || buf.arrays.get(name)?.data === data) return;
        const buffer = gl.createBuffer()!;
        created.push(buffer);
        const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        jobs.push(() => { gl.bindBuffer(gl.ARRAY_BUFFER, buffer); gl.bufferData(gl.ARRAY_BUFFER, view.byteLength, gl.DYNAMIC_DRAW); });
        for (let at = 0; at < view.byteLength; at += UPLOAD_SLICE) {
          const part = view.subarray(at, Math.min(view.byteLength, at + UPLOAD_SLICE));
          jobs.push(() => { gl.bindBuffer(gl.ARRAY_BUFFER, buffer); gl.bufferSubData(gl.ARRAY_BUFFER, at, part); });
        }
        bytes += view.byteLength;
        swaps.push(() => {
          const old = buf.arrays.get(name);
          if (old) gl.deleteBuffer(old.buffer);
          buf.arrays.set(name, { data, buffer });
        });
      };
      upload('x', s.x);
      upload('y', s.y);
      upload('fx', s.fromX);
      upload('fy', s.fromY);
      upload('colour', s.colour.kind === 'category' ? s.colour.codes : s.colour.kind === 'number' ? s.colour.values : undefined);
      upload('selected', s.selected);
      upload('trail', s.trail);
      if (s.density && buf.densitySent !== s.density.bins) {
        const d = s.density;
        jobs.push(() => { texture(gl, buf.density, d.width, d.height, gl.R8, d.bins); buf.densitySent = d.bins; });
      }
    });
    if (bytes <= UPLOAD_SLICE) {
      for (const job of jobs) job();
      for (const swap of swaps) swap();
      this.spaces = spaces;
      return true;
    }
    // A few slices a task, about 30 ms of them, so the page keeps answering.
    let next = 0;
    const pending = { spaces, onReady, created, timer: undefined as ReturnType<typeof setTimeout> | undefined };
    const run = () => {
      const start = performance.now();
      while (next < jobs.length && performance.now() - start < 30) jobs[next++]();
      if (next < jobs.length) { pending.timer = setTimeout(run, 0); return; }
      this.pending = undefined;
      for (const swap of swaps) swap();
      this.spaces = pending.spaces;
      pending.onReady();
    };
    pending.timer = setTimeout(run, 0);
    this.pending = pending;
    return false;
  }

  private pending: { spaces: LayerSpace[]; onReady: () => void; created: WebGLBuffer[]; timer: ReturnType<typeof setTimeout> | undefined } | undefined;

  /** Drops an upload under way (a newer step replaced it) and frees its buffers. */
  private cancelUpload(): void {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    for (const b of this.pending.created) this.gl.deleteBuffer(b);
    this.pending = undefined;
  }

  /** Moves the running transition to `t` (0: every point at its start, 1: at its place). */
  setTransition(t: number): void {
    this.t = t;
  }

  draw(): void {
    const gl = this.gl;
    const dpr = this.canvas.width / Math.max(1, this.canvas.clientWidth);
    gl.disable(gl.SCISSOR_TEST);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.SCISSOR_TEST);
    this.spaces.forEach((s, k) => {
      const b = this.buffers[k];
      const vx = Math.round(s.rect.left * dpr), vw = Math.round(s.rect.width * dpr), vh = Math.round(s.rect.height * dpr);
      const vy = this.canvas.height - Math.round(s.rect.top * dpr) - vh;
      gl.viewport(vx, vy, vw, vh);
      gl.scissor(vx, vy, vw, vh);
      const view = [s.range.x[0], s.range.y[0], 2 / (s.range.x[1] - s.range.x[0]), 2 / (s.range.y[1] - s.range.y[0])];
      if (s.density) this.drawDensity(b);
      if (!s.density || s.selected) this.drawPoints(s, b, view, dpr);
      if (s.trail?.length) {
        gl.enable(gl.BLEND);
        gl.useProgram(this.lines.program);
        gl.uniform4fv(this.lines.uniform('view'), view);
        gl.uniform4fv(this.lines.uniform('colour'), this.lineColour.map((c, i) => (i < 3 ? c * this.lineColour[3] : c)));
        attribute(gl, 0, b.arrays.get('trail')!.buffer, 2);
        for (let i = 1; i < 6; i++) gl.disableVertexAttribArray(i);
        gl.drawArrays(gl.LINES, 0, s.trail.length / 2);
      }
    });
  }

  private drawPoints(s: LayerSpace, b: SpaceBuffers, view: number[], dpr: number): void {
    const gl = this.gl, p = this.points;
    gl.useProgram(p.program);
    gl.uniform4fv(p.uniform('view'), view);
    gl.uniform1f(p.uniform('t'), s.fromX ? this.t : 1);
    gl.uniform1f(p.uniform('size'), this.pointSize * dpr);
    gl.uniform1i(p.uniform('mode'), s.colour.kind === 'category' ? 1 : s.colour.kind === 'number' ? 2 : 0);
    gl.uniform1i(p.uniform('hidden'), s.colour.kind === 'category' ? s.colour.hidden : 0);
    gl.uniform2f(p.uniform('numberRange'), s.colour.kind === 'number' ? s.colour.min : 0, s.colour.kind === 'number' ? s.colour.max : 1);
    gl.uniform1f(p.uniform('anySelected'), s.selected ? 1 : 0);
    // Opaque points need no blending (less work per fragment); dimmed ones do.
    if (s.selected || s.density) gl.enable(gl.BLEND); else gl.disable(gl.BLEND);
    // Over a density, only the selected points are drawn.
    gl.uniform1f(p.uniform('onlySelected'), s.density && s.selected ? 1 : 0);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.colormap);
    gl.uniform1i(p.uniform('colormap'), 0);
    const buffer = (name: BufferName) => b.arrays.get(name)!.buffer;
    attribute(gl, 0, buffer('x'), 1);
    attribute(gl, 1, buffer('y'), 1);
    if (s.fromX && s.fromY) { attribute(gl, 2, buffer('fx'), 1); attribute(gl, 3, buffer('fy'), 1); } else { constant(gl, 2, NaN); constant(gl, 3, NaN); }
    // Category codes as bytes (a quarter of the upload), numbers as floats.
    if (s.colour.kind === 'category') attribute(gl, 4, buffer('colour'), 1, gl.UNSIGNED_BYTE);
    else if (s.colour.kind === 'number') attribute(gl, 4, buffer('colour'), 1);
    else constant(gl, 4, 0);
    if (s.selected) attribute(gl, 5, buffer('selected'), 1, gl.UNSIGNED_BYTE, true); else constant(gl, 5, 1);
    gl.drawArrays(gl.POINTS, 0, s.x.length);
  }

  private drawDensity(b: SpaceBuffers): void {
    const gl = this.gl, p = this.densityProgram;
    gl.enable(gl.BLEND);
    gl.useProgram(p.program);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, b.density);
    gl.uniform1i(p.uniform('bins'), 0);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.colormap);
    gl.uniform1i(p.uniform('colormap'), 1);
    attribute(gl, 0, this.quad, 2);
    for (let i = 1; i < 6; i++) gl.disableVertexAttribArray(i);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.activeTexture(gl.TEXTURE0);
  }
}

function sameArrays(a: LayerSpace[], b: LayerSpace[]): boolean {
  const arrays = (s: LayerSpace) => [s.x, s.y, s.fromX, s.fromY, s.colour.kind === 'category' ? s.colour.codes : s.colour.kind === 'number' ? s.colour.values : undefined, s.selected, s.trail, s.density?.bins];
  return a.length === b.length && a.every((s, k) => { const x = arrays(s), y = arrays(b[k]); return x.every((v, i) => v === y[i]); });
}

interface Program { program: WebGLProgram; uniform(name: string): WebGLUniformLocation | null }

function program(gl: WebGL2RenderingContext, vs: string, fs: string): Program {
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(s)}`);
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`shader program: ${gl.getProgramInfoLog(p)}`);
  const locations = new Map<string, WebGLUniformLocation | null>();
  return { program: p, uniform: (name) => (locations.has(name) ? locations.get(name)! : locations.set(name, gl.getUniformLocation(p, name)).get(name)!) };
}

function attribute(gl: WebGL2RenderingContext, index: number, buffer: WebGLBuffer, size: number, type: number = gl.FLOAT, normalized = false): void {
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  gl.enableVertexAttribArray(index);
  gl.vertexAttribPointer(index, size, type, normalized, 0, 0);
}

function constant(gl: WebGL2RenderingContext, index: number, value: number): void {
  gl.disableVertexAttribArray(index);
  gl.vertexAttrib1f(index, value);
}

function texture(gl: WebGL2RenderingContext, tex: WebGLTexture, width: number, height: number, format: number, data: Uint8Array): void {
  gl.bindTexture(gl.TEXTURE_2D, tex);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  const base = format === gl.R8 ? gl.RED : gl.RGBA;
  gl.texImage2D(gl.TEXTURE_2D, 0, format, width, height, 0, base, gl.UNSIGNED_BYTE, data);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
}
