import { expect, test } from 'vitest';
import { makeNonce, renderWebviewHtml } from '../../../src/host/webviewHtml';

const base = { title: 'T', cspSource: 'https://webview.test', scriptUris: ['https://webview.test/a.js'], styleUris: ['https://webview.test/a.css'] };

test('strict policy: nothing by default, scripts only by this render’s nonce', () => {
  const html = renderWebviewHtml(base, 'NONCE1');
  const csp = /content="([^"]*)"/.exec(html)![1];
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'nonce-NONCE1'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(html).toContain('<script nonce="NONCE1" src="https://webview.test/a.js"></script>');
  expect(html.match(/<script nonce=/g)).toHaveLength(1);
});

test('a fresh nonce every time', () => {
  const nonces = new Set(Array.from({ length: 50 }, makeNonce));
  expect(nonces.size).toBe(50);
  for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{24}$/);
});

test('boot data from files cannot close its script tag or inject markup', () => {
  const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
  const html = renderWebviewHtml({ ...base, title: hostile, boot: { runPath: hostile } }, 'N');
  expect(html.match(/<\/script>/g)).toHaveLength(2); // the boot tag and the one script tag
  expect(html).not.toContain('<img');
  const boot = /<script type="application\/json" id="runreel-boot">(.*)<\/script>/.exec(html)![1];
  expect(JSON.parse(boot)).toEqual({ runPath: hostile });
});
