// The Scalars panel: every selected run's scalar series (event files, metrics.csv) overlaid,
// with hparams, followed live. One panel; opening Scalars on more runs adds them to it. The
// session (domain, no vscode) reads and polls; this file wires it to the panel, the run list
// of the run index, the step clock and the exports.
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { EVENT_FILE } from '../../domain/tensorboard/scalars';
import { ScalarsSession } from '../../domain/tensorboard/scalarsSession';
import { DEFAULT_SCALARS, SCALARS_VIEW_TYPE, type ScalarsHostToWebview, type ScalarsState, type ScalarsWebviewToHost } from '../../protocol/scalars';
import { Disposable } from '../dispose';
import { loadPanelPage } from '../panelPage';
import { postToPage } from '../postToPage';
import type { RunIndex } from '../runIndex';
import { saveExport, savePngDataUrl } from '../saveExport';
import type { StepClock } from '../stepClock';
import { PanelSet } from './panelSet';

export class ScalarsPanels extends PanelSet<ScalarsState, ScalarsView> {
  constructor(extensionUri: vscode.Uri, private readonly index: RunIndex, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, SCALARS_VIEW_TYPE);
  }

  /** Shows `runs` in the Scalars panel, opening it when there is none. */
  show(runs: string[]): void {
    const existing = [...this.open][0];
    if (existing) return existing.add(runs);
    const panel = vscode.window.createWebviewPanel(SCALARS_VIEW_TYPE, 'Scalars', vscode.ViewColumn.Active, this.options(this.roots()[0] ?? '/'));
    this.keep(new ScalarsView(panel, { ...DEFAULT_SCALARS, roots: this.roots(), selected: runs }, this.extensionUri, this.index, this.clock, this.log));
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ScalarsState | undefined): Promise<void> {
    const saved = state && Array.isArray(state.selected) ? state : undefined;
    panel.webview.options = this.options(this.roots()[0] ?? '/');
    this.keep(new ScalarsView(panel, { ...DEFAULT_SCALARS, ...saved, roots: this.roots() }, this.extensionUri, this.index, this.clock, this.log));
  }

  private roots(): string[] {
    return [...this.index.searchedRoots];
  }
}

class ScalarsView extends Disposable {
  private readonly session: ScalarsSession;
  private relist: NodeJS.Timeout | undefined;
  private state: ScalarsState;

  constructor(readonly panel: vscode.WebviewPanel, state: ScalarsState, extensionUri: vscode.Uri, private readonly index: RunIndex, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super();
    this.state = state;
    panel.title = 'Scalars';
    this.session = new ScalarsSession(state.roots, (m) => this.post(m), undefined, join(extensionUri.fsPath, 'dist', 'scalarsWorker.js'));
    loadPanelPage(panel, extensionUri, { title: 'Scalars', bundle: 'scalars', styles: ['uplot.css'], boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: ScalarsWebviewToHost) => this.receive(m).catch((err) => this.fail(err))));
    // Runs that appear (a new version folder, a sub-run's first event file) or go are listed
    // without a reload. A file a training writes into a folder already listed is no reason to
    // walk the tree again.
    const relist = () => {
      clearTimeout(this.relist);
      this.relist = setTimeout(() => void this.session.listRuns().catch((err) => this.fail(err)), 500);
    };
    this.register(index.onDidChange((e) => { if (e.runs === 'all') relist(); }));
    this.register(index.onDidChangeFiles(({ changes }) => {
      const listed = new Set(this.session.runList.map((r) => r.dir));
      const scalarFile = (p: string) => EVENT_FILE.test(basename(p)) || basename(p) === 'metrics.csv';
      // A scalar file in a folder not listed yet, or any folder or scalar file going away.
      if ([...changes].some(([p, kind]) => kind === 'unlinkDir' || (scalarFile(p) && (kind === 'unlink' || !listed.has(dirname(p)))))) relist();
    }));
    this.register({ dispose: () => { clearTimeout(this.relist); this.session.dispose(); } });
    // A step set from elsewhere is marked on the charts of the runs it belongs to.
    this.register(clock.onDidSetStep((e) => {
      for (const dir of this.session.selected) if (clock.runOf(dir) === e.run) this.post({ type: 'step', run: dir, step: e.step });
    }));
  }

  add(runs: string[]): void {
    this.panel.reveal();
    this.post({ type: 'addRuns', runs });
  }

  private post(m: ScalarsHostToWebview): void {
    postToPage(this.panel.webview, m);
  }

  private fail(err: unknown): void {
    const message = describeError(err, 'Scalars');
    this.log.warn(`scalars: ${message}`);
    this.post({ type: 'error', message });
  }

  private async receive(m: ScalarsWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.session.resend();
        return this.session.listRuns();
      case 'select':
        return this.session.select(m.runs);
      case 'state':
        this.state = m.state;
        return;
      case 'step':
        this.clock.set(m.run, m.step);
        return;
      case 'openImages':
        await vscode.commands.executeCommand('runreel.openMedia', vscode.Uri.file(m.run));
        return;
      case 'openAudio':
        await vscode.commands.executeCommand('runreel.openEvalAudio', vscode.Uri.file(m.run));
        return;
      case 'exportCsv':
        return saveExport(join(this.state.roots[0] ?? '', `${m.name}.csv`), { CSV: ['csv'] }, (tmp) => writeFile(tmp, m.text, 'utf8'));
      case 'exportPng':
        return savePngDataUrl(join(this.state.roots[0] ?? '', `${m.name}.png`), m.dataUrl);
    }
  }
}
