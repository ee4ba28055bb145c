// The "Runs" tree: roots (when more than one is searched), runs with live/idle state, what
// each run holds (loaded when expanded), and the individual artifacts of each group.
// Nodes are cached by id so a change refreshes only the run it touched.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { RUN_KIND_LABEL, type ArtifactGroup, type ArtifactItem, type Run, type RunKind, type RunSummary } from '../domain/runs/model';
import { formatBytes, formatDuration } from '../domain/format';
import { summarizeRun } from '../domain/runs/summarize';
import { OPEN_ACTIONS } from '../protocol/runOverview';
import { Disposable } from './dispose';
import type { RunIndex } from './runIndex';

export type RunsNode =
  | { type: 'root'; id: string; root: string; runs: Run[]; configured: boolean }
  | { type: 'run'; id: string; run: Run }
  | { type: 'group'; id: string; run: Run; group: ArtifactGroup }
  | { type: 'item'; id: string; run: Run; item: ArtifactItem; group: ArtifactGroup['kind'] }
  | { type: 'message'; id: string; text: string };

const RUN_ICON: Record<RunKind, string> = {
  lightning: 'pulse', snapshots: 'graph-scatter', episodes: 'debug-alt', latents: 'database',
  gallery: 'file-media', clips: 'device-camera-video', series: 'files', ringbuffer: 'radio-tower',
};

const GROUP_ICON: Record<ArtifactGroup['kind'], string> = {
  scalars: 'graph-line', snapshots: 'graph-scatter', evalSteps: 'unmute', checkpoints: 'save-all', episodes: 'debug-alt', latents: 'database',
  batchMetrics: 'graph-line', evaluation: 'checklist', episodeConfigs: 'settings-gear',
  animations: 'play-circle', buffer: 'radio-tower', images: 'file-media', clips: 'device-camera-video', frames: 'files',
};

const RUN_CLICK: Partial<Record<RunKind, { command: string; title: string }>> = {
  ringbuffer: { command: 'runreel.openLiveAudio', title: 'Open Live Audio Buffer' },
  latents: { command: 'runreel.openLatentStore', title: 'Open Latent Store' },
  gallery: { command: 'runreel.openMedia', title: 'Open Gallery and Clips' },
  clips: { command: 'runreel.openMedia', title: 'Open Gallery and Clips' },
};

/** Context value (runreel.item.<context>) of the items of each kind that open on a click, for
 * menus; a click runs the command that opens their group (OPEN_ACTIONS) on the item. */
const ITEM_CONTEXT: Partial<Record<ArtifactGroup['kind'], string>> = {
  evalSteps: 'evalStep', episodes: 'episode', latents: 'latent', checkpoints: 'checkpoint', images: 'image', clips: 'clip',
};

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<RunsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, RunsNode>();
  private readonly summaries = new Map<string, Promise<RunSummary>>();
  /** Ids VS Code has been given since the last full refresh: only those can be refreshed alone. */
  private readonly delivered = new Set<string>();
  private readonly pending = new Set<RunsNode>();
  /** Rows open in the view; the group kinds each run row was last given, and what its row said. */
  private readonly expanded = new Set<string>();
  private readonly groupKinds = new Map<string, string>();
  private readonly shownState = new Map<string, string>();
  private pendingAll = false;
  private lastFullMs = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly index: RunIndex, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(index.onDidChange(({ runs }) => {
      if (runs === 'all') {
        this.summaries.clear();
        this.pendingAll = true;
      } else {
        for (const run of runs) {
          this.summaries.delete(run.path);
          const node = this.nodes.get(`run:${run.path}`);
          if (node) this.pending.add(node);
        }
      }
      this.schedule(50);
    }));
    this.register({ dispose: () => clearTimeout(this.flushTimer) });
  }

  /** Follows which rows are open: an open run is refreshed group by group (see refreshOpenRun). */
  watchExpansion(view: vscode.TreeView<RunsNode>): void {
    this.register(view.onDidExpandElement((e) => this.expanded.add(e.element.id)));
    this.register(view.onDidCollapseElement((e) => this.expanded.delete(e.element.id)));
  }

  private schedule(ms: number): void {
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), ms);
  }

  /**
   * Runs coming or going refresh the whole tree (rare); files arriving in a run refresh just
   * that run (the common case while training), so rows are not rebuilt under the user's
   * clicks every few seconds. An element is never refreshed while VS Code is still applying
   * a full refresh: it would not find the item yet.
   */
  private flush(): void {
    this.flushTimer = undefined;
    if (this.pendingAll) {
      this.pendingAll = false;
      this.pending.clear();
      this.delivered.clear();
      this.lastFullMs = Date.now();
      this.changed.fire(undefined);
      return;
    }
    const wait = this.lastFullMs + 500 - Date.now();
    if (wait > 0) return this.schedule(wait);
    for (const node of this.pending) {
      if (!this.delivered.has(node.id)) continue;
      if (node.type === 'run' && this.expanded.has(node.id)) void this.refreshOpenRun(node);
      else this.fireRow(node);
    }
    this.pending.clear();
  }

  /**
   * Refreshes one row. VS Code drops a refreshed row's children and asks for them again later;
   * until it has, refreshing one of them fails ("No tree item with id …", seen in CI when files
   * kept arriving in an open run): they count as not delivered until getChildren hands them out.
   */
  private fireRow(node: RunsNode): void {
    if (node.type === 'run') {
      const run = node.run.path;
      for (const id of this.delivered) {
        if (id.startsWith(`group:${run}:`) || id === `msg:${run}` || id.startsWith(`more:group:${run}:`)) this.delivered.delete(id);
      }
      for (const n of this.nodes.values()) if (n.type === 'item' && n.run.path === run) this.delivered.delete(n.id);
    }
    this.changed.fire(node);
  }

  /**
   * Refreshing a run row makes VS Code drop and re-create its groups; asking for an open
   * group's children in between fails ("No tree item with id …"), and the group does not open.
   * Files arrive every few seconds while training, so an open run is refreshed group by group;
   * its own row only when what it says changes (live/idle, a new kind of artifact): rarely.
   */
  private async refreshOpenRun(node: Extract<RunsNode, { type: 'run' }>): Promise<void> {
    const summary = await this.summary(node.run);
    if (kindsOf(summary) !== this.groupKinds.get(node.id) || this.runState(node.run) !== this.shownState.get(node.id)) {
      this.fireRow(node);
      return;
    }
    for (const g of this.groupNodes(node.run, summary)) if (this.delivered.has(g.id)) this.changed.fire(g);
  }

  private groupNodes(run: Run, summary: RunSummary): Extract<RunsNode, { type: 'group' }>[] {
    return summary.groups.map((group) => this.node({ type: 'group', id: `group:${run.path}:${group.kind}`, run, group }));
  }

  private runState(run: Run): 'live' | 'idle' {
    return this.index.state(run) === 'live' ? 'live' : 'idle';
  }

  private node<T extends RunsNode>(n: T): T {
    const existing = this.nodes.get(n.id) as T | undefined;
    if (existing && existing.type === n.type) {
      Object.assign(existing, n);
      return existing;
    }
    this.nodes.set(n.id, n);
    return n;
  }

  /** Summary of a run, computed once per change. */
  summary(run: Run): Promise<RunSummary> {
    let s = this.summaries.get(run.path);
    if (!s) {
      const ttl = vscode.workspace.getConfiguration('runreel').get<number>('latentTtlHours', 24);
      s = summarizeRun(run, { latentTtlHours: ttl });
      this.summaries.set(run.path, s);
    }
    return s;
  }

  getParent(node: RunsNode): RunsNode | undefined {
    if (node.type === 'run' && this.index.searchedRoots.length > 1) return this.nodes.get(`root:${node.run.root}`);
    if (node.type === 'group') return this.nodes.get(`run:${node.run.path}`);
    if (node.type === 'item') return [...this.nodes.values()].find((n) => n.type === 'group' && n.run.path === node.run.path && n.group.items?.includes(node.item));
    return undefined;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    const children = await this.childrenOf(node);
    for (const c of children) this.delivered.add(c.id);
    return children;
  }

  private async childrenOf(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) {
      const roots = this.index.searchedRoots;
      if (this.index.all.length === 0) return [];
      if (roots.length <= 1) return this.index.all.map((run) => this.node({ type: 'run', id: `run:${run.path}`, run }));
      return roots.map((root) => this.node({
        type: 'root', id: `root:${root}`, root, configured: this.index.isConfiguredRoot(root),
        runs: this.index.all.filter((r) => r.root === root),
      }));
    }
    switch (node.type) {
      case 'root':
        if (node.runs.length === 0) return [this.node({ type: 'message', id: `msg:${node.root}`, text: 'No runs found here yet' })];
        return node.runs.map((run) => this.node({ type: 'run', id: `run:${run.path}`, run }));
      case 'run': {
        const summary = await this.summary(node.run);
        for (const w of summary.warnings) this.log.warn(w);
        this.groupKinds.set(node.id, kindsOf(summary));
        if (summary.groups.length === 0) return [this.node({ type: 'message', id: `msg:${node.run.path}`, text: 'No artifacts yet' })];
        return this.groupNodes(node.run, summary);
      }
      case 'group': {
        const items: RunsNode[] = (node.group.items ?? []).map((item) => this.node({ type: 'item', id: `item:${item.path}`, run: node.run, item, group: node.group.kind }));
        if (node.group.moreItems) items.push(this.node({ type: 'message', id: `more:${node.id}`, text: `… ${node.group.moreItems} more` }));
        return items;
      }
      case 'item':
      case 'message':
        return [];
    }
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.type) {
      case 'root': {
        const item = new vscode.TreeItem(basename(node.root) || node.root, vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}${node.configured ? ' · run root' : ''}`;
        item.tooltip = node.root;
        item.iconPath = new vscode.ThemeIcon(node.configured ? 'folder-library' : 'root-folder');
        item.contextValue = node.configured ? 'runreel.root.configured' : 'runreel.root';
        item.resourceUri = vscode.Uri.file(node.root);
        item.id = node.id;
        return item;
      }
      case 'run': {
        const { run } = node;
        const state = this.runState(run);
        this.shownState.set(node.id, state);
        const live = state === 'live';
        const last = this.index.lastWriteMs(run) ?? run.modifiedMs;
        const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${RUN_KIND_LABEL[run.kind]} · ${live ? 'live' : 'idle'}`;
        const tip = new vscode.MarkdownString();
        tip.appendMarkdown(`**`).appendText(run.name).appendMarkdown(`**\n\n`).appendText(`${RUN_KIND_LABEL[run.kind]} · ${live ? 'live: files are arriving' : `idle; last write ${formatDuration(Date.now() - last)} ago`}\n\n${run.path}`);
        for (const j of run.joined ?? []) tip.appendMarkdown('\n\n').appendText(`Joined: ${j.why}.`);
        item.tooltip = tip;
        item.iconPath = new vscode.ThemeIcon(RUN_ICON[run.kind], live ? new vscode.ThemeColor('charts.green') : undefined);
        item.resourceUri = vscode.Uri.file(run.path);
        item.contextValue = `runreel.run.${run.kind}`;
        item.id = node.id;
        // Clicking a run opens its own view where it has one: a ring buffer live, a latent
        // store's records, a gallery; else the overview.
        item.command = { ...RUN_CLICK[run.kind] ?? { command: 'runreel.openRunOverview', title: 'Open Run Overview' }, arguments: [node] };
        return item;
      }
      case 'group': {
        const { group } = node;
        const hasItems = (group.items?.length ?? 0) > 0;
        const item = new vscode.TreeItem(group.label, hasItems ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.description = group.detail ? `${group.count} · ${group.detail}` : String(group.count);
        item.tooltip = [`${group.label}: ${group.count}`, group.detail, group.bytes !== undefined ? formatBytes(group.bytes) : undefined, group.path].filter(Boolean).join('\n');
        item.iconPath = new vscode.ThemeIcon(GROUP_ICON[group.kind]);
        item.contextValue = `runreel.group.${group.kind}`;
        if (group.path) item.resourceUri = vscode.Uri.file(group.path);
        item.id = node.id;
        return item;
      }
      case 'item': {
        const { item: a } = node;
        const item = new vscode.TreeItem(a.label, vscode.TreeItemCollapsibleState.None);
        item.description = a.detail;
        item.tooltip = [a.label, a.detail, a.warning ? `⚠ ${a.warning}` : undefined, a.path].filter(Boolean).join('\n');
        item.iconPath = a.warning ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : vscode.ThemeIcon.File;
        item.resourceUri = vscode.Uri.file(a.path);
        const context = ITEM_CONTEXT[node.group], open = OPEN_ACTIONS[node.group];
        item.contextValue = context ? `runreel.item.${context}` : a.id ? 'runreel.item.id' : 'runreel.item';
        item.id = node.id;
        // The group's button label ('Inspect Latest', …) would misname one item: plain 'Open'.
        if (context && open) item.command = { command: open.command, title: 'Open', arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        item.id = node.id;
        return item;
      }
    }
  }
}

/** The kinds of artifact groups a run row shows, as one comparable string. */
function kindsOf(summary: RunSummary): string {
  return summary.groups.map((g) => g.kind).join(',');
}

/** The file-system path a node stands for. */
export function nodePath(node: RunsNode | undefined): string | undefined {
  switch (node?.type) {
    case 'root': return node.root;
    case 'run': return node.run.path;
    case 'group': return node.group.path;
    case 'item': return node.item.path;
    default: return undefined;
  }
}

/** What "Copy ID" copies: a latent's or image's id, else the run's name. */
export function nodeId(node: RunsNode | undefined): string | undefined {
  if (node?.type === 'item') return node.item.id ?? basename(node.item.path);
  if (node?.type === 'run') return node.run.name;
  return undefined;
}
