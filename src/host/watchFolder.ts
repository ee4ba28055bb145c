// Calls `onChange` (debounced) when files in one folder are created, changed or deleted:
// for panels showing a folder that may lie outside the runs Run Reel watches.
import * as vscode from 'vscode';

export function watchFolder(dir: string, onChange: () => void, glob = '*', delayMs = 300): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), glob));
  let timer: NodeJS.Timeout | undefined;
  const changed = () => { clearTimeout(timer); timer = setTimeout(onChange, delayMs); };
  const subscriptions = [watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed)];
  return { dispose: () => { clearTimeout(timer); for (const s of subscriptions) s.dispose(); } };
}
