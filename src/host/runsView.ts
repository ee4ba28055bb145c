// The "Runs" tree in the Run Reel side bar: roots (when more than one holds runs),
// runs, and what each run holds (computed lazily when a run is expanded).
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { RUN_KIND_LABEL, type ArtifactGroup, type Run, type RunKind } from '../domain/runs/model';
import { summarizeRun } from '../domain/runs/summarize';
import { Disposable } from './dispose';
import type { RunIndex } from './runIndex';

export type RunsNode =
  | { type: 'root'; root: string; runs: Run[] }
  | { type: 'run'; run: Run }
  | { type: 'group'; run: Run; group: ArtifactGroup }
  | { type: 'message'; text: string };

const RUN_ICON: Record<RunKind, string> = {
  lightning: 'pulse',
  snapshots: 'graph-scatter',
  episodes: 'debug-alt',
  latents: 'database',
  ringbuffer: 'radio-tower',
};

const GROUP_ICON: Record<ArtifactGroup['kind'], string> = {
  snapshots: 'graph-scatter',
  evalSteps: 'unmute',
  checkpoints: 'save-all',
  episodes: 'debug-alt',
  latents: 'database',
  animations: 'device-camera-video',
  buffer: 'radio-tower',
  files: 'files',
};

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<RunsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly index: RunIndex, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(index.onDidChange(() => this.changed.fire(undefined)));
  }

  getChildren(node?: RunsNode): RunsNode[] | Promise<RunsNode[]> {
    if (!node) {
      const byRoot = new Map<string, Run[]>();
      for (const run of this.index.all) {
        const list = byRoot.get(run.root) ?? [];
        list.push(run);
        byRoot.set(run.root, list);
      }
      if (byRoot.size === 1) return [...byRoot.values()][0].map((run) => ({ type: 'run', run }));
      return [...byRoot].map(([root, runs]) => ({ type: 'root', root, runs }));
    }
    switch (node.type) {
      case 'root':
        return node.runs.map((run) => ({ type: 'run', run }));
      case 'run':
        return this.groupsOf(node.run);
      case 'group':
      case 'message':
        return [];
    }
  }

  private async groupsOf(run: Run): Promise<RunsNode[]> {
    const summary = await summarizeRun(run);
    for (const w of summary.warnings) this.log.warn(w);
    if (summary.groups.length === 0) return [{ type: 'message', text: 'No artifacts yet' }];
    return summary.groups.map((group) => ({ type: 'group', run, group }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.type) {
      case 'root': {
        const item = new vscode.TreeItem(basename(node.root) || node.root, vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`;
        item.tooltip = node.root;
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = 'runreel.root';
        item.id = `root:${node.root}`;
        return item;
      }
      case 'run': {
        const { run } = node;
        const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = RUN_KIND_LABEL[run.kind];
        item.tooltip = new vscode.MarkdownString(undefined, true);
        item.tooltip.appendText(`${run.name}\n${RUN_KIND_LABEL[run.kind]}\n${run.path}`);
        item.iconPath = new vscode.ThemeIcon(RUN_ICON[run.kind]);
        item.resourceUri = vscode.Uri.file(run.path);
        item.contextValue = `runreel.run.${run.kind}`;
        item.id = `run:${run.path}`;
        item.command = { command: 'runreel.openRunOverview', title: 'Open Run Overview', arguments: [node] };
        return item;
      }
      case 'group': {
        const { group } = node;
        const item = new vscode.TreeItem(group.label, vscode.TreeItemCollapsibleState.None);
        item.description = group.detail ? `${group.count} · ${group.detail}` : String(group.count);
        item.tooltip = group.path ? `${group.label}: ${group.count}\n${group.path}` : `${group.label}: ${group.count}`;
        item.iconPath = new vscode.ThemeIcon(GROUP_ICON[group.kind]);
        item.contextValue = `runreel.group.${group.kind}`;
        item.id = `group:${node.run.path}:${group.kind}`;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }
}
