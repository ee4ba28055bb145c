import * as vscode from 'vscode';

/** The extension's one log channel ("Run Reel" in the Output panel). Owned by activate(). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Run Reel', { log: true });
}
