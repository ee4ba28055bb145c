// The e2e suites' error check: what it lets through is VS Code's, nothing of Run Reel's.
import { expect, test } from 'vitest';
import { runReelErrors } from '../../e2e/logErrors';

const host = '/logs/exthost1/remoteexthost.log';
const cancelled = '2026-12-02 19:46:36.514 [error] Unable to refresh tree view runreel.runs: Canceled';
const terminating = '2026-12-02 19:46:36.400 [info] Extension host terminating: received terminate message from renderer';

test('a Runs refresh cancelled by a terminating host is not an error of Run Reel', () => {
  expect(runReelErrors([{ path: host, text: [terminating, cancelled].join('\n') }])).toEqual([]);
});

test('the same cancellation in a running host, or in another host, still fails', () => {
  expect(runReelErrors([{ path: host, text: [cancelled, terminating].join('\n') }])).toEqual([`${host}: ${cancelled}`]);
  const other = '/logs/exthost2/remoteexthost.log';
  expect(runReelErrors([{ path: host, text: terminating }, { path: other, text: cancelled }])).toEqual([`${other}: ${cancelled}`]);
});

test('other errors after termination, and failed activation, still fail', () => {
  const thrown = "2026-12-02 19:46:36.600 [error] TypeError: x is undefined\n    at runreel/out/extension.js:1:2";
  const failed = "2026-12-02 19:46:30.000 [error] Activating extension 'runreel.runreel' failed: boom";
  expect(runReelErrors([{ path: host, text: [terminating, thrown].join('\n') }])).toEqual([`${host}: ${thrown}`]);
  expect(runReelErrors([{ path: host, text: failed }])).toEqual([`${host}: ${failed}`]);
});
