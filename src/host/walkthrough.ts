// The Get Started walkthrough: opened once, on the first activation, and from the palette.
import * as vscode from 'vscode';

export const WALKTHROUGH_ID = 'runreel.gettingStarted';
const SHOWN_KEY = 'runreel.walkthroughShown';

function open(context: vscode.ExtensionContext): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}

export function registerWalkthrough(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable[] {
  if (!context.globalState.get<boolean>(SHOWN_KEY)) {
    void context.globalState.update(SHOWN_KEY, true);
    // VS Code's own switch for walkthroughs on install, where this extension host can see it
    // (a remote one, as in code-server, cannot), and Run Reel's.
    const vscodeSays = vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true);
    if (vscodeSays && vscode.workspace.getConfiguration('runreel').get<boolean>('walkthrough.openOnFirstRun', true)) {
      log.info('first activation: opening the Get Started walkthrough');
      void Promise.resolve(open(context)).catch((err) => log.warn(`could not open the walkthrough: ${String(err)}`));
    }
  }
  return [vscode.commands.registerCommand('runreel.getStarted', () => open(context))];
}
