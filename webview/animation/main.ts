// Animation panel: plays a GIF or WebM timeline, switchable, with its file details.
import type { AnimationFile, AnimationHostToWebview, AnimationState, AnimationWebviewToHost } from '../../src/protocol/animation';
import { compact, el } from '../common/dom';
import { connectToHost, readBoot } from '../common/host';

const host = connectToHost<AnimationHostToWebview, AnimationWebviewToHost, AnimationState>();
const app = document.getElementById('app')!;
const boot = readBoot<AnimationState>();
let state: AnimationState = host.getState() ?? boot ?? { paths: [] };
host.setState(state);

function size(bytes: number): string {
  return bytes < 1048576 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function render(title: string, files: AnimationFile[], frames?: number): void {
  const chosen = files.find((f) => f.kind === state.selected) ?? files[0];
  const player = !chosen
    ? el('p', { class: 'empty' }, 'The animation files are gone.')
    : chosen.kind === 'gif'
      ? el('img', { class: 'animation', attrs: { src: chosen.src, alt: `${title} (GIF)`, 'data-testid': 'player' } })
      : el('video', { class: 'animation', attrs: { src: chosen.src, controls: '', autoplay: '', loop: '', muted: '', 'data-testid': 'player' } });
  app.replaceChildren(...compact(
    el('header', { class: 'page-header' },
      el('h1', { attrs: { 'data-testid': 'title' } }, title),
      frames ? el('span', { class: 'badge' }, `${frames} frames`) : null,
      el('span', { class: 'tabs', attrs: { role: 'tablist' } },
        ...files.map((f) => el('button', {
          class: f === chosen ? '' : 'secondary',
          attrs: { role: 'tab', 'aria-selected': String(f === chosen), 'data-testid': `tab-${f.kind}` },
          onClick: () => { state = { ...state, selected: f.kind }; host.setState(state); render(title, files, frames); },
        }, f.kind.toUpperCase()))),
    ),
    player,
    chosen ? el('p', { class: 'path' }, `${chosen.name} · ${size(chosen.bytes)} · `, el('button', { class: 'link', onClick: () => host.post({ type: 'reveal', path: chosen.path }) }, 'Reveal')) : null,
  ));
}

host.onMessage((m) => {
  switch (m.type) {
    case 'show':
      render(m.title, m.files, m.frames);
      return;
    default: {
      const unknown: never = m.type;
      console.warn('runreel: unknown message', unknown);
    }
  }
});
app.replaceChildren(el('p', { class: 'empty' }, 'Loading…'));
host.post({ type: 'ready' });
