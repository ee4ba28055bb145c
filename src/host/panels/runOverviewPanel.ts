// "Run Overview" webview panel: what a run holds, refreshed as the run index changes.
// One panel per run; a manager owns them all and restores them after a reload.
import * as vscode from 'vscode';
import { isWithin } from '../../domain/paths';
import type { Run, RunSummary } from '../../domain/runs/model';
import { summarizeRun } from '../../domain/runs/summarize';
import {
  OPEN_ACTIONS,
  RUN_OVERVIEW_VIEW_TYPE,
  type RunOverviewHostToWebview,
  type RunOverviewState,
  type RunOverviewWebviewToHost,
} from '../../protocol/runOverview';
import { Disposable } from '../dispose';
import type { RunIndex } from '../runIndex';
import { assetRoots, loadPanelPage } from '../panelPage';

export class RunOverviewPanels extends Disposable implements vscode.WebviewPanelSerializer<RunOverviewState> {
  private readonly open = new Map<string, RunOverviewPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly index: RunIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(RUN_OVERVIEW_VIEW_TYPE, this));
  }

  show(run: Run): RunOverviewPanel {
    const existing = this.open.get(run.path);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RUN_OVERVIEW_VIEW_TYPE, `Run · ${run.name}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: this.resourceRoots(),
    });
    return this.adopt(panel, run.path);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: RunOverviewState | undefined): Promise<void> {
    const runPath = typeof state?.runPath === 'string' ? state.runPath : undefined;
    if (!runPath) {
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    this.adopt(panel, runPath);
  }

  private resourceRoots(): vscode.Uri[] {
    return assetRoots(this.extensionUri);
  }

  private adopt(panel: vscode.WebviewPanel, runPath: string): RunOverviewPanel {
    const view = new RunOverviewPanel(panel, runPath, this.extensionUri, this.index, this.log);
    this.open.set(runPath, view);
    view.onDidDispose(() => this.open.delete(runPath));
    return view;
  }

  override dispose(): void {
    for (const p of [...this.open.values()]) p.dispose();
    super.dispose();
  }
}

export class RunOverviewPanel extends Disposable {
  private readonly disposed = this.register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposed.event;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly runPath: string,
    extensionUri: vscode.Uri,
    private readonly index: RunIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const state: RunOverviewState = { runPath };
    loadPanelPage(panel, extensionUri, { title: 'Run Overview', bundle: 'runOverview', boot: state });
    const webview = panel.webview;
    this.register(webview.onDidReceiveMessage((m: RunOverviewWebviewToHost) => void this.onMessage(m)));
    this.register(index.onDidChange(({ runs }) => {
      if (runs === 'all' || runs.some((r) => r.path === this.runPath)) this.scheduleSummary();
    }));
    this.register(panel.onDidDispose(() => this.dispose()));
  }

  private summaryTimer: NodeJS.Timeout | undefined;

  /** Coalesces bursts of file events into one refresh. */
  private scheduleSummary(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => void this.sendSummary(), 100);
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: RunOverviewHostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(message: RunOverviewWebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'refresh':
        await this.sendSummary();
        return;
      case 'reveal':
        // A path from the page: only the run's own files, or a folder the overview listed (joined snapshots may live elsewhere).
        if (typeof message.path !== 'string' || !(isWithin(this.runPath, message.path) || this.shown?.groups.some((g) => g.path === message.path))) {
          return this.log.warn(`run overview: not revealing ${JSON.stringify(message.path)}, which is not part of ${this.runPath}`);
        }
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(message.path));
        return;
      case 'open':
        await this.open(message.kind);
        return;
      default: {
        const unknown: never = message;
        this.log.warn(`run overview: unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Runs the row's action on what the last summary sent says the group holds. */
  private async open(kind: string): Promise<void> {
    const group = this.shown?.groups.find((g) => g.kind === kind);
    const action = group && OPEN_ACTIONS[group.kind];
    const path = action?.target === 'latest' ? group?.items?.at(-1)?.path : group?.path;
    if (!action || !path) return this.log.warn(`run overview: nothing to open for ${JSON.stringify(kind)}`);
    await vscode.commands.executeCommand(action.command, vscode.Uri.file(path));
  }

  private shown: RunSummary | undefined;

  private async sendSummary(): Promise<void> {
    if (this.isDisposed) return;
    const run = this.index.find(this.runPath);
    if (!run) {
      this.post({ type: 'error', message: `This run is no longer found: ${this.runPath}` });
      return;
    }
    try {
      const summary = (this.shown = await summarizeRun(run));
      this.panel.title = `Run · ${run.name}`;
      this.post({ type: 'summary', summary, state: this.index.state(run), version: __RUNREEL_VERSION__ });
    } catch (err) {
      this.log.error(`summarising ${run.path} failed: ${String(err)}`);
      this.post({ type: 'error', message: `Could not read ${run.path}: ${String(err)}` });
    }
  }

  private closing = false;

  override dispose(): void {
    // Re-entered when panel.dispose() fires panel.onDidDispose: the flag makes it once.
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.summaryTimer);
    this.disposed.fire();
    this.panel.dispose();
    super.dispose();
  }
}
