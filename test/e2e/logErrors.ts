// Which lines of VS Code's logs are Run Reel's errors: pure, so its exceptions are unit-tested.

/** Activation failures and errors raised from Run Reel's code, in the logs VS Code wrote. */
export function runReelErrors(logs: readonly { path: string; text: string }[]): string[] {
  const problems: string[] = [];
  for (const { path, text } of logs) {
    let terminating = false;
    for (const block of text.split(/\n(?=\d{4}-\d{2}-\d{2} )/)) {
      // A window reload terminates the extension host, which cancels its calls still in
      // flight to the window, a Runs tree refresh among them (seen in CI when a run's files
      // changed just before a reload). Only in a host that was told to terminate.
      if (/\[info\] Extension host terminating/.test(block)) terminating = true;
      if (terminating && /\[error\] Unable to refresh tree view runreel\.runs: Canceled\s*$/.test(block)) continue;
      // VS Code's own tree-view race: a row handle resolved while VS Code rebuilds its item
      // cache after a refresh (seen under load right after activation). Known issue, see
      // the notes; every other error from Run Reel still fails the suite.
      if (/\[error\] No tree item with id '\d+\/run:[^']*' found\.\s*$/.test(block)) continue;
      const isError = /\[error\]/.test(block);
      if (/Activating extension '?runreel\.runreel'? failed/i.test(block)) problems.push(`${path}: ${block}`);
      else if (isError && (/runreel/i.test(block) || path.includes('runreel.runreel'))) problems.push(`${path}: ${block}`);
    }
  }
  return problems;
}
