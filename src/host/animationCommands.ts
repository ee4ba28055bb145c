// Create Animation from the Explorer, the Runs view, the palette, and automatically when a
// watched run goes idle. The work itself is domain/animation; this is progress, cancel
// and what the user sees afterwards.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { createAnimation, type AnimateResult } from '../domain/animation/animate';
import { resolveFfmpeg, resolveFfprobe, ToolError } from '../domain/animation/ffmpeg';
import { listClips, stitchVideos } from '../domain/animation/stitch';
import { VIDEO_CLIP } from '../domain/runs/discover';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { tagFileName, writeTagFrames } from '../domain/tensorboard/tagFrames';
import type { Run } from '../domain/runs/model';
import type { AnimationPanels } from './panels/animationPanel';
import type { RunIndex } from './runIndex';
import { nodePath, type RunsNode } from './runsView';
import { firstFound, runFolders } from './pickRun';
import { findSnapshotDir } from '../domain/embeddings/timeline';

const ANIMATABLE = new Set<Run['kind']>(['lightning', 'snapshots', 'series']);

interface Deps {
  log: vscode.LogOutputChannel;
  index: RunIndex;
  panels: AnimationPanels;
  extensionUri: vscode.Uri;
}

async function askForFolder(index: RunIndex): Promise<string | undefined> {
  const browse = { label: '$(folder-opened) Choose a folder…', path: undefined as string | undefined };
  const items = [...index.all.filter((r) => ANIMATABLE.has(r.kind)).map((r) => ({ label: r.name, description: r.kind, detail: r.path, path: r.path as string | undefined })), browse];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Create an animation of which run or folder?', matchOnDetail: true, ignoreFocusOut: true }); // see pickRun
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  return (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create Animation' }))?.[0]?.fsPath;
}

/** A run whose snapshots sit in a joined sibling (ACE-Step's UI folder) is animated from there. */
async function snapshotsOf(dir: string, index: RunIndex): Promise<string> {
  const folders = runFolders(dir, index);
  return folders.length > 1 ? (await firstFound(folders, findSnapshotDir)) ?? dir : dir;
}

export async function animateFolder(dir: string, deps: Deps, automatic = false, output: { outDir?: string; outName?: string; title?: string } = {}): Promise<AnimateResult | undefined> {
  const config = vscode.workspace.getConfiguration('runreel');
  const formats = config.get<string[]>('animation.formats', ['gif', 'webm']);
  const name = output.title ?? (basename(dir) === 'viz_snapshots' ? basename(join(dir, '..')) : basename(dir));
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating animation of ${name}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let last = 0;
        return createAnimation(dir, {
          outDir: output.outDir,
          outName: output.outName,
          gif: formats.includes('gif'),
          webm: formats.includes('webm'),
          fps: config.get<number | null>('animation.fps', null) ?? undefined,
          label: config.get<boolean>('animation.stepLabel', true),
          ffmpegPath: config.get<string>('ffmpegPath', '') || undefined,
          workerScript: join(deps.extensionUri.fsPath, 'dist', 'gifWorker.js'),
          signal: ac.signal,
          log: (m) => deps.log.info(m),
          onProgress: (phase, done, total) => {
            const pct = Math.round((done / total) * 100);
            const label = phase === 'gif' ? 'GIF' : phase === 'webm' ? 'WebM' : 'Rendering frames';
            progress.report({ message: `${label} ${done}/${total}`, increment: phase === 'render' ? 0 : Math.max(0, (pct - last) / formats.length) });
            last = pct;
          },
        });
      },
    );
    const outputs = [result.gif?.path, result.webm?.path].filter((p): p is string => !!p);
    deps.log.info(`animation of ${dir}: ${result.frames} frames → ${outputs.join(', ')}`);
    for (const w of result.warnings) deps.log.warn(w);
    if (result.warnings.length > 0) {
      void vscode.window.showWarningMessage(result.warnings.join(' '), 'Show Log').then((c) => c && deps.log.show());
    }
    const open = 'Open', reveal = 'Reveal';
    void vscode.window.showInformationMessage(`${automatic ? `${name} went idle: ` : ''}animation created from ${result.frames} frames: ${outputs.map((p) => basename(p)).join(', ')}`, open, reveal).then(async (choice) => {
      if (choice === open) deps.panels.show(outputs, name, result.frames);
      if (choice === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(outputs[0]));
    });
    return result;
  } catch (err) {
    if (err instanceof ToolError && err.code === 'cancelled') {
      void vscode.window.showInformationMessage(`Animation of ${name} cancelled; nothing was written.`);
      return undefined;
    }
    const message = err instanceof Error ? err.message : String(err);
    deps.log.error(`Create Animation failed for ${dir}: ${message}`);
    void vscode.window.showErrorMessage(`Create Animation failed: ${message}`, 'Show Log').then((c) => c && deps.log.show());
    return undefined;
  }
}

/** The clips a Stitch Videos call is about: a multi-selection, one file, or a folder's clips. */
async function clipsFrom(arg: vscode.Uri | RunsNode | undefined, selection: vscode.Uri[] | undefined, index: RunIndex): Promise<string[] | undefined> {
  if (selection && selection.length > 1) return selection.map((u) => u.fsPath).filter((p) => VIDEO_CLIP.test(p));
  let path = arg instanceof vscode.Uri ? arg.fsPath : arg ? nodePath(arg) : undefined;
  if (!path) {
    const folders = index.all.filter((r) => r.kind === 'clips');
    const picked = await vscode.window.showQuickPick([...folders.map((r) => ({ label: r.name, detail: r.path, path: r.path as string | undefined })), { label: '$(folder-opened) Choose a folder…', detail: '', path: undefined }], { placeHolder: 'Stitch the clips of which folder?' });
    if (!picked) return undefined;
    path = picked.path ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Stitch Videos' }))?.[0]?.fsPath;
    if (!path) return undefined;
  }
  if ((await stat(path)).isDirectory()) return listClips(path);
  return [path];
}

async function stitchCommand(arg: vscode.Uri | RunsNode | undefined, selection: vscode.Uri[] | undefined, deps: Deps): Promise<void> {
  const clips = await clipsFrom(arg, selection, deps.index);
  if (!clips) return;
  if (clips.length < 2) {
    void vscode.window.showInformationMessage('Select two or more video clips (or a folder of clips) to stitch.');
    return;
  }
  // The order is the user's: confirm or change it by picking clips one after another.
  const ordered = await vscode.window.showQuickPick(clips.map((p, i) => ({ label: `${i + 1}. ${basename(p)}`, description: p, picked: true, path: p })), { canPickMany: true, placeHolder: 'Clips to stitch, in this order (untick to leave one out)' });
  if (!ordered || ordered.length === 0) return;
  const config = vscode.workspace.getConfiguration('runreel');
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(ordered[0].path, '..', 'stitched.mp4')), filters: { Video: ['mp4', 'webm'] }, saveLabel: 'Stitch' });
  if (!target) return;
  let ffmpeg, ffprobe;
  try {
    const explicit = config.get<string>('ffmpegPath', '') || undefined;
    ffmpeg = resolveFfmpeg(explicit);
    ffprobe = resolveFfprobe(ffmpeg, explicit);
  } catch (err) {
    void vscode.window.showErrorMessage(`Stitch Videos needs ffmpeg and ffprobe: ${(err as Error).message}`);
    return;
  }
  deps.log.info(`using ffmpeg from ${ffmpeg.source}: ${ffmpeg.path}`);
  const run = (skipBroken: boolean) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stitching ${ordered.length} clips`, cancellable: true }, (progress, token) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    let last = 0;
    return stitchVideos(ordered.map((o) => o.path), target.fsPath, {
      ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, skipBroken, signal: ac.signal, crossfade: config.get<number>('stitch.crossfadeSeconds', 0),
      onProgress: (f) => { const pct = Math.round(f * 100); progress.report({ increment: pct - last, message: `${pct}%` }); last = pct; },
    });
  });
  try {
    let result;
    try {
      result = await run(false);
    } catch (err) {
      if (!(err instanceof ToolError) || !/cannot be read/.test(err.message)) throw err;
      const skip = 'Skip and Stitch the Rest';
      if ((await vscode.window.showWarningMessage(err.message, { modal: true }, skip)) !== skip) return;
      result = await run(true);
    }
    for (const s of result.skipped) deps.log.warn(`skipped ${s.path}: ${s.reason}`);
    deps.log.info(`stitched ${result.clips.length} clips into ${result.out}`);
    const reveal = 'Reveal', open = 'Open';
    void vscode.window.showInformationMessage(`Stitched ${result.clips.length} clips into ${basename(result.out)} (${result.width}×${result.height}, ${result.duration.toFixed(1)} s)`, open, reveal).then(async (c) => {
      if (c === open) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.out));
      if (c === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.out));
    });
  } catch (err) {
    if (err instanceof ToolError && err.code === 'cancelled') {
      void vscode.window.showInformationMessage('Stitching cancelled; nothing was written.');
      return;
    }
    deps.log.error(`Stitch Videos failed: ${(err as Error).message}`);
    void vscode.window.showErrorMessage(`Stitch Videos failed: ${(err as Error).message}`, 'Show Log').then((c) => c && deps.log.show());
  }
}

export function registerAnimationCommands(deps: Deps): vscode.Disposable[] {
  const running = new Set<string>();
  return [
    vscode.commands.registerCommand('runreel.createAnimation', async (arg?: vscode.Uri | RunsNode) => {
      const dir = arg instanceof vscode.Uri ? arg.fsPath : arg ? nodePath(arg) : await askForFolder(deps.index);
      if (dir) await animateFolder(await snapshotsOf(dir, deps.index), deps);
    }),
    // An image tag of a run's event files (the Gallery's image summaries): its frames go to a
    // temporary folder, the animation next to the run as <tag>_evolution.gif / .webm.
    vscode.commands.registerCommand('runreel.createTagAnimation', async (runDir: string, tag: string) => {
      if (typeof runDir !== 'string' || typeof tag !== 'string') return;
      const frames = await mkdtemp(join(tmpdir(), 'runreel-tag-frames-'));
      try {
        await writeTagFrames(runDir, tag, frames);
        await animateFolder(frames, deps, false, { outDir: runDir, outName: `${tagFileName(tag)}_evolution`, title: tag });
      } catch (err) {
        void vscode.window.showErrorMessage(`Create Animation failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await rm(frames, { recursive: true, force: true });
      }
    }),
    vscode.commands.registerCommand('runreel.stitchVideos', (arg?: vscode.Uri | RunsNode, selection?: vscode.Uri[]) => stitchCommand(arg, selection, deps)),
    deps.index.onRunIdle(async (run) => {
      if (!vscode.workspace.getConfiguration('runreel').get<boolean>('autoAnimate', false) || !ANIMATABLE.has(run.kind) || running.has(run.path)) return;
      running.add(run.path);
      try {
        await animateFolder(await snapshotsOf(run.path, deps.index), deps, true);
      } finally {
        running.delete(run.path);
      }
    }),
  ];
}
