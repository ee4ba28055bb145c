// Media webview: generated images as a thumbnail grid (size, dimensions, Copy ID; click to
// enlarge, ←/→ to move, Esc to close) and video clips as a list (duration, resolution, audio
// from ffprobe) with a player, multi-select and Stitch Videos.
import { nearestIndexOf } from '../../src/domain/nearest';
import type { ClipEntry, ImageEntry, ImageTag, MediaHostToWebview, MediaState, MediaWebviewToHost } from '../../src/protocol/media';
import { formatBytes } from '../../src/domain/format';
import { el, showError } from '../common/dom';
import { connectToHost, readBoot } from '../common/host';

const host = connectToHost<MediaHostToWebview, MediaWebviewToHost, MediaState>();
const state: MediaState = { ...readBoot<MediaState>()!, ...host.getState() };
const app = document.getElementById('app')!;
const save = () => host.setState(state);

let images: ImageEntry[] = [];
let clips: ClipEntry[] = [];
const selectedClips = new Set<string>();
let lightboxIndex = -1;

const summary = el('div');
const status = el('p', { class: 'empty', attrs: { role: 'status' } }, 'Listing…');
const gallery = el('section', { attrs: { 'data-testid': 'gallery' } });
const tagsSection = el('section', { attrs: { 'data-testid': 'image-tags' } });
const clipsSection = el('section', { attrs: { 'data-testid': 'clips' } });
const lightbox = el('div', { class: 'lightbox', attrs: { hidden: '', role: 'dialog', 'aria-modal': 'true', 'data-testid': 'lightbox' } });
app.replaceChildren(summary, status, tagsSection, gallery, clipsSection, lightbox);

// ---- image summaries of the folder's TensorBoard event files: one card per tag, a step slider

interface TagView { tag: ImageTag; index: number; img: HTMLImageElement; label: HTMLElement; slider: HTMLInputElement }
const tagViews = new Map<string, TagView>();
/** Data URLs already received, by tag and step. */
const tagImages = new Map<string, string>();
let imageTags: ImageTag[] = [];

function renderImageTags(): void {
  if (imageTags.length === 0) { tagsSection.replaceChildren(); return; }
  const cards = imageTags.map((tag) => {
    const old = tagViews.get(tag.tag);
    const following = !old || old.index === old.tag.steps.length - 1;
    const index = following ? tag.steps.length - 1 : Math.min(old.index, tag.steps.length - 1);
    const img = el('img', { class: 'tag-image', attrs: { alt: `${tag.tag}`, width: String(tag.width), height: String(tag.height) } });
    const label = el('figcaption', { class: 'muted', attrs: { 'data-testid': 'tag-step' } });
    const slider = el('input', { attrs: { type: 'range', min: '0', max: String(tag.steps.length - 1), value: String(index), 'aria-label': `Step of ${tag.tag}` } });
    const view: TagView = { tag, index, img, label, slider };
    slider.addEventListener('input', () => showTagStep(view, Number(slider.value)));
    tagViews.set(tag.tag, view);
    showTagStep(view, index);
    const animate = el('button', { class: 'secondary', attrs: { 'data-testid': 'animate-tag' }, title: `A GIF and WebM of ${tag.tag} over its steps, saved next to the run`, onClick: () => host.post({ type: 'animateTag', tag: tag.tag }) }, 'Create Animation');
    animate.disabled = tag.steps.length < 2;
    return el('figure', { class: 'tag-card', attrs: { 'data-testid': 'image-tag', 'data-tag': tag.tag } }, el('div', { class: 'mono' }, tag.tag), img, slider, label, animate);
  });
  tagsSection.replaceChildren(el('h2', {}, `Image summaries (${imageTags.length})`), el('div', { class: 'tag-grid' }, ...cards));
}

function showTagStep(view: TagView, index: number): void {
  view.index = index;
  view.slider.value = String(index);
  const step = view.tag.steps[index];
  view.label.textContent = `step ${step} · ${index + 1} of ${view.tag.steps.length} · ${view.tag.width} × ${view.tag.height}`;
  view.img.dataset.step = String(step);
  const src = tagImages.get(`${view.tag.tag}\n${step}`);
  if (src) view.img.src = src;
  else host.post({ type: 'requestTagImage', tag: view.tag.tag, step });
}


const short = (id: string) => id.slice(0, 8);
const dims = (i: ImageEntry) => (i.width && i.height ? `${i.width} × ${i.height}` : '');

// ---- gallery

function renderGallery(more: number): void {
  if (images.length === 0) { gallery.replaceChildren(); return; }
  gallery.replaceChildren(
    el('h2', {}, `Images (${images.length + more})`),
    ...(more ? [el('p', { class: 'muted' }, `Showing the newest ${images.length}; ${more} more in the folder.`)] : []),
    el('div', { class: 'thumb-grid' }, ...images.map((img, i) => {
      const card = el('figure', { class: 'thumb', attrs: { tabindex: '0', 'data-path': img.path, title: img.name } },
        img.error
          ? el('div', { class: 'thumb-broken warning-text' }, `⚠ ${img.error}`)
          : el('img', { attrs: { src: img.src, alt: img.name, loading: 'lazy', decoding: 'async' } }),
        el('figcaption', {},
          el('span', { class: 'mono' }, img.id ? short(img.id) : img.name),
          el('span', { class: 'muted' }, [dims(img), formatBytes(img.bytes)].filter(Boolean).join(' · '))),
      );
      card.addEventListener('click', () => openLightbox(i));
      card.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openLightbox(i); } });
      return card;
    })),
  );
}

function openLightbox(i: number): void {
  const img = images[i];
  if (!img) return;
  lightboxIndex = i;
  state.focus = img.path;
  save();
  host.post({ type: 'focus', path: img.path });
  lightbox.hidden = false;
  lightbox.replaceChildren(
    el('div', { class: 'lightbox-bar' },
      el('strong', { class: 'mono', attrs: { 'data-testid': 'lightbox-name' } }, img.name),
      el('span', { class: 'muted', attrs: { 'data-testid': 'lightbox-info' } }, [dims(img), img.format?.toUpperCase(), formatBytes(img.bytes), `${i + 1} of ${images.length}`].filter(Boolean).join(' · ')),
      ...(img.id ? [el('button', { attrs: { 'data-testid': 'copy-id' }, title: 'The image ID the producer\'s API takes', onClick: () => host.post({ type: 'copyId', id: img.id! }) }, 'Copy ID')] : []),
      el('button', { class: 'secondary', onClick: () => host.post({ type: 'reveal', path: img.path }) }, 'Reveal'),
      el('button', { class: 'secondary icon', title: 'Previous (←)', attrs: { 'aria-label': 'Previous image' }, onClick: () => openLightbox((i - 1 + images.length) % images.length) }, '‹'),
      el('button', { class: 'secondary icon', title: 'Next (→)', attrs: { 'aria-label': 'Next image' }, onClick: () => openLightbox((i + 1) % images.length) }, '›'),
      el('button', { class: 'secondary icon', title: 'Close (Esc)', attrs: { 'aria-label': 'Close', 'data-testid': 'lightbox-close' }, onClick: closeLightbox }, '✕'),
    ),
    img.error ? el('p', { class: 'error' }, img.error) : el('img', { class: 'lightbox-image', attrs: { src: img.src, alt: img.name } }),
  );
  (lightbox.querySelector('button') as HTMLButtonElement | null)?.focus();
}

function closeLightbox(): void {
  lightbox.hidden = true;
  lightboxIndex = -1;
  state.focus = undefined;
  save();
  host.post({ type: 'focus' });
}

lightbox.addEventListener('click', (e) => { if (e.target === lightbox) closeLightbox(); });
window.addEventListener('keydown', (e) => {
  if (lightbox.hidden) return;
  if (e.key === 'Escape') closeLightbox();
  else if (e.key === 'ArrowRight') openLightbox((lightboxIndex + 1) % images.length);
  else if (e.key === 'ArrowLeft') openLightbox((lightboxIndex - 1 + images.length) % images.length);
});

// ---- clips

const player = el('video', { class: 'clip-player', attrs: { controls: '', preload: 'metadata', 'data-testid': 'player' } });
const playerNote = el('div', { class: 'player-note' });
let playing: ClipEntry | undefined;

player.addEventListener('error', () => {
  if (!playing) return;
  const clip = playing;
  const codec = clip.probe?.videoCodec;
  // VS Code's Electron has no proprietary codecs: H.264/HEVC/AAC clips cannot play inside it.
  const why = codec && /^(h264|hevc|mpeg4|aac)$/.test(codec)
    ? `VS Code's player cannot decode ${clip.name} (${codec}): it ships without H.264, HEVC and AAC. WebM (VP8/VP9) clips play here. `
    : `Cannot play ${clip.name}${codec ? ` (${codec})` : ''}: ${player.error?.message || 'the file cannot be decoded'}. `;
  playerNote.replaceChildren(el('p', { class: 'banner', attrs: { role: 'alert', 'data-testid': 'player-error' } },
    why, el('button', { class: 'link', onClick: () => host.post({ type: 'openExternal', path: clip.path }) }, 'Open in the system player')));
});

/** Loads `clip` into the player, unless it is there already; `start` plays it (a click). */
function play(clip: ClipEntry, start = false): void {
  if (playing?.path !== clip.path || player.hidden) {
    playing = clip;
    state.focus = clip.path;
    save();
    host.post({ type: 'focus', path: clip.path });
    playerNote.replaceChildren(el('p', { class: 'muted', attrs: { 'data-testid': 'playing' } }, clip.name));
    player.hidden = false;
    player.src = clip.src;
  }
  player.scrollIntoView({ block: 'nearest' });
  // A clip that cannot play says why through the player's 'error' event.
  if (start) player.play().catch(() => {});
}

function probeCells(c: ClipEntry, ffprobe: boolean): HTMLTableCellElement[] {
  const p = c.probe;
  if (p) return [
    el('td', { class: 'num' }, `${p.duration.toFixed(1)} s`),
    el('td', {}, `${p.width} × ${p.height}`),
    el('td', { class: 'num' }, `${Math.round(p.fps * 100) / 100}`),
    el('td', {}, p.hasAudio ? 'yes' : 'no'),
  ];
  const why = c.error ? `⚠ ${c.error}` : ffprobe ? 'probing…' : '';
  return [el('td', { class: c.error ? 'warning-text' : 'muted', attrs: { colspan: '4' } }, why)];
}

function renderClips(ffprobe: string | null): void {
  for (const p of [...selectedClips]) if (!clips.some((c) => c.path === p)) selectedClips.delete(p);
  if (clips.length === 0) { clipsSection.replaceChildren(); return; }
  const stitch = el('button', { attrs: { 'data-testid': 'stitch' }, onClick: () => host.post({ type: 'stitch', paths: clips.filter((c) => selectedClips.has(c.path)).map((c) => c.path) }) }, 'Stitch Videos');
  const updateStitch = () => {
    stitch.toggleAttribute('disabled', selectedClips.size < 2);
    stitch.textContent = selectedClips.size ? `Stitch ${selectedClips.size} Videos` : 'Stitch Videos';
  };
  const all = el('input', { attrs: { type: 'checkbox', 'aria-label': 'Select all clips' } });
  all.checked = selectedClips.size === clips.length;
  all.addEventListener('change', () => {
    for (const c of clips) if (all.checked) selectedClips.add(c.path); else selectedClips.delete(c.path);
    for (const box of clipsSection.querySelectorAll<HTMLInputElement>('tbody input[type=checkbox]')) box.checked = all.checked;
    updateStitch();
  });
  const rows = clips.map((c) => {
    const box = el('input', { attrs: { type: 'checkbox', 'aria-label': `Select ${c.name}` } });
    box.checked = selectedClips.has(c.path);
    box.addEventListener('change', () => { if (box.checked) selectedClips.add(c.path); else selectedClips.delete(c.path); updateStitch(); });
    return el('tr', { attrs: { 'data-path': c.path } },
      el('td', {}, box),
      el('td', { class: 'mono' }, c.name),
      ...probeCells(c, !!ffprobe),
      el('td', { class: 'num' }, formatBytes(c.bytes)),
      el('td', {}, el('button', { class: 'secondary', attrs: { 'aria-label': `Play ${c.name}` }, onClick: () => play(c, true) }, '▶ Play')));
  });
  updateStitch();
  clipsSection.replaceChildren(
    el('h2', {}, `Video clips (${clips.length})`),
    ...(ffprobe ? [] : [el('p', { class: 'banner' }, 'ffprobe was not found, so durations and resolutions are not shown. Install ffmpeg or set runreel.ffmpegPath.')]),
    el('div', { class: 'controls' }, stitch, el('span', { class: 'muted' }, 'Stitched in list order; the next step lets you reorder or leave clips out.')),
    el('table', { class: 'grid', attrs: { 'data-testid': 'clip-table' } },
      el('thead', {}, el('tr', {}, el('th', {}, all), el('th', {}, 'Clip'), el('th', { class: 'num' }, 'Duration'), el('th', {}, 'Resolution'), el('th', { class: 'num' }, 'fps'), el('th', {}, 'Audio'), el('th', { class: 'num' }, 'Size'), el('th', {}, ''))),
      el('tbody', {}, ...rows)),
    playerNote,
    player,
  );
  if (!playing) player.hidden = true;
}

// ---- messages

function applyFocus(path: string): void {
  const i = images.findIndex((img) => img.path === path);
  if (i >= 0) return openLightbox(i);
  const clip = clips.find((c) => c.path === path);
  if (clip) play(clip);
}

host.onMessage((m) => {
  switch (m.type) {
    case 'media': {
      status.hidden = m.images.length + m.clips.length + imageTags.length > 0;
      if (!status.hidden) status.textContent = 'No images or video clips in this folder yet. This view updates when files arrive.';
      images = m.images;
      clips = m.clips;
      const name = m.dir.split(/[\\/]/).pop() ?? m.dir;
      summary.replaceChildren(
        el('header', { class: 'page-header' }, el('h1', {}, name),
          ...(images.length ? [el('span', { class: 'badge', attrs: { 'data-testid': 'image-count' } }, `${images.length + m.moreImages} images`)] : []),
          ...(clips.length ? [el('span', { class: 'badge', attrs: { 'data-testid': 'clip-count' } }, `${clips.length} clips`)] : [])),
        el('p', { class: 'path', title: m.dir }, m.dir),
      );
      renderGallery(m.moreImages);
      renderClips(m.ffprobe);
      if (playing) playing = clips.find((c) => c.path === playing!.path);
      // Keep the enlarged image at its new place in the list. What was shown before a reload
      // comes back from the host's 'focus' (its state is this page's saved one).
      if (state.focus && lightboxIndex >= 0) applyFocus(state.focus);
      return;
    }
    case 'focus':
      applyFocus(m.path);
      return;
    case 'imageTags':
      imageTags = m.tags;
      status.hidden = true;
      renderImageTags();
      return;
    case 'tagImage': {
      tagImages.set(`${m.tag}\n${m.step}`, m.src);
      const view = tagViews.get(m.tag);
      if (view && view.tag.steps[view.index] === m.step) { view.img.src = m.src; view.img.dataset.shown = String(m.step); }
      return;
    }
    case 'goToStep':
      for (const view of tagViews.values()) showTagStep(view, nearestIndexOf(view.tag.steps, m.step));
      return;
    case 'error':
      showError(status, m.message);
      return;
  }
});
host.post({ type: 'ready' });
