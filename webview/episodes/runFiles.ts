// The run's files beside its episodes (JaxARC v1.0.x logs/): the evaluation summary as text,
// batch metrics as one small chart per metric (their scales differ: losses near 1, episode
// lengths in tens), and each logger start's episode config. All text goes in as text.
import uPlot from 'uplot';
import type { EpisodeRunFiles } from '../../src/protocol/episodes';
import { axisColours, el } from '../common/dom';
import { wholeNumberTicks } from '../common/axes';

const fmt = (v: number | undefined) => (v === undefined ? '—' : Number(v.toFixed(4)).toString());

export class RunFilesView {
  readonly element = el('section', { class: 'run-files', attrs: { 'data-testid': 'run-files' } });
  private charts: uPlot[] = [];
  private files: EpisodeRunFiles | undefined;

  show(files: EpisodeRunFiles): void {
    this.files = files;
    this.render();
  }

  /** Redraws at the current width and theme. */
  render(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const f = this.files;
    if (!f) return;
    const parts: HTMLElement[] = [el('h2', {}, 'Training and evaluation')];
    if (f.evaluation) {
      const e = f.evaluation;
      const solved = e.tests.filter((t) => t.solved).length;
      parts.push(el('p', { attrs: { 'data-testid': 'evaluation' }, title: e.file },
        `Evaluation of task ${e.taskId ?? '—'}: success rate ${fmt(e.successRate)} · mean episode length ${fmt(e.averageEpisodeLength)} · ${fmt(e.timeouts)} timeouts · ${e.tests.length ? `${solved} of ${e.tests.length} test pairs solved` : 'no test pairs'}${e.configHash ? ` · config ${e.configHash}` : ''}`));
    }
    const pending: { card: HTMLElement; name: string; values: (number | null)[] }[] = [];
    const m = f.batchMetrics;
    if (m) {
      parts.push(el('p', { class: 'track-label', title: m.file }, `Batch metrics: ${m.steps.length} rows${m.skipped ? ` · ${m.skipped} lines skipped` : ''}${m.partialLast ? ' · last line still being written' : ''}`));
      const grid = el('div', { class: 'metric-cards', attrs: { 'data-testid': 'batch-metrics' } });
      for (const s of m.series) {
        const card = el('figure', { class: 'metric-card', attrs: { 'data-metric': s.name } }, el('figcaption', {}, `${s.name}${s.reduced ? ` (${s.reduced})` : ''}`));
        grid.append(card);
        pending.push({ card, name: s.name, values: s.values });
      }
      parts.push(grid);
    }
    for (const c of f.configs) {
      parts.push(el('details', { class: 'episode-config' }, el('summary', { title: c.file }, `Episode config · ${c.file.split(/[\\/]/).slice(-2, -1)[0] ?? ''}`),
        el('table', { class: 'grid' }, el('tbody', {}, ...c.fields.map(([k, v]) => el('tr', {}, el('th', { attrs: { scope: 'row' } }, k), el('td', {}, v)))))));
    }
    if (f.problems.length) parts.push(el('ul', { class: 'warnings' }, ...f.problems.map((p) => el('li', {}, p))));
    this.element.replaceChildren(...parts);
    if (!m) return;
    const { fg, grid: gridColour } = axisColours();
    const width = Math.max(200, Math.min(320, Math.floor((this.element.clientWidth || 900) / 3) - 16));
    for (const { card, name, values } of pending) {
      this.charts.push(new uPlot({
        width, height: 130, legend: { show: false },
        scales: { x: { time: false } },
        axes: [{ stroke: fg, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, size: 28, ...wholeNumberTicks() }, { stroke: fg, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, size: 44 }],
        series: [{ label: 'step' }, { label: name, stroke: '#4e9fe0', width: 1.5, spanGaps: true, points: { show: m.steps.length < 100, size: 4 } }],
      }, [m.steps, values] as uPlot.AlignedData, card));
    }
  }
}
