// Eval Audio panel: target and prediction of one sample, one above the other, each as a
// waveform (uPlot, min/max peaks of the visible range) over a spectrogram (canvas, STFT in a
// worker); zoom, cursor and playhead shared; playback with A/B and a loop; a difference view.
import uPlot from 'uplot';
import {
  COLORMAPS, DEFAULT_SPECTROGRAM, type EvalAudioHostToWebview, type EvalAudioState, type EvalAudioWebviewToHost,
  type EvalStepInfo, type FrequencyScaleName, type TrackInfo,
} from '../../src/protocol/audio';
import { MAX_WINDOW, MIN_WINDOW, rowEdges } from '../../src/domain/audio/stft';
import { el, themeVar } from '../common/dom';
import { fullScaleTicks } from '../common/axes';
import { ColourBar } from '../common/colourBar';
import { FrequencyAxis } from '../common/frequencyAxis';
import { connectToHost, readBoot } from '../common/host';
import type { SpectrogramGrid } from './spectrogramImage';
import type { WorkerReply, WorkerRequest } from './worker';
import workerSource from './worker.ts?worker';

const host = connectToHost<EvalAudioHostToWebview, EvalAudioWebviewToHost, EvalAudioState>();
const boot = readBoot<EvalAudioState>();
let state: EvalAudioState = { path: '', single: false, diff: false, ...boot, ...host.getState(), spectrogram: { ...DEFAULT_SPECTROGRAM, ...boot?.spectrogram, ...host.getState()?.spectrogram } };
const save = () => host.setState(state);
save();

const SPECTROGRAM_HEIGHT = 150;
const WAVE_HEIGHT = 110;
/** The difference view's scale: ± this many dB end to end. */
const DIFF_RANGE_DB = 20;
const ROLE_LABEL = { target: 'Target', pred: 'Prediction', file: 'Audio' } as const;

interface Track {
  info: TrackInfo;
  audio: HTMLAudioElement;
  plot: uPlot;
  canvas: HTMLCanvasElement;
  /** The spectrogram's frequency axis, in the margin under the waveform's amplitude axis. */
  axis: FrequencyAxis;
  grid?: SpectrogramGrid;
  /** The range the grid shows, in seconds. */
  gridRange?: [number, number];
}

let steps: EvalStepInfo[] = [];
let tracks: Track[] = [];
/** Visible range in seconds; undefined = the whole of the longest track. */
let view: [number, number] | undefined;
let selection: [number, number] | undefined;
let active = 0;
/** Read when the tracks are built (again on a theme change), not on every drawn frame. */
let playheadColour = '#e5c07b';
let playing = false;
let nextId = 1;
const latest = new Map<string, number>();

// ---- page
const app = document.getElementById('app')!;
const titleEl = el('h1', { attrs: { 'data-testid': 'title' } }, 'Eval audio');
const stepSelect = el('select', { attrs: { 'aria-label': 'Step', 'data-testid': 'step' } });
const sampleSelect = el('select', { attrs: { 'aria-label': 'Sample', 'data-testid': 'sample' } });
const textEl = el('pre', { class: 'sample-text', attrs: { 'data-testid': 'text' } });
const tracksEl = el('div', { class: 'tracks', attrs: { 'data-testid': 'tracks' } });
const diffBox = el('div', { class: 'track diff', attrs: { 'data-testid': 'diff' } });
const diffCanvas = el('canvas', { class: 'spectrogram', attrs: { 'data-testid': 'diff-canvas', 'aria-label': 'Prediction minus target, in dB' } });
const diffNote = el('span', { class: 'state', attrs: { 'data-testid': 'diff-note' } });
const diffAxis = new FrequencyAxis('freq-axis-diff');
const diffBar = new ColourBar('colour-bar-diff');
diffBar.show('difference', [-DIFF_RANGE_DB, DIFF_RANGE_DB]);
const playButton = el('button', { attrs: { 'data-testid': 'play', title: 'Play / pause (Space)' }, onClick: () => togglePlay() }, 'Play');
const abButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'ab', title: 'Switch between target and prediction at the same position (A)' }, onClick: () => switchTrack() }, 'A/B');
const timeEl = el('span', { class: 'state time', attrs: { 'data-testid': 'time' } });
const loopCheck = el('input', { attrs: { type: 'checkbox', 'data-testid': 'loop' } });
const zoomButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'zoom-selection' }, onClick: () => { if (selection) setView(selection); } }, 'Zoom to selection');
const resetButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'zoom-reset', title: 'Whole file (double-click a waveform)' }, onClick: () => setView(undefined) }, 'Whole file');
const windowSelect = el('select', { attrs: { 'aria-label': 'Window', 'data-testid': 'window' } });
for (let n = MIN_WINDOW; n <= MAX_WINDOW; n *= 2) windowSelect.append(el('option', { attrs: { value: String(n) } }, `window ${n}`));
const hopSelect = el('select', { attrs: { 'aria-label': 'Hop', 'data-testid': 'hop' } }, ...[64, 128, 256, 512, 1024, 2048, 4096].map((n) => el('option', { attrs: { value: String(n) } }, `hop ${n}`)));
const scaleSelect = el('select', { attrs: { 'aria-label': 'Frequency scale', 'data-testid': 'scale' } }, ...(['linear', 'log', 'mel'] as const).map((s) => el('option', { attrs: { value: s } }, s)));
const colormapSelect = el('select', { attrs: { 'aria-label': 'Colormap', 'data-testid': 'colormap' } }, ...COLORMAPS.map((c) => el('option', { attrs: { value: c } }, c)));
const floorInput = el('input', { attrs: { type: 'number', step: '5', 'aria-label': 'Lowest level shown (dB)', 'data-testid': 'floor', class: 'db' } });
const ceilingInput = el('input', { attrs: { type: 'number', step: '5', 'aria-label': 'Highest level shown (dB)', 'data-testid': 'ceiling', class: 'db' } });
const colourBar = new ColourBar('colour-bar');
const diffCheck = el('input', { attrs: { type: 'checkbox', 'data-testid': 'diff-toggle' } });
const tooltip = el('div', { class: 'tooltip', attrs: { role: 'tooltip', 'data-testid': 'tooltip' } });
const warningList = el('ul', { class: 'warnings', attrs: { 'data-testid': 'warnings' } });

app.replaceChildren(
  el('header', { class: 'page-header' }, titleEl,
    el('label', { class: 'check' }, 'Step ', stepSelect), el('label', { class: 'check' }, 'Sample ', sampleSelect)),
  textEl,
  el('div', { class: 'controls' }, playButton, abButton, el('label', { class: 'check' }, loopCheck, 'Loop selection'), zoomButton, resetButton, timeEl),
  el('div', { class: 'controls' }, windowSelect, hopSelect, scaleSelect, colormapSelect,
    el('label', { class: 'check' }, 'dB ', floorInput, colourBar.element, ceilingInput), el('label', { class: 'check' }, diffCheck, 'Difference')),
  tracksEl, warningList, tooltip,
);
diffBox.append(el('div', { class: 'track-label' }, 'Prediction − target (dB) ', `−${DIFF_RANGE_DB}`, diffBar.element, `+${DIFF_RANGE_DB} `, diffNote), el('div', { class: 'spectrogram-row' }, diffAxis.element, diffCanvas));

function syncControls(): void {
  const s = state.spectrogram;
  windowSelect.value = String(s.window);
  hopSelect.value = String(s.hop);
  scaleSelect.value = s.scale;
  colormapSelect.value = s.colormap;
  floorInput.value = String(s.range[0]);
  ceilingInput.value = String(s.range[1]);
  colourBar.show(s.colormap, s.range);
  diffCheck.checked = state.diff;
}
syncControls();

function changeSpectrogram(patch: Partial<EvalAudioState['spectrogram']>): void {
  state = { ...state, spectrogram: { ...state.spectrogram, ...patch } };
  colourBar.show(state.spectrogram.colormap, state.spectrogram.range);
  save();
  requestSpectrograms();
}
windowSelect.addEventListener('change', () => changeSpectrogram({ window: Number(windowSelect.value) }));
hopSelect.addEventListener('change', () => changeSpectrogram({ hop: Number(hopSelect.value) }));
scaleSelect.addEventListener('change', () => changeSpectrogram({ scale: scaleSelect.value as FrequencyScaleName }));
colormapSelect.addEventListener('change', () => changeSpectrogram({ colormap: colormapSelect.value as EvalAudioState['spectrogram']['colormap'] }));
const changeRange = () => {
  const lo = Number(floorInput.value), hi = Number(ceilingInput.value);
  if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) changeSpectrogram({ range: [lo, hi] });
};
floorInput.addEventListener('change', changeRange);
ceilingInput.addEventListener('change', changeRange);
diffCheck.addEventListener('change', () => { state = { ...state, diff: diffCheck.checked }; save(); layoutDiff(); requestSpectrograms(); });
stepSelect.addEventListener('change', () => selectSample(Number(stepSelect.value), Number(sampleSelect.value)));
sampleSelect.addEventListener('change', () => selectSample(Number(stepSelect.value), Number(sampleSelect.value)));

function selectSample(step: number, sample: number): void {
  const s = steps.find((x) => x.step === step);
  const index = s?.samples.some((x) => x.index === sample) ? sample : s?.samples[0]?.index ?? 0;
  state = { ...state, step, sample: index };
  save();
  host.post({ type: 'select', step, sample: index });
}

// ---- the worker
const worker = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
const waiting = new Map<number, (r: WorkerReply) => void>();
worker.onmessage = (e: MessageEvent<WorkerReply>) => { waiting.get(e.data.id)?.(e.data); waiting.delete(e.data.id); };
function compute(request: WorkerRequest): Promise<WorkerReply> {
  return new Promise((resolve) => { waiting.set(request.id, resolve); worker.postMessage(request); });
}

// ---- time and ranges
function duration(): number {
  return Math.max(0, ...tracks.map((t) => t.info.frames / t.info.sampleRate));
}
function visible(): [number, number] {
  return view ?? [0, duration()];
}
function setView(range: [number, number] | undefined): void {
  const d = duration();
  if (range) {
    const lo = Math.max(0, Math.min(range[0], range[1])), hi = Math.min(d, Math.max(range[0], range[1]));
    range = hi - lo < 1e-3 ? undefined : [lo, hi];
  }
  view = range && (range[0] > 0 || range[1] < d) ? range : undefined;
  const [lo, hi] = visible();
  for (const t of tracks) t.plot.setScale('x', { min: lo, max: hi });
  requestPeaks();
  requestSpectrograms();
}
const formatTime = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(2).padStart(5, '0')}`;

// ---- tracks
/** New tracks (another sample, or the same in new theme colours) at the same position, still playing if they were, showing `range`. */
function replaceTracks(infos: TrackInfo[], range: [number, number] | undefined): void {
  const wasPlaying = playing;
  const at = now();
  stop();
  buildTracks(infos);
  if (range) setView(range);
  if (at > 0) seek(Math.min(at, duration()));
  if (wasPlaying) togglePlay();
}

function buildTracks(infos: TrackInfo[]): void {
  for (const t of tracks) { t.audio.pause(); t.plot.destroy(); if (t.audio.src.startsWith('blob:')) URL.revokeObjectURL(t.audio.src); }
  tracks = [];
  tracksEl.replaceChildren();
  selection = undefined;
  active = Math.min(active, Math.max(0, infos.length - 1));
  const fg = themeVar('--vscode-foreground', '#888');
  const grid = themeVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  playheadColour = themeVar('--vscode-editorCursor-foreground', '#e5c07b');
  const width = Math.max(300, tracksEl.clientWidth || app.clientWidth - 8);
  infos.forEach((info, k) => {
    const box = el('div', { class: 'track', attrs: { 'data-testid': `track-${info.role}` } });
    const label = el('div', { class: 'track-label' }, `${ROLE_LABEL[info.role]} · ${info.name} · ${info.sampleRate} Hz · ${info.channels} ch · ${formatTime(info.frames / info.sampleRate)}`);
    const waveEl = el('div', { class: 'wave', attrs: { 'data-testid': `wave-${info.role}` } });
    const canvas = el('canvas', { class: 'spectrogram', attrs: { 'data-testid': `spectrogram-${info.role}`, 'aria-label': `Spectrogram of ${info.name}` } });
    const axis = new FrequencyAxis(`freq-axis-${info.role}`);
    // A WAV inside another file (an event file's audio summary) comes as bytes: play a blob of them.
    const audio = el('audio', { attrs: { preload: 'auto', src: info.wav ? URL.createObjectURL(new Blob([info.wav as BlobPart], { type: 'audio/wav' })) : info.src } });
    audio.muted = k !== active;
    box.append(label, waveEl, el('div', { class: 'spectrogram-row' }, axis.element, canvas), audio);
    tracksEl.append(box);
    const plot = new uPlot({
      width, height: WAVE_HEIGHT, legend: { show: false },
      scales: { x: { time: false }, y: { range: [-1, 1] } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((v) => `${Number(v.toFixed(3))}s`) },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 44, ...fullScaleTicks() },
      ],
      series: [{}, { stroke: k === 0 ? '#4e9fe0' : '#e0894e', width: 1 }, { stroke: k === 0 ? '#4e9fe0' : '#e0894e', width: 1 }],
      bands: [{ series: [1, 2], fill: k === 0 ? 'rgba(78,159,224,0.35)' : 'rgba(224,137,78,0.35)' }],
      cursor: { sync: { key: 'runreel-eval' }, drag: { x: true, y: false, setScale: false } },
      hooks: {
        // (uPlot sizes itself after setSize returns: its bbox is new only here.)
        setSize: [(u) => { placeUnder(u, canvas, axis); if (k === 0) placeUnder(u, diffCanvas, diffAxis); }],
        setSelect: [(u) => {
          if (u.select.width < 2) return;
          const a = u.posToVal(u.select.left, 'x'), b = u.posToVal(u.select.left + u.select.width, 'x');
          selection = [a, b];
          for (const t of tracks) if (t.plot !== u) t.plot.setSelect({ ...u.select }, false);
          updateTime();
        }],
        draw: [(u) => drawPlayhead(u)],
      },
    }, [[0, duration() || 1], [0, 0], [0, 0]], waveEl);
    plot.over.addEventListener('click', (e) => { if (plot.select.width < 2) seek(plot.posToVal(e.offsetX, 'x')); });
    plot.over.addEventListener('dblclick', () => setView(undefined));
    plot.over.addEventListener('wheel', (e) => {
      e.preventDefault();
      const at = plot.posToVal(e.offsetX, 'x');
      const [lo, hi] = visible();
      const f = e.deltaY > 0 ? 1.25 : 0.8;
      setView([at - (at - lo) * f, at + (hi - at) * f]);
    }, { passive: false });
    const track: Track = { info, audio, plot, canvas, axis };
    canvas.addEventListener('mousemove', (e) => hoverSpectrogram(track, e));
    canvas.addEventListener('mouseleave', () => tooltip.classList.remove('shown'));
    canvas.addEventListener('click', (e) => { const [lo, hi] = visible(); seek(lo + (e.offsetX / canvas.clientWidth) * (hi - lo)); });
    audio.addEventListener('ended', () => { if (k === active) stop(); });
    tracks.push(track);
  });
  layoutDiff();
  abButton.disabled = tracks.length < 2;
  playButton.disabled = tracks.length === 0;
  updateTime();
  setView(undefined); // the whole of the new tracks, with their peaks and spectrograms
}

/**
 * A spectrogram under its waveform's plot area, so a moment is at the same x in both (it shows
 * the visible range, as the plot), and its frequency axis in the margin beside it.
 */
function placeUnder(plot: uPlot, canvas: HTMLCanvasElement, axis: FrequencyAxis): void {
  const dpr = devicePixelRatio || 1;
  const left = plot.bbox.left / dpr;
  canvas.style.marginLeft = `${left}px`;
  canvas.style.width = `${plot.bbox.width / dpr}px`;
  axis.place(left);
}

function layoutDiff(): void {
  const target = tracks.find((t) => t.info.role === 'target'), pred = tracks.find((t) => t.info.role === 'pred');
  const show = state.diff && !!target && !!pred;
  if (show) tracksEl.append(diffBox);
  else diffBox.remove();
  diffCheck.disabled = !target || !pred;
}

// ---- data requests (the newest answer per kind and track wins)
function request(kind: string, track: number, message: (id: number) => EvalAudioWebviewToHost): void {
  const id = nextId++;
  latest.set(`${kind}:${track}`, id);
  host.post(message(id));
}
function isLatest(kind: string, track: number, id: number): boolean {
  return latest.get(`${kind}:${track}`) === id;
}

function requestPeaks(): void {
  const [lo, hi] = visible();
  tracks.forEach((t, k) => {
    const rate = t.info.sampleRate;
    request('peaks', k, (id) => ({ type: 'requestPeaks', id, track: k, start: lo * rate, end: hi * rate, buckets: Math.max(100, Math.floor(t.plot.bbox.width / devicePixelRatio)) }));
  });
}

function requestSpectrograms(): void {
  const [lo, hi] = visible();
  const { window: size, hop } = state.spectrogram;
  tracks.forEach((t, k) => {
    const rate = t.info.sampleRate;
    const frames = (hi - lo) * rate;
    const columns = Math.max(1, Math.min(Math.floor(t.canvas.clientWidth || 600), Math.ceil(frames / hop)));
    request('samples', k, (id) => ({ type: 'requestSamples', id, track: k, start: lo * rate, end: hi * rate, columns, size }));
  });
}

async function showSpectrogram(m: Extract<EvalAudioHostToWebview, { type: 'samples' }>): Promise<void> {
  const t = tracks[m.track];
  if (!t || !isLatest('samples', m.track, m.id)) return;
  const rows = SPECTROGRAM_HEIGHT;
  const { scale, colormap, range } = state.spectrogram;
  const reply = await compute({
    kind: 'spectrogram', id: m.id, colormap, range,
    job: { samples: m.samples, mode: m.mode, first: m.mode === 'contiguous' ? m.first : 0, start: m.start, end: m.end, columns: m.columns, size: m.size, sampleRate: t.info.sampleRate, scale, rows },
  });
  if ('error' in reply) return warn(`${t.info.name}: ${reply.error}`);
  if (!isLatest('samples', m.track, m.id)) return;
  t.grid = reply.grid;
  t.gridRange = [m.start / t.info.sampleRate, m.end / t.info.sampleRate];
  paint(t.canvas, reply.grid, reply.rgba);
  t.axis.show(scale, t.info.sampleRate, t.canvas.clientHeight, t.canvas.clientTop);
  if (state.diff) void showDifference();
}

async function showDifference(): Promise<void> {
  const target = tracks.find((t) => t.info.role === 'target'), pred = tracks.find((t) => t.info.role === 'pred');
  if (!target?.grid || !pred?.grid) return;
  const aligned = target.info.sampleRate === pred.info.sampleRate && target.grid.columns === pred.grid.columns && target.grid.rows === pred.grid.rows
    && Math.abs(target.info.frames - pred.info.frames) <= target.info.sampleRate * 0.05;
  if (!aligned) {
    diffNote.textContent = 'not shown: target and prediction differ in rate or length';
    const ctx = diffCanvas.getContext('2d');
    ctx?.clearRect(0, 0, diffCanvas.width, diffCanvas.height);
    return;
  }
  diffNote.textContent = 'red: prediction louder · blue: quieter';
  const reply = await compute({ kind: 'difference', id: nextId++, pred: pred.grid, target: target.grid, range: DIFF_RANGE_DB });
  if ('error' in reply) return warn(reply.error);
  paint(diffCanvas, reply.grid, reply.rgba);
  diffAxis.show(state.spectrogram.scale, target.info.sampleRate, diffCanvas.clientHeight, diffCanvas.clientTop);
}

function paint(canvas: HTMLCanvasElement, grid: SpectrogramGrid, rgba: Uint8ClampedArray): void {
  canvas.width = grid.columns;
  canvas.height = grid.rows;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, grid.columns, grid.rows), 0, 0);
  canvas.dataset.columns = String(grid.columns);
}

function hoverSpectrogram(t: Track, e: MouseEvent): void {
  const canvas = t.canvas;
  if (!t.grid || !t.gridRange) return;
  const { columns, rows, levels } = t.grid;
  const c = Math.min(columns - 1, Math.max(0, Math.floor((e.offsetX / canvas.clientWidth) * columns)));
  const r = Math.min(rows - 1, Math.max(0, rows - 1 - Math.floor((e.offsetY / canvas.clientHeight) * rows)));
  const edges = rowEdges(state.spectrogram.scale, rows, t.info.sampleRate);
  const time = t.gridRange[0] + ((c + 0.5) / columns) * (t.gridRange[1] - t.gridRange[0]);
  const hz = (edges[r] + edges[r + 1]) / 2;
  tooltip.textContent = `${formatTime(time)} · ${hz >= 1000 ? `${(hz / 1000).toFixed(2)} kHz` : `${hz.toFixed(0)} Hz`} · ${levels[c * rows + r].toFixed(1)} dB`;
  tooltip.style.left = `${e.clientX + 14}px`;
  tooltip.style.top = `${e.clientY + 14}px`;
  tooltip.classList.add('shown');
}

// ---- playback
function now(): number {
  return tracks[active]?.audio.currentTime ?? 0;
}
function seek(seconds: number): void {
  for (const t of tracks) t.audio.currentTime = Math.max(0, seconds);
  redrawPlayheads();
}
function togglePlay(): void {
  if (playing) return stop();
  if (tracks.length === 0) return;
  if (loopCheck.checked && selection && (now() < selection[0] || now() >= selection[1])) seek(selection[0]);
  playing = true;
  playButton.textContent = 'Pause';
  const at = now();
  for (const [k, t] of tracks.entries()) { t.audio.muted = k !== active; t.audio.currentTime = at; void t.audio.play().catch((err) => warn(`cannot play ${t.info.name}: ${String(err)}`)); }
  requestAnimationFrame(tick);
}
function stop(): void {
  playing = false;
  playButton.textContent = 'Play';
  for (const t of tracks) t.audio.pause();
  redrawPlayheads();
}
/** A/B: the other track becomes audible at the same position (both keep playing in step). */
function switchTrack(): void {
  if (tracks.length < 2) return;
  const at = now();
  active = (active + 1) % tracks.length;
  for (const [k, t] of tracks.entries()) { t.audio.muted = k !== active; if (Math.abs(t.audio.currentTime - at) > 0.03) t.audio.currentTime = at; }
  updateTime();
}
function tick(): void {
  if (!playing) return;
  if (loopCheck.checked && selection && now() >= selection[1]) seek(selection[0]);
  redrawPlayheads();
  requestAnimationFrame(tick);
}
function redrawPlayheads(): void {
  for (const t of tracks) t.plot.redraw(false, false);
  updateTime();
}
function drawPlayhead(u: uPlot): void {
  const x = u.valToPos(now(), 'x', true);
  if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = playheadColour;
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}
function updateTime(): void {
  const who = tracks[active] ? ROLE_LABEL[tracks[active].info.role] : '';
  const sel = selection ? ` · selection ${formatTime(selection[0])}–${formatTime(selection[1])}` : '';
  timeEl.textContent = `${formatTime(now())} / ${formatTime(duration())} · hearing ${who}${sel}`;
}

window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  if (e.key === ' ') { e.preventDefault(); togglePlay(); }
  else if (e.key === 'a' || e.key === 'A') switchTrack();
});

// VS Code switches theme by the body's class; the plots take colours as values.
new MutationObserver(() => { if (tracks.length) replaceTracks(tracks.map((t) => t.info), view); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- messages
function warn(message: string): void {
  if (warningList.children.length < 20) warningList.append(el('li', {}, message));
}

host.onMessage((m) => {
  switch (m.type) {
    case 'steps': {
      steps = m.steps;
      titleEl.textContent = m.title;
      stepSelect.replaceChildren(...steps.map((s) => el('option', { attrs: { value: String(s.step) } }, `step ${s.step}`)));
      if (state.step !== undefined) stepSelect.value = String(state.step);
      return;
    }
    case 'sample': {
      if (m.step !== undefined) { state = { ...state, step: m.step, sample: m.sample }; save(); stepSelect.value = String(m.step); }
      const s = steps.find((x) => x.step === m.step);
      sampleSelect.replaceChildren(...(s?.samples ?? []).map((x) => el('option', { attrs: { value: String(x.index) } }, `sample ${x.key}${x.target && x.pred ? '' : x.target ? ' (target only)' : ' (prediction only)'}`)));
      if (m.sample !== undefined) sampleSelect.value = String(m.sample);
      stepSelect.hidden = sampleSelect.hidden = state.single;
      (stepSelect.parentElement as HTMLElement).hidden = (sampleSelect.parentElement as HTMLElement).hidden = state.single;
      textEl.textContent = m.text ?? '';
      textEl.hidden = !m.text;
      if (state.single && m.tracks[0]) titleEl.textContent = m.tracks[0].name;
      warningList.replaceChildren();
      for (const t of m.tracks) for (const w of t.warnings) warn(`${t.name}: ${w}`);
      if (m.tracks.length === 0) warn('No audio for this step.');
      // Switching steps keeps the position, so the same moment can be compared across steps.
      replaceTracks(m.tracks, undefined);
      return;
    }
    case 'peaks': {
      const t = tracks[m.track];
      if (!t || !isLatest('peaks', m.track, m.id)) return;
      const n = m.min[0]?.length ?? 0;
      const rate = t.info.sampleRate;
      const xs = new Float64Array(n), lo = new Float64Array(n).fill(Infinity), hi = new Float64Array(n).fill(-Infinity);
      for (let b = 0; b < n; b++) {
        xs[b] = (m.start + ((b + 0.5) * (m.end - m.start)) / n) / rate;
        for (let c = 0; c < m.min.length; c++) { lo[b] = Math.min(lo[b], m.min[c][b]); hi[b] = Math.max(hi[b], m.max[c][b]); }
      }
      const [a, z] = visible();
      t.plot.setData([Array.from(xs), Array.from(hi), Array.from(lo)], false);
      t.plot.setScale('x', { min: a, max: z });
      t.plot.root.dataset.exact = String(m.exact);
      t.plot.root.dataset.buckets = String(n);
      return;
    }
    case 'samples':
      void showSpectrogram(m);
      return;
    case 'error':
      warn(m.message);
      return;
    default: {
      const unknown: never = m;
      console.warn('runreel: unknown message', unknown);
    }
  }
});

window.addEventListener('resize', () => {
  const width = Math.max(300, tracksEl.clientWidth);
  for (const t of tracks) t.plot.setSize({ width, height: WAVE_HEIGHT });
  requestPeaks();
  requestSpectrograms();
});

host.post({ type: 'ready' });
