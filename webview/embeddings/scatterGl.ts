// The Embedding Timeline's points: one WebGL2 canvas for every space, each in its own viewport.
// Positions, colours, selection and transition starts are vertex buffers uploaded as the
// typed arrays the host sent; a step change replaces buffers and issues one draw per space.
// Colours are made in the shader (a category's palette entry, a number on a colormap texture),
// so nothing per point is built on the main thread. Where the GPU cannot draw every point in
// about a frame (software GL rasterises them on the CPU: 3 M points take a second), a draw
// becomes a pass: chunks drawn into a texture, each issued when a fence says the GPU is nearly
// through the one before, and the texture shown once complete, the step before staying on
// screen meanwhile. The page never waits long on the GPU process.

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
// Flat: a point's fragments share its colour, and software GL skips interpolating it (about 8% of a point's cost in SwiftShader).
flat out vec4 vColour;
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
flat in vec4 vColour;
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

// The axes (gridlines, ticks, titles) drawn by the page on a 2-D canvas, under the points.
const BACKDROP_FS = `#version 300 es
precision mediump float;
in vec2 uv;
uniform sampler2D image;
out vec4 o;
void main() { o = texture(image, uv); }`;

export const TAB10_RGB = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

interface Fence { sync: WebGLSync; points: number; issued: number; done?: number }

type BufferName = 'x' | 'y' | 'fx' | 'fy' | 'colour' | 'selected' | 'trail';
interface SpaceBuffers {
  /** Each buffer and the array last uploaded into it: a buffer is uploaded again only for a new array. */
  arrays: Map<BufferName, { data: ArrayBufferView; buffer: WebGLBuffer }>;
  density: WebGLTexture;
  densitySent?: Uint8Array;
}

/** Points the GPU is taken to draw in a millisecond to begin with; learnt from fences after that. */
const FIRST_POINTS_PER_MS = 3000;
/** Draws of fewer points teach nothing of the GPU's rate (a frame's wait would dominate). */
const MIN_LEARN_POINTS = 20_000;
/** GPU time a chunk of a pass aims at. */
const CHUNK_MS = 100;
/** GPU time a whole draw may take: beyond it the page would wait on the GPU (software GL). */
const WHOLE_MS = 400;

/** Bytes uploaded in one task: the rest of a step's upload goes on in later tasks (Chrome's transfer to the GPU process blocks the page while it runs). */
const UPLOAD_SLICE = 4 << 20;

export class ScatterGl {
  private readonly gl: WebGL2RenderingContext;
  private readonly points: Program;
  private readonly lines: Program;
  private readonly densityProgram: Program;
  private readonly backdropProgram: Program;
  private readonly backdrop: WebGLTexture;
  private hasBackdrop = false;
  /** The plot's background (the canvas is opaque: one layer for the compositor, over nothing it must blend with). */
  background: [number, number, number] = [1, 1, 1];
  private readonly quad: WebGLBuffer;
  private readonly colormap: WebGLTexture;
  private readonly buffers: SpaceBuffers[] = [];
  private spaces: LayerSpace[] = [];
  /** 0…1 through a transition; 1 when none runs. */
  private t = 1;
  lineColour: [number, number, number, number] = [0.5, 0.5, 0.5, 0.5];
  /** Point diameter in CSS pixels. */
  pointSize = 5;
  /** Points the GPU draws a millisecond, as learnt from fences. */
  private pointsPerMs = FIRST_POINTS_PER_MS;
  /** A draw spread over chunks: the next space and point to draw into `target`, and the chunks the GPU has not finished. */
  private pass: { space: number; offset: number; chunks: number; onDrawn: () => void; raf: number; inFlight: Fence[]; started: number; pointsDone: number } | undefined;
  private target: { framebuffer: WebGLFramebuffer; texture: WebGLTexture; width: number; height: number } | undefined;
  /** A whole draw's fence, to learn the rate from. */
  private wholeDraw: { fence: Fence; raf: number } | undefined;
  /** Chunks the last draw took (1 when whole). */
  chunksLastDrawn = 1;

  constructor(readonly canvas: HTMLCanvasElement, colormapRgb: Uint8Array) {
    // Opaque, with the axes drawn into it: a second full-size layer over it (the axes canvas)
    // doubled the compositor's work each frame (software GL: 9-11 ms a frame for each).
    const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: true, alpha: false });
    if (!gl) throw new Error('this webview has no WebGL2');
    this.gl = gl;
    this.points = program(gl, POINT_VS, POINT_FS);
    this.lines = program(gl, LINE_VS, LINE_FS);
    this.densityProgram = program(gl, DENSITY_VS, DENSITY_FS);
    this.backdropProgram = program(gl, DENSITY_VS, BACKDROP_FS);
    this.backdrop = gl.createTexture()!;
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

  /** What lies under every space: `image` (the canvas's size), drawn over the background by every draw from now on. */
  setBackdrop(image: HTMLCanvasElement): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.backdrop);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, true);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, image);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.NEAREST], [gl.TEXTURE_MAG_FILTER, gl.NEAREST], [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) gl.texParameteri(gl.TEXTURE_2D, k, v);
    this.hasBackdrop = true;
  }

  /** Moves the running transition to `t` (0: every point at its start, 1: at its place). */
  setTransition(t: number): void {
    this.t = t;
  }

  /** Points a draw of the current spaces puts through the GPU. */
  private pointCount(): number {
    return this.spaces.reduce((n, s) => n + (!s.density || s.selected ? s.x.length : 0), 0);
  }

  /** Whether the current spaces are drawn whole, in one frame (a transition needs that). */
  drawsWhole(points = this.pointCount()): boolean {
    return points <= this.pointsPerMs * WHOLE_MS;
  }

  private chunkPoints(): number {
    return Math.max(MIN_LEARN_POINTS, Math.round(this.pointsPerMs * CHUNK_MS));
  }

  /**
   * Draws the current spaces. Returns true when drawn at once; otherwise the draw goes on as a
   * pass over the next frames, and `onDrawn` is called once it is on the canvas.
   */
  draw(onDrawn: () => void = () => {}): boolean {
    this.cancelPass();
    const points = this.pointCount();
    if (this.drawsWhole(points)) {
      this.clear();
      this.spaces.forEach((s, k) => { this.drawBase(s, k); this.drawSpacePoints(s, k, 0, s.x.length); this.drawTrail(s, k); });
      this.chunksLastDrawn = 1;
      this.timeWholeDraw(points);
      return true;
    }
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.renderTarget().framebuffer);
    this.clear();
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.pass = { space: 0, offset: 0, chunks: 0, onDrawn, raf: 0, inFlight: [], started: performance.now(), pointsDone: 0 };
    // Two chunks in flight: the GPU starts on the next while the page learns the last is done.
    this.issueChunk(this.chunkPoints());
    this.issueChunk(this.chunkPoints());
    this.pass.raf = requestAnimationFrame(() => this.pollPass());
    return false;
  }

  /** Draws what is left of a pass now (an export needs every point in this task). */
  finish(): void {
    if (!this.pass) return;
    this.issueChunk(Infinity);
    this.showPass();
  }

  private cancelPass(): void {
    if (!this.pass) return;
    cancelAnimationFrame(this.pass.raf);
    for (const f of this.pass.inFlight) this.gl.deleteSync(f.sync);
    this.pass = undefined;
  }

  private passIssued(): boolean {
    return this.pass!.space >= this.spaces.length;
  }

  /** Draws up to `budget` more points of the pass into the target, behind a fence. */
  private issueChunk(budget: number): void {
    const pass = this.pass!, gl = this.gl;
    if (this.passIssued()) return;
    let drawn = 0;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.target!.framebuffer);
    while (drawn < budget && pass.space < this.spaces.length) {
      const s = this.spaces[pass.space];
      if (pass.offset === 0) this.drawBase(s, pass.space);
      const count = !s.density || s.selected ? Math.min(budget - drawn, s.x.length - pass.offset) : 0;
      this.drawSpacePoints(s, pass.space, pass.offset, count);
      drawn += count;
      pass.offset += count;
      if (pass.offset >= s.x.length || count === 0) { pass.space++; pass.offset = 0; }
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    pass.chunks++;
    pass.inFlight.push(this.fence(drawn));
  }

  /** Each frame: chunks the GPU has finished make room for the next; a complete pass is shown. */
  private pollPass(): void {
    const pass = this.pass!;
    while (pass.inFlight.length > 0 && this.signalled(pass.inFlight[0])) {
      const f = pass.inFlight.shift()!;
      pass.pointsDone += f.points;
      this.learn(f, pass.started, pass.pointsDone);
      this.issueChunk(this.chunkPoints());
    }
    if (this.passIssued() && pass.inFlight.length === 0) this.showPass();
    else pass.raf = requestAnimationFrame(() => this.pollPass());
  }

  /** The pass's texture on the canvas, the trails over it. */
  private showPass(): void {
    const pass = this.pass!, gl = this.gl, { framebuffer, width, height } = this.target!;
    this.cancelPass();
    // The texture holds the background and backdrop too: the blit covers every pixel.
    gl.disable(gl.SCISSOR_TEST);
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, framebuffer);
    gl.blitFramebuffer(0, 0, width, height, 0, 0, width, height, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
    gl.enable(gl.SCISSOR_TEST);
    this.spaces.forEach((s, k) => this.drawTrail(s, k));
    this.chunksLastDrawn = pass.chunks;
    pass.onDrawn();
  }

  private fence(points: number): Fence {
    const gl = this.gl;
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
    gl.flush();
    return { sync, points, issued: performance.now() };
  }

  /** Whether the GPU has passed the fence; its time is noted the first time it has. */
  private signalled(f: Fence): boolean {
    if (f.done === undefined && this.gl.getSyncParameter(f.sync, this.gl.SYNC_STATUS) === this.gl.SIGNALED) f.done = performance.now();
    return f.done !== undefined;
  }

  /**
   * The GPU's rate from a fence: the points drawn since `since` (a pass's start: fences are seen
   * a frame late at most, and two can be seen at once). A fast draw only says the rate is at
   * least this, as its time is mostly the frame's wait.
   */
  private learn(f: Fence, since: number, points: number): void {
    this.gl.deleteSync(f.sync);
    if (points < MIN_LEARN_POINTS) return;
    const took = f.done! - since;
    const rate = points / Math.max(took, 1);
    if (took < 50 && rate < this.pointsPerMs) return;
    this.pointsPerMs = Math.min(4 * this.pointsPerMs, rate);
  }

  /** Learns from a whole draw too, so that a GPU slower than thought makes the next big draw a pass. */
  private timeWholeDraw(points: number): void {
    if (this.wholeDraw) { cancelAnimationFrame(this.wholeDraw.raf); this.gl.deleteSync(this.wholeDraw.fence.sync); }
    const fence = this.fence(points);
    const poll = () => {
      if (!this.signalled(fence)) { this.wholeDraw!.raf = requestAnimationFrame(poll); return; }
      this.wholeDraw = undefined;
      this.learn(fence, fence.issued, points);
    };
    this.wholeDraw = { fence, raf: requestAnimationFrame(poll) };
  }

  /** The texture a pass draws into, at the canvas's size. */
  private renderTarget(): NonNullable<ScatterGl['target']> {
    const gl = this.gl, { width, height } = this.canvas;
    if (this.target?.width === width && this.target.height === height) return this.target;
    if (this.target) { gl.deleteFramebuffer(this.target.framebuffer); gl.deleteTexture(this.target.texture); }
    const texture = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
    const framebuffer = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return (this.target = { framebuffer, texture, width, height });
  }

  /** The background, and the backdrop over it, on the whole of what is drawn into. */
  private clear(): void {
    const gl = this.gl;
    gl.disable(gl.SCISSOR_TEST);
    gl.clearColor(...this.background, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (this.hasBackdrop) {
      gl.viewport(0, 0, this.canvas.width, this.canvas.height);
      this.drawQuad(this.backdropProgram, [['image', this.backdrop]]);
    }
    gl.enable(gl.SCISSOR_TEST);
  }

  /** Points into space k's viewport, with the data range's transform; returns that transform. */
  private enterSpace(s: LayerSpace): number[] {
    const gl = this.gl, dpr = this.dpr();
    const vx = Math.round(s.rect.left * dpr), vw = Math.round(s.rect.width * dpr), vh = Math.round(s.rect.height * dpr);
    const vy = this.canvas.height - Math.round(s.rect.top * dpr) - vh;
    gl.viewport(vx, vy, vw, vh);
    gl.scissor(vx, vy, vw, vh);
    return [s.range.x[0], s.range.y[0], 2 / (s.range.x[1] - s.range.x[0]), 2 / (s.range.y[1] - s.range.y[0])];
  }

  private dpr(): number {
    return this.canvas.width / Math.max(1, this.canvas.clientWidth);
  }

  /** What lies under a space's points: its density, if shown. */
  private drawBase(s: LayerSpace, k: number): void {
    this.enterSpace(s);
    if (s.density) this.drawDensity(this.buffers[k]);
  }

  private drawSpacePoints(s: LayerSpace, k: number, first: number, count: number): void {
    if (count <= 0 || (s.density && !s.selected)) return;
    this.drawPoints(s, this.buffers[k], this.enterSpace(s), this.dpr(), first, count);
  }

  private drawTrail(s: LayerSpace, k: number): void {
    if (!s.trail?.length) return;
    const gl = this.gl;
    const view = this.enterSpace(s);
    gl.enable(gl.BLEND);
    gl.useProgram(this.lines.program);
    gl.uniform4fv(this.lines.uniform('view'), view);
    gl.uniform4fv(this.lines.uniform('colour'), this.lineColour.map((c, i) => (i < 3 ? c * this.lineColour[3] : c)));
    attribute(gl, 0, this.buffers[k].arrays.get('trail')!.buffer, 2);
    for (let i = 1; i < 6; i++) gl.disableVertexAttribArray(i);
    gl.drawArrays(gl.LINES, 0, s.trail.length / 2);
  }

  private drawPoints(s: LayerSpace, b: SpaceBuffers, view: number[], dpr: number, first: number, count: number): void {
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
    gl.drawArrays(gl.POINTS, first, count);
  }

  private drawDensity(b: SpaceBuffers): void {
    this.drawQuad(this.densityProgram, [['bins', b.density], ['colormap', this.colormap]]);
  }

  /** The viewport filled by `p` (over what is there), sampling `textures` (uniform name, texture). */
  private drawQuad(p: Program, textures: [string, WebGLTexture][]): void {
    const gl = this.gl;
    gl.enable(gl.BLEND);
    gl.useProgram(p.program);
    textures.forEach(([name, t], i) => { gl.activeTexture(gl.TEXTURE0 + i); gl.bindTexture(gl.TEXTURE_2D, t); gl.uniform1i(p.uniform(name), i); });
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
