// Saving what a panel exports: ask where (starting at `suggested`), write under a temporary
// name and rename, then offer to open it. Nothing is written when the dialog is cancelled.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { writeAtomically } from '../domain/animation/atomic';

export async function saveExport(suggested: string, filters: Record<string, string[]>, write: (tmpPath: string) => Promise<unknown>): Promise<void> {
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(suggested), filters });
  if (!target) return;
  await writeAtomically(target.fsPath, write);
  const open = 'Open';
  if ((await vscode.window.showInformationMessage(`Saved ${basename(target.fsPath)}`, open)) === open) await vscode.commands.executeCommand('vscode.open', target);
}

/** A PNG a webview sent as a data URL; anything else is refused. */
export function savePngDataUrl(suggested: string, dataUrl: string): Promise<void> {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
  if (!m) return Promise.reject(new Error('the panel sent an image that is not a PNG'));
  return saveExport(suggested, { 'PNG image': ['png'] }, (tmp) => writeFile(tmp, Buffer.from(m[1], 'base64')));
}
