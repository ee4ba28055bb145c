// Create Animation from the Explorer, the Runs view, the palette, and automatically when a
// watched run goes idle. The work itself is domain/animation; this is progress, cancel
// and what the user sees afterwards.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { createAnimation, type AnimateResult } from '../domain/animation/animate';
import { ToolError } from '../domain/animation/ffmpeg';
import type { Run } from '../domain/runs/model';
import type { AnimationPanels } from './panels/animationPanel';
import type { RunIndex } from './runIndex';
import { nodePath, type RunsNode } from './runsView';

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
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Create an animation of which run or folder?', matchOnDetail: true });
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  return (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create Animation' }))?.[0]?.fsPath;
}

export async function animateFolder(dir: string, deps: Deps, automatic = false): Promise<AnimateResult | undefined> {
  const config = vscode.workspace.getConfiguration('runreel');
  const formats = config.get<string[]>('animation.formats', ['gif', 'webm']);
  const name = basename(dir) === 'viz_snapshots' ? basename(join(dir, '..')) : basename(dir);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating animation of ${name}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let last = 0;
        return createAnimation(dir, {
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

export function registerAnimationCommands(deps: Deps): vscode.Disposable[] {
  const running = new Set<string>();
  return [
    vscode.commands.registerCommand('runreel.createAnimation', async (arg?: vscode.Uri | RunsNode) => {
      const dir = arg instanceof vscode.Uri ? arg.fsPath : arg ? nodePath(arg) : await askForFolder(deps.index);
      if (dir) await animateFolder(dir, deps);
    }),
    deps.index.onRunIdle(async (run) => {
      if (!vscode.workspace.getConfiguration('runreel').get<boolean>('autoAnimate', false) || !ANIMATABLE.has(run.kind) || running.has(run.path)) return;
      running.add(run.path);
      try {
        await animateFolder(run.path, deps, true);
      } finally {
        running.delete(run.path);
      }
    }),
  ];
}
