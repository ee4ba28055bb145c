// The Media panel: a folder's generated images as a gallery and its video clips with a
// player, multi-select and Stitch Videos. The session (no vscode) lists and probes.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { resolveFfmpeg, resolveFfprobe } from '../../domain/animation/ffmpeg';
import { MediaSession } from '../../domain/media/mediaSession';
import { MEDIA_VIEW_TYPE, type MediaState, type MediaWebviewToHost } from '../../protocol/media';
import { Disposable } from '../dispose';
import { loadPanelPage } from '../panelPage';
import { watchFolder } from '../watchFolder';
import type { StepClock } from '../stepClock';
import { FolderPanelSet } from './panelSet';

/** ffprobe as Stitch Videos finds it (setting, ffmpeg-static's sibling, PATH), or null. */
function findFfprobe(): string | null {
  try {
    const explicit = vscode.workspace.getConfiguration('runreel').get<string>('ffmpegPath', '') || undefined;
    return resolveFfprobe(resolveFfmpeg(explicit), explicit).path;
  } catch {
    return null;
  }
}

export class MediaPanels extends FolderPanelSet<MediaState, MediaView> {
  constructor(extensionUri: vscode.Uri, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, MEDIA_VIEW_TYPE, title);
  }

  /** Opens the folder's panel (or reveals it), showing `focus` when given. */
  show(dir: string, focus?: string): void {
    this.showFolder({ dir, focus }, focus);
  }

  protected create(panel: vscode.WebviewPanel, state: MediaState): MediaView {
    return new MediaView(panel, state, this.extensionUri, this.clock, this.log);
  }
}

const title = (dir: string) => `Media · ${basename(dir)}`;

class MediaView extends Disposable {
  private readonly session: MediaSession;

  constructor(readonly panel: vscode.WebviewPanel, readonly state: MediaState, extensionUri: vscode.Uri, clock: StepClock, log: vscode.LogOutputChannel) {
    super();
    this.session = new MediaSession(state.dir, {
      post: (m) => void panel.webview.postMessage(m),
      uri: (path) => panel.webview.asWebviewUri(vscode.Uri.file(path)).toString(),
      copy: (text) => void vscode.env.clipboard.writeText(text).then(() => vscode.window.setStatusBarMessage(`Copied ${text}`, 3000)),
      reveal: (path) => void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path)),
      openExternal: (path) => void vscode.env.openExternal(vscode.Uri.file(path)),
      stitch: (paths) => void vscode.commands.executeCommand('runreel.stitchVideos', undefined, paths.map((p) => vscode.Uri.file(p))),
      animateTag: (tag) => void vscode.commands.executeCommand('runreel.createTagAnimation', state.dir, tag),
      ffprobe: findFfprobe,
    }, state.focus, clock.stepOf(state.dir));
    loadPanelPage(panel, extensionUri, { title: 'Media', bundle: 'media', boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: MediaWebviewToHost) => void this.session.handle(m).catch((err) => log.warn(`media: ${describeError(err, state.dir)}`))));
    // Images and clips a generator writes appear without a reload.
    this.register(watchFolder(state.dir, () => void this.session.refresh(), '*', 500));
    // Image summaries move to the step the run's clock is set to.
    this.register(clock.follow(state.dir, (step) => this.session.goToStep(step, panel.visible)));
  }

  reveal(focus?: string): void {
    this.panel.reveal();
    if (focus) this.session.show(focus);
  }
}
