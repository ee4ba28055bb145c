// Command handlers. Each takes what the palette, the tree or a menu passes and
// falls back to asking the user when nothing was passed.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { resolveRunRoots } from '../domain/runs/roots';
import type { RunOverviewPanels } from './panels/runOverviewPanel';
import type { RunIndex } from './runIndex';
import { pickRun } from './pickRun';
import { nodeId, nodePath, type RunsNode } from './runsView';

interface Services {
  log: vscode.LogOutputChannel;
  index: RunIndex;
  overviews: RunOverviewPanels;
}

function resolveRoot(entry: string): string {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return resolveRunRoots([entry], [], os.homedir())[0] ?? resolveRunRoots([entry], folders, os.homedir()).find((r) => !folders.includes(r)) ?? entry;
}

export function registerCommands({ log, index, overviews }: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.showLog', () => log.show()),

    vscode.commands.registerCommand('runreel.refreshRuns', () => index.refresh()),

    vscode.commands.registerCommand('runreel.openRunOverview', async (node?: RunsNode) => {
      const run = node?.type === 'run' ? node.run : await pickRun(index, 'Open which run?');
      if (run) overviews.show(run);
    }),

    vscode.commands.registerCommand('runreel.revealInExplorer', async (node?: RunsNode) => {
      const path = nodePath(node);
      if (!path) return;
      const uri = vscode.Uri.file(path);
      // The Explorer shows workspace folders only; elsewhere, the OS file manager.
      const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
      await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
    }),

    vscode.commands.registerCommand('runreel.revealInOS', async (node?: RunsNode) => {
      const path = nodePath(node);
      if (path) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
    }),

    vscode.commands.registerCommand('runreel.copyPath', async (node?: RunsNode) => {
      const path = nodePath(node);
      if (path) await vscode.env.clipboard.writeText(path);
    }),

    vscode.commands.registerCommand('runreel.copyId', async (node?: RunsNode) => {
      const id = nodeId(node);
      if (id) await vscode.env.clipboard.writeText(id);
    }),

    vscode.commands.registerCommand('runreel.removeRunFolder', async (node?: RunsNode) => {
      const root = node?.type === 'root' ? node.root : undefined;
      if (!root) return;
      const config = vscode.workspace.getConfiguration('runreel');
      const inspect = config.inspect<string[]>('runRoots');
      let removed = false;
      for (const [values, target] of [[inspect?.workspaceValue, vscode.ConfigurationTarget.Workspace], [inspect?.globalValue, vscode.ConfigurationTarget.Global]] as const) {
        if (!Array.isArray(values)) continue;
        // Entries may be written as ~/… or relative; compare what they resolve to.
        const kept = values.filter((v) => typeof v === 'string' && resolveRoot(v) !== root);
        if (kept.length !== values.length) {
          await config.update('runRoots', kept, target);
          removed = true;
        }
      }
      if (removed) log.info(`removed run root ${root}`);
      else void vscode.window.showInformationMessage(`${root} comes from a pattern or a workspace folder; edit runreel.runRoots to remove it.`);
    }),

    vscode.commands.registerCommand('runreel.addRunFolder', async (uri?: vscode.Uri) => {
      const target = uri ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Add Run Folder' }))?.[0];
      if (!target) return;
      if (target.scheme !== 'file') {
        void vscode.window.showErrorMessage(`Run Reel reads local folders only; ${target.toString()} is not on this machine's disk.`);
        return;
      }
      const config = vscode.workspace.getConfiguration('runreel');
      const roots = config.get<string[]>('runRoots', []).filter((r) => typeof r === 'string');
      if (roots.includes(target.fsPath)) {
        void vscode.window.showInformationMessage(`${target.fsPath} is already a run root.`);
        return;
      }
      const scope = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await config.update('runRoots', [...roots, target.fsPath], scope);
      log.info(`added run root ${target.fsPath}`);
      await index.refresh();
    }),
  ];
}
