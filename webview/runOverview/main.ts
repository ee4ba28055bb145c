// Run Overview webview: renders a RunSummary sent by the host.
import { OPEN_ACTIONS, type RunOverviewHostToWebview, type RunOverviewState, type RunOverviewWebviewToHost } from '../../src/protocol/runOverview';
import type { RunActivityState, RunSummary } from '../../src/domain/runs/model';
import { el } from '../common/dom';
import { connectToHost, readBoot } from '../common/host';

const KIND_LABEL: Record<RunSummary['run']['kind'], string> = {
  lightning: 'Training run',
  snapshots: 'Embedding snapshots',
  episodes: 'Episode log',
  latents: 'Latent store',
  gallery: 'Image gallery',
  clips: 'Video clips',
  series: 'Image series',
  ringbuffer: 'Live audio buffer',
};

const host = connectToHost<RunOverviewHostToWebview, RunOverviewWebviewToHost, RunOverviewState>();
const app = document.getElementById('app')!;
const boot = readBoot<RunOverviewState>();
if (boot) host.setState(boot);

function render(summary: RunSummary, state: RunActivityState, version: string): void {
  const { run, groups, warnings } = summary;
  const rows = groups.map((g) =>
    el('tr', {},
      el('th', { attrs: { scope: 'row' } }, g.label),
      el('td', { class: 'num' }, String(g.count)),
      el('td', {}, g.detail ?? ''),
      el('td', { class: 'row-actions' },
        ...(OPEN_ACTIONS[g.kind] ? [el('button', { class: 'secondary', attrs: { 'data-testid': `open-${g.kind}` }, onClick: () => host.post({ type: 'open', kind: g.kind }) }, OPEN_ACTIONS[g.kind]!.label)] : []),
        ...(g.path ? [el('button', { class: 'link', title: g.path, onClick: () => host.post({ type: 'reveal', path: g.path! }) }, 'Reveal')] : [])),
    ),
  );
  app.replaceChildren(
    el('header', { class: 'page-header' },
      el('h1', { attrs: { 'data-testid': 'run-name' } }, run.name),
      el('span', { class: 'badge', attrs: { 'data-testid': 'run-kind' } }, KIND_LABEL[run.kind]),
      el('span', { class: `state ${state}`, attrs: { 'data-testid': 'run-state' }, title: state === 'live' ? 'Files arrived in the last minute' : 'No new files in the last minute' }, state === 'live' ? '● live' : 'idle'),
      el('button', { class: 'secondary', onClick: () => host.post({ type: 'refresh' }) }, 'Refresh'),
    ),
    el('p', { class: 'path', title: run.path }, run.path),
    ...(summary.notes?.length ? [el('ul', { class: 'notes', attrs: { 'data-testid': 'run-notes' } }, ...summary.notes.map((n) => el('li', {}, n)))] : []),
    groups.length === 0
      ? el('p', { class: 'empty' }, 'Nothing written yet. This view updates when the run writes files.')
      : el('table', { class: 'grid', attrs: { 'data-testid': 'artifacts' } },
          el('thead', {}, el('tr', {}, el('th', {}, 'Artifacts'), el('th', { class: 'num' }, 'Count'), el('th', {}, 'Details'), el('th', {}, ''))),
          el('tbody', {}, ...rows),
        ),
    ...(warnings.length > 0 ? [el('ul', { class: 'warnings' }, ...warnings.map((w) => el('li', {}, w)))] : []),
    el('footer', {}, `Run Reel ${version}`),
  );
}

host.onMessage((message) => {
  switch (message.type) {
    case 'summary':
      render(message.summary, message.state, message.version);
      return;
    case 'error':
      app.replaceChildren(el('p', { class: 'error', attrs: { role: 'alert' } }, message.message));
      return;
    default: {
      const unknown: never = message;
      console.warn('runreel: unknown message', unknown);
    }
  }
});

app.replaceChildren(el('p', { class: 'empty' }, 'Loading…'));
host.post({ type: 'ready' });
