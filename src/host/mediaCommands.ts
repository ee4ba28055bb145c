// Commands for latents, checkpoints and media: Inspect Tensors, Open Latent Store and
// Open Media, from the Runs view, the Explorer or the palette.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { LATENT_FILE } from '../domain/artifacts/latents';
import type { Run } from '../domain/runs/model';
import type { MediaPanels } from './panels/mediaPanel';
import { inspectTensorFile, type LatentStorePanels } from './panels/tensorPanels';
import { argPath, pickRun } from './pickRun';
import type { RunIndex } from './runIndex';
import type { RunsNode } from './runsView';

interface Deps {
  index: RunIndex;
  latents: LatentStorePanels;
  media: MediaPanels;
}

const TENSOR_FILE = /\.(safetensors|ckpt|pt|pth|npy|npz)$/i;

/** A tensor file, or the first one in a folder (a checkpoint folder holds one or two). */
async function tensorFileIn(path: string): Promise<string | undefined> {
  if (!(await stat(path)).isDirectory()) return path;
  const names = (await readdir(path)).filter((n) => TENSOR_FILE.test(n)).sort();
  return names.length ? join(path, names[0]) : undefined;
}

async function pickTensorFile(): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.{safetensors,ckpt,pt,pth,npy,npz}', '**/{node_modules,.git}/**', 500);
  const items = found.map((u) => ({ label: vscode.workspace.asRelativePath(u), path: u.fsPath as string | undefined }));
  const browse = { label: '$(folder-opened) Choose a file…', path: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick([...items, browse], { placeHolder: items.length ? 'Inspect which tensor file?' : 'No .safetensors or torch checkpoints in this workspace; choose one', matchOnDescription: true });
  if (picked !== browse) return picked?.path;
  return (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Tensor files': ['safetensors', 'ckpt', 'pt', 'pth', 'npy', 'npz'] }, openLabel: 'Inspect' }))?.[0]?.fsPath;
}

/** The folder a media or store command is about, and the file to show in it, if any. */
async function folderAndFocus(path: string): Promise<{ dir: string; focus?: string }> {
  return (await stat(path)).isDirectory() ? { dir: path } : { dir: dirname(path), focus: path };
}

const isMediaRun = (r: Run) => r.kind === 'gallery' || r.kind === 'clips';

export function registerMediaCommands({ index, latents, media }: Deps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.inspectSafetensors', async (arg?: vscode.Uri | RunsNode) => {
      const given = argPath(arg);
      const file = given ? await tensorFileIn(given) : await pickTensorFile();
      if (file) await inspectTensorFile(file);
      else if (given) void vscode.window.showInformationMessage(`No .safetensors file or torch checkpoint in ${given}.`);
    }),

    vscode.commands.registerCommand('runreel.openLatentStore', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRun(index, 'Open which latent store?', (r) => r.kind === 'latents'))?.path;
      if (!path) return;
      const { dir, focus } = await folderAndFocus(path);
      latents.show(dir, focus ? LATENT_FILE.exec(basename(focus))?.[1]?.toLowerCase() : undefined);
    }),

    vscode.commands.registerCommand('runreel.openMedia', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRun(index, 'Open the images and clips of which folder?', isMediaRun))?.path;
      if (!path) return;
      const { dir, focus } = await folderAndFocus(path);
      media.show(dir, focus);
    }),
  ];
}
