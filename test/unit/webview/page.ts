/// <reference lib="dom" />
// A webview bundle in headless Chromium, outside VS Code: the built page (same HTML and CSP
// as the panel) served over HTTP, with acquireVsCodeApi replaced by a channel to a host
// written in the test. Typed arrays cross as tagged lists and are rebuilt in the page.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../../scripts/lib/e2eEnv.mjs';
import { inlineWorker } from '../../../scripts/lib/inlineWorker.mjs';
import { renderWebviewHtml } from '../../../src/host/webviewHtml';
import { splitMessage } from '../../../src/protocol/parts';

// The repository root, found upwards so the bench can bundle this file elsewhere.
function findRoot(dir: string): string {
  return existsSync(join(dir, 'esbuild.mjs')) || dirname(dir) === dir ? dir : findRoot(dirname(dir));
}
const ROOT = findRoot(__dirname);
/** What dist/webview holds besides the bundles, where esbuild.mjs copies it from. */
const LIBRARIES: Record<string, string> = {
  'uplot.css': 'node_modules/uplot/dist/uPlot.min.css',
};
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.wav': 'audio/wav', '.svg': 'image/svg+xml' } as Record<string, string>;

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
const TYPED_NAMES = ['Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array', 'Int8Array', 'Uint8Array'];
function pack(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    // A Buffer (a Uint8Array subclass) crosses as a Uint8Array.
    const name = TYPED_NAMES.find((t) => v instanceof (globalThis as unknown as Record<string, new () => unknown>)[t])!;
    return { __typed: name, data: Array.from(v as Typed, (x) => (Number.isNaN(x) ? null : x)) };
  }
  if (Array.isArray(v)) return v.map(pack);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pack(x)]));
  return v;
}

/** src/protocol/parts.ts as a page script: window.__parts.splitMessage splits a message as the host does. */
export function partsScript(): string {
  const out = esbuild.buildSync({ entryPoints: [join(ROOT, 'src', 'protocol', 'parts.ts')], bundle: true, format: 'iife', globalName: 'parts', write: false, target: 'es2022' });
  return `${out.outputFiles[0].text}\nwindow.__parts = parts;`;
}

export class WebviewPage {
  readonly sent: Record<string, unknown>[] = [];
  private handler: (m: Record<string, unknown>) => void | Promise<void> = () => {};
  private constructor(readonly page: Page, private readonly browser: Browser, private readonly server: Server, readonly origin: string, private readonly out: string) {}

  /** Opens `bundle` (webview/<bundle>/main.ts) with `styles` (from LIBRARIES) besides the shared stylesheet. */
  static async open(bundle: string, options: { styles?: string[]; boot?: unknown; files?: string; colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number }; webgl?: boolean | 'hardware' } = {}): Promise<WebviewPage> {
    const out = mkdtempSync(join(tmpdir(), 'runreel-webview-'));
    await esbuild.build({ entryPoints: [join(ROOT, 'webview', bundle, 'main.ts')], outfile: join(out, `${bundle}.js`), bundle: true, format: 'iife', target: 'es2022', logLevel: 'warning', plugins: [inlineWorker()] });
    let html = '';
    const server = createServer((req, res) => {
      const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      try {
        if (url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(html); }
        if (url === '/favicon.ico') return res.writeHead(204).end();
        const file = url.startsWith('/lib/') ? join(ROOT, LIBRARIES[url.slice(5)] ?? 'missing')
          : url.startsWith('/media/') ? join(ROOT, url) : url.startsWith('/files/') && options.files ? join(options.files, url.slice(7)) : join(out, url);
        const body = readFileSync(file);
        const type = TYPES[extname(file)] ?? 'application/octet-stream';
        // Media elements seek only in resources served with byte ranges (as VS Code's are).
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]), end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
          res.writeHead(206, { 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
          return res.end(body.subarray(start, end + 1));
        }
        res.writeHead(200, { 'content-type': type, 'accept-ranges': 'bytes' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    html = renderWebviewHtml({
      title: bundle, cspSource: origin,
      scriptUris: [`${origin}/${bundle}.js`],
      styleUris: [...(options.styles ?? []).map((s) => `${origin}/lib/${s}`), `${origin}/media/webview.css`], boot: options.boot,
    });
    // WebGL needs SwiftShader on a machine without a GPU; 2-D canvas pages composite faster
    // without it. 'hardware': the machine's GPU where Chromium finds one (the bench asks).
    const webgl = options.webgl === false ? [] : options.webgl === 'hardware' ? ['--ignore-gpu-blocklist', '--enable-gpu-rasterization', '--use-angle=default'] : ['--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'];
    const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', ...webgl], ...(options.webgl === 'hardware' ? { headless: true, ignoreDefaultArgs: ['--disable-gpu'] } : {}) });
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1300, height: 700 }, colorScheme: options.colorScheme ?? 'dark' });
    const view = new WebviewPage(page, browser, server, origin, out);
    page.on('pageerror', (e) => view.sent.push({ type: '__pageerror', message: e.message }));
    page.on('console', (m) => { if (m.type() === 'error') view.sent.push({ type: '__pageerror', message: m.text() }); });
    await page.exposeFunction('__toHost', async (m: Record<string, unknown>) => { view.sent.push(m); await view.handler(m); });
    await page.addInitScript(() => {
      let state: unknown;
      const revive = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(revive);
        if (v && typeof v === 'object') {
          const o = v as { __typed?: string; data?: (number | null)[] };
          if (o.__typed) return new (globalThis as unknown as Record<string, new (d: number[]) => unknown>)[o.__typed](o.data!.map((x) => (x === null ? NaN : x)));
          return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
        }
        return v;
      };
      // Posting is asynchronous, as in VS Code; post() resolves once the page's listeners have
      // run, so a test's next step never overtakes the message it just sent.
      let posted = 0, dispatched = 0;
      window.addEventListener('message', () => dispatched++);
      const handled = (n: number) => new Promise<void>((resolve) => { const check = () => (dispatched >= n ? resolve() : setTimeout(check, 0)); check(); });
      Object.assign(window, {
        __fromHost: (json: string) => { window.postMessage(revive(JSON.parse(json)), '*'); return handled(++posted); },
        acquireVsCodeApi: () => ({
          postMessage: (m: unknown) => (window as unknown as { __toHost(m: unknown): void }).__toHost(m),
          getState: () => state,
          setState: (s: unknown) => { state = s; },
        }),
      });
      // VS Code sets these on a webview's body; a few, so the page has a theme to follow.
      document.addEventListener('DOMContentLoaded', () => {
        const dark = matchMedia('(prefers-color-scheme: dark)').matches;
        const vars = dark ? { '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8' }
          : { '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b' };
        for (const [k, v] of Object.entries(vars)) document.body.style.setProperty(k, v);
      });
    });
    return view;
  }

  /** Answers the page's messages (set before load, so "ready" is seen). */
  onMessage(handler: (m: Record<string, unknown>) => void | Promise<void>): void {
    this.handler = handler;
  }

  async load(): Promise<void> {
    await this.page.goto(this.origin + '/');
  }

  /** Loads the page with a panel's own session answering it (what the extension's panel runs). */
  serve(session: { handle(m: never): unknown }): Promise<void> {
    this.onMessage((m) => void session.handle(m as never));
    return this.load();
  }

  /** Closes the page, and the session that served it first. */
  async closeWith(session: { dispose(): unknown } | undefined): Promise<void> {
    await session?.dispose();
    await this.close();
  }

  async post(message: unknown): Promise<void> {
    // As JSON, as VS Code sends it (Playwright's own transfer assigns keys: `__proto__` would set a prototype).
    await this.page.evaluate((json) => (window as unknown as { __fromHost(json: string): Promise<void> }).__fromHost(json), JSON.stringify(pack(message)));
  }

  /**
   * Posts `message` as the host's postToPage does, split with a part size of `limit` bytes (4 KB:
   * any message with arrays crosses in parts, as a large one does in VS Code). In order.
   */
  postParts(message: unknown, limit = 4096): Promise<void> {
    const posts = splitMessage(message, limit);
    this.partsChain = this.partsChain.then(async () => { for (const m of posts) await this.post(m); });
    return this.partsChain;
  }

  private partsChain: Promise<void> = Promise.resolve();

  errors(): string[] {
    return this.sent.filter((m) => m.type === '__pageerror').map((m) => String(m.message));
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    this.server.close();
    rmSync(this.out, { recursive: true, force: true });
  }
}
