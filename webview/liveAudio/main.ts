// Live Audio panel: a ring buffer another process is writing, as stacked waveform lanes
// (uPlot, min/max per pixel column) over a scrolling spectrogram of one channel (STFT on the
// page's main thread). The host streams frames at up to 60 a second while the panel is visible, never
// more than a couple ahead of what the page has drawn; the page says how many it missed.
import uPlot from 'uplot';
import {
  COLORMAPS, DEFAULT_LIVE_AUDIO, defaultChannelSpec, type FrequencyScaleName, type LiveAudioHostToWebview, type LiveAudioState,
  type LiveAudioWebviewToHost, type LiveFrame, type RingInfo,
} from '../../src/protocol/audio';
import { MAX_WINDOW, MIN_WINDOW, rowEdges } from '../../src/domain/audio/stft';
import { el, themeVar } from '../common/dom';
import { connectToHost, readBoot } from '../common/host';
import { colormapTable } from '../common/colormaps';
import { ColourBar } from '../common/colourBar';
import { FrequencyAxis } from '../common/frequencyAxis';
import { FramePacer, parseChannels, QualityGovernor, qualityAt, WaveHistory } from './model';
import { ScrollingCanvas } from './scrollingCanvas';
import { columnOfBucket, lastBucketOf, LiveSpectrogram, paintBuckets, type SpectrogramColumns } from './liveSpectrogram';

type Boot = LiveAudioState & { frameBudgetMs?: number };
const host = connectToHost<LiveAudioHostToWebview, LiveAudioWebviewToHost, LiveAudioState>();
const boot = readBoot<Boot>();
let state: LiveAudioState = { ...DEFAULT_LIVE_AUDIO, path: '', ...boot, ...host.getState() };
const save = () => host.setState(state);
save();

const LANE_HEIGHT = 44;
const SPECTROGRAM_ROWS = 180;
/** Spectrogram work per frame's worth of audio (1/60 s) allowed before quality steps down. */
const SPECTROGRAM_BUDGET_MS = boot?.frameBudgetMs ?? 6;
const SPANS = [1, 2, 5, 10, 20, 30];
const Y_AXIS_WIDTH = 56;
const AMPLITUDE_AXIS_WIDTH = 26;
/** A lane's full scale (±1) as a fraction of its height: the rest keeps lanes apart. */
const FULL_SCALE = 0.45;

// ---- page
const app = document.getElementById('app')!;
const titleEl = el('h1', { attrs: { 'data-testid': 'title' } }, 'Live audio');
const infoEl = el('span', { class: 'state', attrs: { 'data-testid': 'info' } });
const statusEl = el('span', { class: 'pill', attrs: { 'data-testid': 'status', role: 'status' } }, 'Connecting…');
const messageEl = el('div', { class: 'state', attrs: { 'data-testid': 'message' } });
const lossEl = el('div', { class: 'banner warning', attrs: { 'data-testid': 'loss', role: 'alert', hidden: '' } });
const freezeButton = el('button', { attrs: { 'data-testid': 'freeze', title: 'Freeze / resume (Space)' }, onClick: () => toggleFreeze() }, 'Freeze');
const wavButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'export-wav', title: 'Save the visible span of the shown channels as a WAV file' }, onClick: () => exportWav() }, 'Export WAV');
const pngButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'export-png', title: 'Save the view as a PNG image' }, onClick: () => exportPng() }, 'Export PNG');
const statsEl = el('span', { class: 'state time', attrs: { 'data-testid': 'stats' } });
const qualityEl = el('span', { class: 'state', attrs: { 'data-testid': 'quality' } });
const channelsInput = el('input', { class: 'text', attrs: { type: 'text', 'aria-label': 'Channels shown', 'data-testid': 'channels', placeholder: '0-7', size: '8' } });
const channelsError = el('span', { class: 'error', attrs: { 'data-testid': 'channels-error' } });
const spanSelect = el('select', { attrs: { 'aria-label': 'Seconds shown', 'data-testid': 'span' } });
const spectrumSelect = el('select', { attrs: { 'aria-label': 'Spectrogram channel', 'data-testid': 'spectrum-channel' } });
const windowSelect = el('select', { attrs: { 'aria-label': 'Window', 'data-testid': 'window' } });
for (let n = MIN_WINDOW; n <= MAX_WINDOW; n *= 2) windowSelect.append(el('option', { attrs: { value: String(n) } }, `window ${n}`));
const scaleSelect = el('select', { attrs: { 'aria-label': 'Frequency scale', 'data-testid': 'scale' } }, ...(['linear', 'log', 'mel'] as const).map((s) => el('option', { attrs: { value: s } }, s)));
const colormapSelect = el('select', { attrs: { 'aria-label': 'Colormap', 'data-testid': 'colormap' } }, ...COLORMAPS.map((c) => el('option', { attrs: { value: c } }, c)));
const floorInput = el('input', { attrs: { type: 'number', step: '5', 'aria-label': 'Lowest level shown (dB)', 'data-testid': 'floor', class: 'db' } });
const ceilingInput = el('input', { attrs: { type: 'number', step: '5', 'aria-label': 'Highest level shown (dB)', 'data-testid': 'ceiling', class: 'db' } });
const colourBar = new ColourBar('colour-bar');
const waveEl = el('div', { class: 'wave live-wave', attrs: { 'data-testid': 'wave' } });
const spectrogramView = new ScrollingCanvas('live-spectrogram', 'spectrogram');
spectrogramView.element.setAttribute('aria-label', 'Spectrogram');
const spectrogramBox = el('div', { class: 'live-spectrogram-box', attrs: { 'data-testid': 'spectrogram-box' } }, spectrogramView.element);
const spectrogramAxis = new FrequencyAxis('spectrogram-axis');
const spectrogramLabel = el('div', { class: 'track-label', attrs: { 'data-testid': 'spectrogram-label' } });
const tooltip = el('div', { class: 'tooltip', attrs: { role: 'tooltip', 'data-testid': 'tooltip' } });

app.replaceChildren(
  el('header', { class: 'page-header' }, titleEl, statusEl, infoEl),
  messageEl, lossEl,
  el('div', { class: 'controls' }, freezeButton, wavButton, pngButton, statsEl, qualityEl),
  el('div', { class: 'controls' },
    el('label', { class: 'check' }, 'Channels ', channelsInput), channelsError, spanSelect,
    el('label', { class: 'check' }, 'Spectrogram of ', spectrumSelect), windowSelect, scaleSelect, colormapSelect,
    el('label', { class: 'check' }, 'dB ', floorInput, colourBar.element, ceilingInput)),
  waveEl, spectrogramLabel, el('div', { class: 'spectrogram-row' }, spectrogramAxis.element, spectrogramBox), tooltip,
);

// ---- what is shown
let ring: RingInfo | undefined;
let lanes: number[] = [];
let history: WaveHistory | undefined;
let plot: uPlot | undefined;
let frozen = false;
/** The current subscription: frames of an older one are dropped. */
let subscription = 0;
let nextId = 1;
let drawMs = 0;
let lossTimer: ReturnType<typeof setTimeout> | undefined;
let lostSamples = 0;
let skippedSamples = 0;
const pacer = new FramePacer();
const governor = new QualityGovernor(SPECTROGRAM_BUDGET_MS, () => state.window);

function spanSamples(): number {
  if (!ring) return 0;
  // Never more than the ring holds safely: older samples may be mid-rewrite.
  return Math.max(1, Math.min(Math.round(state.span * ring.sampleRate), ring.capacity - ring.samplesPerWrite));
}

function syncControls(): void {
  channelsInput.value = state.channels;
  spanSelect.value = String(state.span);
  windowSelect.value = String(state.window);
  scaleSelect.value = state.scale;
  colormapSelect.value = state.colormap;
  floorInput.value = String(state.range[0]);
  ceilingInput.value = String(state.range[1]);
  colourBar.show(state.colormap, state.range);
  spectrumSelect.value = String(state.spectrumChannel);
}

function change(patch: Partial<LiveAudioState>, relayout: boolean): void {
  state = { ...state, ...patch };
  save();
  colourBar.show(state.colormap, state.range);
  if (relayout) layout();
}
channelsInput.addEventListener('change', () => change({ channels: channelsInput.value }, true));
spanSelect.addEventListener('change', () => change({ span: Number(spanSelect.value) }, true));
spectrumSelect.addEventListener('change', () => change({ spectrumChannel: Number(spectrumSelect.value) }, true));
windowSelect.addEventListener('change', () => { governor.reset(); change({ window: Number(windowSelect.value) }, true); });
scaleSelect.addEventListener('change', () => change({ scale: scaleSelect.value as FrequencyScaleName }, true));
colormapSelect.addEventListener('change', () => { change({ colormap: colormapSelect.value as LiveAudioState['colormap'] }, false); recolour(); });
const changeRange = () => {
  const lo = Number(floorInput.value), hi = Number(ceilingInput.value);
  if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) { change({ range: [lo, hi] }, false); recolour(); }
};
floorInput.addEventListener('change', changeRange);
ceilingInput.addEventListener('change', changeRange);
document.addEventListener('keydown', (e) => {
  if (e.key === ' ' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement)) { e.preventDefault(); toggleFreeze(); }
});

// ---- layout: rebuilt when the buffer, the channels, the span or the spectrogram settings change
function layout(): void {
  if (!ring) return;
  // The default follows the file; channels the user typed are kept (and checked).
  if (state.channels === DEFAULT_LIVE_AUDIO.channels && ring.channels < 8) state = { ...state, channels: defaultChannelSpec(ring.channels) };
  const parsed = parseChannels(state.channels, ring.channels);
  channelsError.textContent = 'error' in parsed ? parsed.error : '';
  if ('channels' in parsed) lanes = parsed.channels;
  else if (lanes.length === 0 || lanes.some((c) => c >= ring!.channels)) lanes = Array.from({ length: Math.min(8, ring.channels) }, (_, i) => i);
  if (state.spectrumChannel >= ring.channels) state = { ...state, spectrumChannel: 0 };
  spectrumSelect.replaceChildren(...Array.from({ length: ring.channels }, (_, c) => el('option', { attrs: { value: String(c) } }, `channel ${c}`)));
  spanSelect.replaceChildren(...SPANS.filter((s) => s * ring!.sampleRate <= ring!.capacity - ring!.samplesPerWrite || s === SPANS[0])
    .map((s) => el('option', { attrs: { value: String(s) } }, `${s} s`)));
  if (!SPANS.includes(state.span) || !spanSelect.querySelector(`option[value="${state.span}"]`)) state = { ...state, span: Number(spanSelect.options[spanSelect.options.length - 1]?.value ?? 1) };
  syncControls();
  buildPlot();
  fitHistory();
}

/** One bucket per device pixel of the plot area, so scrolling by a bucket is scrolling by a pixel. */
function historyColumns(): number {
  return Math.max(100, Math.round(plot!.bbox.width));
}

/** A history as wide as the plot area now, and frames for it. */
function fitHistory(): void {
  const columns = historyColumns();
  history = new WaveHistory(lanes.length, columns, Math.max(1, Math.ceil(spanSamples() / columns)));
  plot!.redraw(false);
  sizeLanes();
  buildSpectrogram();
  subscribe();
}

/** Seconds shown: the history's whole width, which rounds the chosen span up to whole buckets. */
function shownSeconds(): number {
  return history && ring ? (history.buckets * history.bucket) / ring.sampleRate : state.span;
}

// The axes are fixed ("seconds ago"), so uPlot draws them once; the waveforms live on their own
// scrolling canvas over the plot area: each frame draws only the new columns.
const lanesView = new ScrollingCanvas('live-lanes', 'lanes');
let lanePixel = 0;

function buildPlot(): void {
  plot?.destroy();
  const width = Math.max(300, waveEl.clientWidth || app.clientWidth - 8);
  const n = lanes.length;
  const fg = themeVar('--vscode-foreground', '#888');
  const grid = themeVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  lanePixel = pixelOf(themeVar('--vscode-charts-blue', '#4e9fe0'));
  const lane = (k: number) => n - k - 0.5; // lane k's baseline on the y scale [0, n], top lane first
  plot = new uPlot({
    width, height: Math.max(120, n * LANE_HEIGHT + 40), legend: { show: false },
    scales: { x: { time: false, range: () => [-shownSeconds(), 0] }, y: { range: [0, Math.max(1, n)] } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((v) => (v === 0 ? 'now' : `${Number(v.toFixed(2))}s`)) },
      {
        stroke: fg, grid: { show: false }, ticks: { stroke: grid }, size: Y_AXIS_WIDTH,
        splits: () => lanes.map((_, k) => lane(k)), values: () => lanes.map((c) => `ch ${c}`),
      },
      // Every lane's full scale (±1) ticked on the right; the top lane's ticks labelled (a lane is
      // too low for three labels of each without the next lane's running into them).
      {
        side: 1, stroke: fg, grid: { show: false }, ticks: { stroke: grid, size: 4 }, size: AMPLITUDE_AXIS_WIDTH, gap: 2,
        splits: () => lanes.flatMap((_, k) => [lane(k) + FULL_SCALE, lane(k), lane(k) - FULL_SCALE]),
        values: (u) => {
          const labels = lanes.flatMap((_, k) => (k === 0 ? ['1', '0', '−1'] : ['', '', '']));
          u.root.dataset.amplitudeTicks = labels.filter(Boolean).join(' '); // what the canvas shows, for tests
          return labels;
        },
      },
    ],
    series: [{}],
    // No uPlot cursor: its lines are layers of their own (will-change) over the scrolling lanes,
    // which cost every frame some 3% of the page's CPU; the hover tooltip says where the pointer is.
    cursor: { show: false, drag: { x: false, y: false } }, select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    // uPlot settles its axes' sizes after the first draw: follow the plot area when it changes
    // (a history of another width would be squeezed into it, and its columns would blur).
    hooks: {
      setSize: [() => { if (history && historyColumns() !== history.buckets) fitHistory(); else sizeLanes(); }],
      draw: [(u) => showAxes(u)],
    },
  }, [[-1, 0]], waveEl);
  plot.over.append(lanesView.element);
  plot.over.addEventListener('mousemove', (e) => hoverWave(e));
  plot.over.addEventListener('mouseleave', () => tooltip.classList.remove('shown'));
}

// uPlot's canvas changes only when the plot is drawn: shown as an image of itself, which is no
// compositor layer of its own (each canvas is, committed with every frame, drawn or not).
const axesImage = el('img', { class: 'axes-image', attrs: { alt: '', 'data-testid': 'axes' } });
let axesDrawn = 0;

function showAxes(u: uPlot): void {
  const canvas = u.ctx.canvas, drawn = ++axesDrawn;
  canvas.style.display = 'none';
  if (axesImage.previousElementSibling !== canvas) canvas.after(axesImage);
  // Encoded off the main thread; a later draw's image wins.
  canvas.toBlob((blob) => {
    if (!blob || drawn !== axesDrawn) return;
    const old = axesImage.src;
    axesImage.src = URL.createObjectURL(blob);
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  });
}

/** The lanes fill the plot area, one column per bucket; redrawn whole. */
function sizeLanes(): void {
  if (!plot || !history) return;
  placeSpectrogram();
  lanesView.resize(history.buckets, Math.round(plot.bbox.height));
  drawLanes(history.buckets);
}

/** Lane columns drawn at once when the whole view is new; older ones follow, as many a frame. */
const LANE_CHUNK = 256;
/** Columns of a whole-view redraw still to draw (a frame's commit of every column of 64 lanes took over 50 ms). */
let backfill: { lo: number; hi: number } | undefined;

/** Scrolls the lanes left by `added` buckets and draws the newest `added` (all, when that is every bucket). */
function drawLanes(added: number): void {
  if (!history || added <= 0) return;
  const w = lanesView.columns;
  const k = Math.min(w, added);
  if (k === w) { lanesView.clear(); backfill = undefined; }
  const first = lanesView.newestColumn + 1;
  const now = k === w ? Math.min(k, LANE_CHUNK) : k;
  putLaneColumns(first + k - now, now, first + k - 1);
  if (now < k) {
    backfill = { lo: first, hi: first + k - now - 1 };
    requestAnimationFrame(drawBackfill);
  }
}

function drawBackfill(): void {
  if (!backfill || !history) return;
  const lo = Math.max(backfill.lo, lanesView.newestColumn - lanesView.columns + 1);
  const from = Math.max(lo, backfill.hi - LANE_CHUNK + 1);
  if (from <= backfill.hi) putLaneColumns(from, backfill.hi - from + 1, lanesView.newestColumn);
  backfill = from > lo ? { lo, hi: from - 1 } : undefined;
  if (backfill) requestAnimationFrame(drawBackfill);
}

let laneImage: ImageData | undefined;

/**
 * Draws lane columns [first, first + count) from the history, whose last bucket is column
 * `newest`, as pixels of one image, put once per tile.
 */
function putLaneColumns(first: number, count: number, newest: number): void {
  const w = lanesView.columns, h = lanesView.rows, n = lanes.length;
  // A frame's few columns reuse one image (at 64 lanes a new one each frame was 14 MB/s of garbage).
  if (laneImage?.width !== count || laneImage.height !== h) laneImage = new ImageData(count, h);
  const image = laneImage;
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(0);
  const laneHeight = h / Math.max(1, n), amp = laneHeight * FULL_SCALE;
  for (let j = 0; j < count; j++) {
    const i = w - 1 - (newest - (first + j));
    for (let lane = 0; lane < n; lane++) {
      const a = history!.min[lane][i], b = history!.max[lane][i];
      if (a !== a) continue;
      const base = (lane + 0.5) * laneHeight;
      const y1 = base - Math.max(-1, Math.min(1, b)) * amp, y0 = base - Math.max(-1, Math.min(1, a)) * amp;
      const top = Math.max(0, Math.floor(y1)), bottom = Math.min(h, Math.floor(y1) + Math.max(1, Math.ceil(y0 - y1)));
      for (let y = top; y < bottom; y++) pixels[y * count + j] = lanePixel;
    }
  }
  lanesView.put(image, first);
}

/** A CSS colour as one canvas pixel (RGBA bytes in memory order). */
function pixelOf(css: string): number {
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = css;
  ctx.fillRect(0, 0, 1, 1);
  return new Uint32Array(ctx.getImageData(0, 0, 1, 1).data.buffer)[0];
}

// ---- the spectrogram: one pixel column per waveform bucket, scrolled with the lanes; the
// STFT's columns' levels are kept for hover and recolouring
let quality = qualityAt(state.window, 0);
let columns = 0;
let lastColumn = -1;
let spectrogramLevels = new Float32Array(0);
/** The newest bucket painted (buckets are the lanes', counted from the stream's start); -Infinity: none since the spectrogram was cleared. */
let paintedBucket = -Infinity;
let spectrogramImage: ImageData | undefined;
/** The stream's STFT state since the spectrogram last started afresh (new settings, a fresh stream). */
let stream: LiveSpectrogram | undefined;

function buildSpectrogram(): void {
  if (!ring || !history) return;
  quality = qualityAt(state.window, governor.level);
  columns = Math.ceil(spanSamples() / quality.hop) + 1;
  spectrogramView.resize(history.buckets, SPECTROGRAM_ROWS);
  spectrogramLevels = new Float32Array(columns * SPECTROGRAM_ROWS).fill(NaN);
  lastColumn = -1;
  paintedBucket = -Infinity;
  stream = new LiveSpectrogram({ window: quality.window, hop: quality.hop, sampleRate: ring.sampleRate, scale: state.scale, rows: SPECTROGRAM_ROWS });
  spectrogramAxis.show(state.scale, ring.sampleRate, spectrogramBox.clientHeight || SPECTROGRAM_ROWS, spectrogramBox.clientTop);
  spectrogramLabel.textContent = `Spectrogram · channel ${state.spectrumChannel} · window ${quality.window} · hop ${quality.hop} · ${state.scale}`;
  showQuality();
}

function showQuality(): void {
  qualityEl.textContent = governor.level === 0 ? ''
    : `Reduced quality: window ${quality.window}, hop ${quality.hop} (the spectrogram took ${governor.slowMs.toFixed(1)} ms a frame; budget ${SPECTROGRAM_BUDGET_MS} ms)`;
  qualityEl.classList.toggle('warning-text', governor.level > 0);
}

/**
 * A frame's samples of the spectrogram's channel: its new columns, made here on the main
 * thread (a frame's worth is well under a millisecond at the default window; a worker's round
 * trip cost the page more than the work). Too slow a frame steps the quality down.
 */
function feedSpectrogram(start: number, samples: Float32Array): void {
  if (samples.length === 0 || !stream || !ring) return;
  const started = performance.now();
  try {
    keepColumns(stream.push(start, samples, columns));
  } catch (err) {
    // The lanes go on without it.
    messageEl.textContent = `Spectrogram: ${(err as Error).message ?? String(err)}`;
    return;
  }
  // Time per frame's worth of audio: a backlog done in one go is not a slow frame.
  const frames = Math.max(1, (samples.length / ring.sampleRate) * 60);
  if (governor.record((performance.now() - started) / frames)) buildSpectrogram();
}

function keepColumns(r: SpectrogramColumns): void {
  if (r.count === 0) return;
  const rows = SPECTROGRAM_ROWS;
  const newLast = r.first + r.count - 1;
  const shift = lastColumn < 0 ? columns : Math.min(columns, newLast - lastColumn);
  if (shift > 0) {
    spectrogramLevels.copyWithin(0, shift * rows);
    spectrogramLevels.fill(NaN, Math.max(0, columns - shift) * rows);
  }
  const take = Math.min(r.count, columns);
  spectrogramLevels.set(r.levels.subarray((r.count - take) * rows), (columns - take) * rows);
  lastColumn = newLast;
}

/** Scrolls the spectrogram with the lanes and paints the buckets whose columns are made now (the newest wait for theirs). */
function paintSpectrogram(): void {
  if (!history || history.end === 0) return;
  const newest = history.end / history.bucket - 1;
  spectrogramView.scrollTo(newest);
  if (lastColumn < 0) return;
  const from = Math.max(0, newest - history.buckets + 1, paintedBucket + 1);
  const to = Math.min(newest, lastBucketOf(lastColumn, history.bucket, quality.window, quality.hop));
  if (to < from) return;
  paintSpectrogramBuckets(from, to - from + 1);
  paintedBucket = to;
}

function paintSpectrogramBuckets(from: number, count: number): void {
  if (spectrogramImage?.width !== count || spectrogramImage.height !== SPECTROGRAM_ROWS) spectrogramImage = new ImageData(count, SPECTROGRAM_ROWS);
  paintBuckets(new Uint32Array(spectrogramImage.data.buffer), from, count, history!.bucket, quality.window, quality.hop,
    { levels: spectrogramLevels, columns, rows: SPECTROGRAM_ROWS, lastColumn }, colormapTable(state.colormap), state.range);
  spectrogramView.put(spectrogramImage, from);
}

/** Lines the spectrogram's box up under the plot area (its buckets are the lanes'). */
let spectrogramPlacement = '';
function placeSpectrogram(): void {
  if (!plot) return;
  const dpr = devicePixelRatio || 1;
  const plotLeft = plot.bbox.left / dpr, plotWidth = plot.bbox.width / dpr;
  const placement = `${plotLeft}|${plotWidth}`;
  if (placement === spectrogramPlacement) return;
  spectrogramPlacement = placement;
  spectrogramBox.style.marginLeft = `${plotLeft}px`;
  spectrogramAxis.place(plotLeft);
  spectrogramBox.style.width = `${plotWidth}px`;
}

function recolour(): void {
  if (!history || lastColumn < 0 || paintedBucket === -Infinity) return;
  const from = Math.max(spectrogramView.newestColumn - history.buckets + 1, 0);
  if (paintedBucket >= from) paintSpectrogramBuckets(from, paintedBucket - from + 1);
}

// ---- frames
/** Asks for frames of the current layout, afresh; before the buffer is known, for its shape only. */
function subscribe(): void {
  subscription = nextId++;
  if (!history) return host.post({ type: 'subscribe', id: subscription, channels: [], bucket: 1, history: 0 });
  host.post({ type: 'subscribe', id: subscription, channels: lanes, spectrumChannel: state.spectrumChannel, bucket: history.bucket, history: history.buckets * history.bucket });
}

function receiveFrame(f: LiveFrame): void {
  const started = performance.now();
  const shapeChanged = !ring || ring.sampleRate !== f.ring.sampleRate || ring.channels !== f.ring.channels || ring.capacity !== f.ring.capacity || ring.samplesPerWrite !== f.ring.samplesPerWrite;
  ring = f.ring;
  // Text changes cost a style and layout pass: a few times a second is enough for reading.
  const readable = started - lastTextAt > TEXT_INTERVAL_MS;
  if (readable) {
    lastTextAt = started;
    setText(titleEl, `Live audio · ${f.ring.name}`);
    setText(infoEl, `${f.ring.sampleRate.toLocaleString()} Hz · ${f.ring.channels} ch · ${(f.ring.capacity / f.ring.sampleRate).toFixed(1)} s ring · written ${formatSeconds(f.written / f.ring.sampleRate)}`);
  }
  // (Frames of an older subscription, with another bucket size, never get here.)
  if (shapeChanged || !history) return layout();
  if (f.fresh) buildSpectrogram();
  const before = history.end;
  history.append(f.start, f.min, f.max, f.fresh);
  const added = f.fresh ? history.buckets : (history.end - before) / history.bucket;
  if (f.spectrum) feedSpectrogram(f.start, f.spectrum);
  noteLoss(f);
  if (f.stopped) {
    setStatus('stopped', f.written === 0 ? 'Waiting for data' : 'Writer stopped');
    messageEl.textContent = f.written === 0 ? 'The writer has not written anything yet.' : `No new samples for ${formatSeconds(f.idleMs / 1000)}: the writer has stopped or paused.`;
    pacer.pause();
  } else {
    setStatus('live', 'Live');
    setText(messageEl, '');
  }
  if (added > 0) drawLanes(added);
  paintSpectrogram();
  if (!f.stopped) pacer.drawn(performance.now(), f.held);
  drawMs = drawMs * 0.9 + (performance.now() - started) * 0.1;
  if (readable) {
    setText(statsEl, `${pacer.fps.toFixed(0)} fps · ${pacer.dropped} dropped · ${drawMs.toFixed(1)} ms draw · ${f.readMs.toFixed(1)} ms read`);
    statsEl.dataset.dropped = String(pacer.dropped);
    statsEl.dataset.fps = pacer.fps.toFixed(1);
    statsEl.dataset.frames = String(pacer.drawnCount);
  }
}

let lastTextAt = -Infinity;
const TEXT_INTERVAL_MS = 250;
function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function noteLoss(f: LiveFrame): void {
  if (f.overrun === 0 && f.skipped === 0) return;
  lostSamples += f.overrun;
  skippedSamples += f.skipped;
  const rate = f.ring.sampleRate;
  lossEl.textContent = [
    lostSamples > 0 ? `Data loss detected (buffer overrun): ${lostSamples.toLocaleString()} samples (${formatSeconds(lostSamples / rate)}) were overwritten before they could be read.` : '',
    skippedSamples > 0 ? `Skipped ${skippedSamples.toLocaleString()} samples (${formatSeconds(skippedSamples / rate)}) to keep up.` : '',
  ].filter(Boolean).join(' ');
  lossEl.hidden = false;
  clearTimeout(lossTimer);
  lossTimer = setTimeout(() => { lossEl.hidden = true; lostSamples = 0; skippedSamples = 0; }, 5000);
}

function setStatus(kind: 'live' | 'stopped' | 'gone' | 'error' | 'frozen', text: string): void {
  if (statusEl.textContent === text) return;
  statusEl.textContent = text;
  statusEl.className = `pill ${kind}`;
  waveEl.classList.toggle('stale', kind === 'gone' || kind === 'error');
}

const formatSeconds = (s: number) => (s < 60 ? `${s.toFixed(s < 10 ? 2 : 1)} s` : `${Math.floor(s / 60)} min ${(s % 60).toFixed(0)} s`);

host.onMessage((m) => {
  switch (m.type) {
    case 'frame':
      if (m.id !== subscription || frozen) return;
      receiveFrame(m);
      host.post({ type: 'ack', id: m.id, seq: m.seq });
      return;
    case 'unavailable':
      if (m.id !== subscription) return;
      setStatus(m.gone ? 'gone' : 'error', m.gone ? 'File gone' : 'Unreadable');
      messageEl.textContent = m.message;
      pacer.pause();
      return;
    case 'frozen':
      messageEl.textContent = m.message;
      return;
    case 'error':
      messageEl.textContent = m.message;
      return;
  }
});

// ---- freeze, export
function visibleSpan(): { start: number; end: number } | undefined {
  if (!history || history.end === 0) return undefined;
  return { start: Math.max(0, history.end - history.buckets * history.bucket), end: history.end };
}

function toggleFreeze(): void {
  frozen = !frozen;
  freezeButton.textContent = frozen ? 'Resume' : 'Freeze';
  pacer.pause();
  if (frozen) {
    setStatus('frozen', 'Frozen');
    const span = visibleSpan();
    if (span) host.post({ type: 'freeze', ...span, channels: lanes });
  } else {
    messageEl.textContent = '';
    subscribe();
  }
}

function exportWav(): void {
  const span = visibleSpan();
  if (!span) { messageEl.textContent = 'Nothing to export yet.'; return; }
  host.post({ type: 'exportWav', ...span, channels: lanes });
}

function exportPng(): void {
  if (!plot) return;
  const dpr = devicePixelRatio || 1;
  const waveCanvas = plot.ctx.canvas;
  const width = waveCanvas.width, header = Math.round(28 * dpr);
  const { left: plotLeft, top: plotTop } = plot.bbox;
  const specHeight = Math.round(spectrogramBox.clientHeight * dpr);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = header + waveCanvas.height + specHeight;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = themeVar('--vscode-editor-background', '#1e1e1e');
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = themeVar('--vscode-foreground', '#ccc');
  ctx.font = `${Math.round(13 * dpr)}px sans-serif`;
  ctx.fillText(`${titleEl.textContent} · ${spectrogramLabel.textContent}`, 8 * dpr, 19 * dpr);
  ctx.drawImage(waveCanvas, 0, header);
  ctx.drawImage(lanesView.snapshot(), plotLeft, header + plotTop, plot.bbox.width, plot.bbox.height);
  const box = spectrogramBox.getBoundingClientRect(), img = spectrogramView.element.getBoundingClientRect();
  const wave = waveEl.getBoundingClientRect();
  ctx.save();
  ctx.beginPath();
  ctx.rect((box.left - wave.left) * dpr, header + waveCanvas.height, box.width * dpr, specHeight);
  ctx.clip();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(spectrogramView.snapshot(), (img.left - wave.left) * dpr, header + waveCanvas.height, img.width * dpr, specHeight);
  ctx.restore();
  spectrogramAxis.drawInto(ctx, (box.left - wave.left) * dpr, header + waveCanvas.height + spectrogramBox.clientTop * dpr, dpr);
  host.post({ type: 'exportPng', dataUrl: out.toDataURL('image/png') });
}

// ---- hover
function hoverWave(e: MouseEvent): void {
  if (!plot || !history || !ring) return;
  // The x axis runs from -span to 0 (now).
  const x = plot.posToVal(e.offsetX, 'x'), y = plot.posToVal(e.offsetY, 'y');
  const k = lanes.length - 1 - Math.floor(y);
  const i = Math.floor(((x + shownSeconds()) / shownSeconds()) * history.buckets);
  if (k < 0 || k >= lanes.length || i < 0 || i >= history.buckets) return tooltip.classList.remove('shown');
  const lo = history.min[k][i], hi = history.max[k][i];
  const at = history.sampleAt(i) / ring.sampleRate;
  showTooltip(e, `channel ${lanes[k]} · ${at.toFixed(3)} s (${Math.max(0, -x).toFixed(3)} s ago) · ${lo !== lo ? 'no data' : `${lo.toFixed(4)} … ${hi.toFixed(4)}`}`);
}

spectrogramView.element.addEventListener('mousemove', (e) => {
  if (!ring || !history || lastColumn < 0) return;
  const rect = spectrogramView.element.getBoundingClientRect();
  const bucket = spectrogramView.newestColumn - history.buckets + 1 + Math.floor(((e.clientX - rect.left) / rect.width) * history.buckets);
  const column = columnOfBucket(bucket, history.bucket, quality.window, quality.hop);
  const c = column - (lastColumn - columns + 1);
  const r = SPECTROGRAM_ROWS - 1 - Math.floor(((e.clientY - rect.top) / rect.height) * SPECTROGRAM_ROWS);
  if (c < 0 || c >= columns || r < 0 || r >= SPECTROGRAM_ROWS) return tooltip.classList.remove('shown');
  const edges = rowEdges(state.scale, SPECTROGRAM_ROWS, ring.sampleRate);
  const hz = (edges[r] + edges[r + 1]) / 2;
  const level = spectrogramLevels[c * SPECTROGRAM_ROWS + r];
  const seconds = (column * quality.hop - quality.window / 2) / ring.sampleRate;
  showTooltip(e, `${seconds.toFixed(3)} s · ${hz >= 1000 ? `${(hz / 1000).toFixed(2)} kHz` : `${hz.toFixed(0)} Hz`} · ${level !== level ? 'no data' : `${level.toFixed(1)} dB`}`);
});
spectrogramView.element.addEventListener('mouseleave', () => tooltip.classList.remove('shown'));

function showTooltip(e: MouseEvent, text: string): void {
  tooltip.textContent = text;
  tooltip.style.left = `${e.clientX + 12}px`;
  tooltip.style.top = `${e.clientY + 12}px`;
  tooltip.classList.add('shown');
}

// Theme colours are read when the plot is built: rebuild it on a theme change.
new MutationObserver(() => { if (ring && history) { buildPlot(); sizeLanes(); } }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
window.addEventListener('resize', () => { if (ring) layout(); });

syncControls();
host.post({ type: 'ready' });
subscribe();
