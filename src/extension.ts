// Activation: builds the pieces and owns their disposables. Logic lives elsewhere.
import * as vscode from 'vscode';
import { registerAnimationCommands } from './host/animationCommands';
import { registerAudioCommands } from './host/audioCommands';
import { registerCommands } from './host/commands';
import { registerEmbeddingsCommands } from './host/embeddingsCommands';
import { registerEpisodeCommands } from './host/episodeCommands';
import { registerMediaCommands } from './host/mediaCommands';
import { EmbeddingsPanels } from './host/panels/embeddingsPanel';
import { EpisodeReplayPanels } from './host/panels/episodeReplayPanel';
import { EvalAudioPanels } from './host/panels/evalAudioPanel';
import { LiveAudioPanels } from './host/panels/liveAudioPanel';
import { MediaPanels } from './host/panels/mediaPanel';
import { LatentStorePanels, SafetensorsInspectorEditors } from './host/panels/tensorPanels';
import { AnimationPanels } from './host/panels/animationPanel';
import { createLog } from './host/log';
import { RunOverviewPanels } from './host/panels/runOverviewPanel';
import { RunIndex } from './host/runIndex';
import { RunsTreeProvider } from './host/runsView';
import { registerWalkthrough } from './host/walkthrough';
import { ScalarsPanels } from './host/panels/scalarsPanel';
import { registerScalarsCommands } from './host/scalarsCommands';
import { StepClock } from './host/stepClock';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = createLog();
  context.subscriptions.push(log);
  log.info(`Run Reel ${__RUNREEL_VERSION__} activating (VS Code ${vscode.version}, ${process.platform})`);

  const index = new RunIndex(log);
  const tree = new RunsTreeProvider(index, log);
  const treeView = vscode.window.createTreeView('runreel.runs', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  tree.watchExpansion(treeView);
  const overviews = new RunOverviewPanels(context.extensionUri, index, log);
  const clock = new StepClock(index);
  const scalars = new ScalarsPanels(context.extensionUri, index, clock, log);
  const animations = new AnimationPanels(context.extensionUri);
  const embeddings = new EmbeddingsPanels(context.extensionUri, index, clock, log);
  const evalAudio = new EvalAudioPanels(context.extensionUri, index, clock, log);
  const liveAudio = new LiveAudioPanels(context.extensionUri, log);
  const episodes = new EpisodeReplayPanels(context.extensionUri, index, log);
  const inspectors = new SafetensorsInspectorEditors(context.extensionUri, log);
  const latents = new LatentStorePanels(context.extensionUri, clock, log);
  const media = new MediaPanels(context.extensionUri, clock, log);
  context.subscriptions.push(index, tree, treeView, overviews, clock, scalars, animations, embeddings, evalAudio, liveAudio, episodes, inspectors, latents, media);
  context.subscriptions.push(...registerEmbeddingsCommands({ index, panels: embeddings }));
  context.subscriptions.push(...registerScalarsCommands({ index, panels: scalars, clock }));
  context.subscriptions.push(...registerAudioCommands({ index, evalAudio, liveAudio }));
  context.subscriptions.push(...registerEpisodeCommands({ index, panels: episodes }));
  context.subscriptions.push(...registerMediaCommands({ index, latents, media }));
  context.subscriptions.push(...registerCommands({ log, index, overviews }));
  context.subscriptions.push(...registerAnimationCommands({ log, index, panels: animations, extensionUri: context.extensionUri }));

  context.subscriptions.push(...registerWalkthrough(context, log));

  // Discovery runs in the background: activation must not wait on a large tree.
  void index.refresh().catch((err) => log.error(`run discovery failed: ${String(err)}`));
  log.info('Run Reel activated');
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
