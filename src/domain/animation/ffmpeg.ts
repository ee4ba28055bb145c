// Finding and running ffmpeg. Resolution order: an explicit path (the runreel.ffmpegPath
// setting or --ffmpeg), the ffmpeg-static binary when installed, then `ffmpeg` on PATH.
// Runs without a shell, in its own process group so cancel and timeouts kill the whole
// tree; frames go in through a pipe, never through file names ffmpeg would parse.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isAbortError } from './abort';

export type ToolErrorCode = 'ffmpeg_missing' | 'ffmpeg_failed' | 'ffmpeg_timeout' | 'cancelled' | 'too_few_frames' | 'unwritable';

export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(readonly code: ToolErrorCode, message: string) {
    super(message);
  }
}

export interface ResolvedTool {
  path: string;
  source: 'setting' | 'ffmpeg-static' | 'PATH';
}

export const FFMPEG_INSTALL_HINT = 'Install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg), or set runreel.ffmpegPath to its location.';

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (executable(p)) return p;
    }
  }
  return undefined;
}

function ffmpegStatic(): string | undefined {
  try {
    // Optional dependency: present when installed with internet access (npm, CLI users).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require('ffmpeg-static') as string | null;
    return p && executable(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves ffmpeg (or ffprobe with `tool`), or throws ffmpeg_missing with what to install. */
export function resolveFfmpeg(explicit?: string, tool: 'ffmpeg' | 'ffprobe' = 'ffmpeg'): ResolvedTool {
  if (explicit) {
    const p = tool === 'ffprobe' ? explicit.replace(/ffmpeg(\.exe)?$/i, 'ffprobe$1') : explicit;
    if (executable(p)) return { path: p, source: 'setting' };
    throw new ToolError('ffmpeg_missing', `${tool} not found at ${p} (from runreel.ffmpegPath). ${FFMPEG_INSTALL_HINT}`);
  }
  if (tool === 'ffmpeg') {
    const s = ffmpegStatic();
    if (s) return { path: s, source: 'ffmpeg-static' };
  }
  const p = onPath(tool);
  if (p) return { path: p, source: 'PATH' };
  throw new ToolError('ffmpeg_missing', `${tool} was not found (no runreel.ffmpegPath, no ffmpeg-static, nothing on PATH). ${FFMPEG_INSTALL_HINT}`);
}

export interface RunOptions {
  /** Bytes to write to stdin, in order; backpressure is respected. */
  input?: AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
  /** Kill and fail when it runs longer than this (default: 10 minutes). */
  timeoutMs?: number;
  /** Each line ffmpeg prints on stdout (use with -progress pipe:1). */
  onStdoutLine?: (line: string) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; rejects with ToolError on failure, timeout or cancel. */
export function runTool(path: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new ToolError('cancelled', 'cancelled'));
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true });
    let stdout = '', stderr = '', pendingLine = '';
    let settled = false;
    let failure: Error | undefined; // set before killing: why the process is being stopped
    const killTree = () => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      failure = new ToolError('ffmpeg_timeout', `${path} did not finish within ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s and was stopped`);
      killTree();
    }, options.timeoutMs ?? 600_000);
    const onAbort = () => {
      failure = new ToolError('cancelled', 'cancelled');
      killTree();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      if (stdout.length < 1 << 20) stdout += text;
      if (options.onStdoutLine) {
        const lines = (pendingLine + text).split('\n');
        pendingLine = lines.pop() ?? '';
        for (const l of lines) options.onStdoutLine(l);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1 << 16) stderr += d.toString();
    });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ stdout, stderr });
    };
    child.on('error', (err: NodeJS.ErrnoException) => finish(new ToolError(err.code === 'ENOENT' ? 'ffmpeg_missing' : 'ffmpeg_failed', `cannot run ${path}: ${err.message}`)));
    child.on('close', (code, sig) => {
      if (failure) return finish(failure);
      if (code === 0) return finish();
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      finish(new ToolError('ffmpeg_failed', `${path} failed (${code !== null ? `exit ${code}` : `signal ${sig}`})${last ? `: ${last}` : ''}`));
    });
    child.stdin.on('error', () => { /* the process ended early; 'close' reports why */ });
    if (options.input) {
      void (async () => {
        try {
          for await (const chunk of options.input!) {
            if (settled || failure) break;
            if (!child.stdin.write(chunk)) await new Promise<void>((r) => { child.stdin.once('drain', r); child.once('close', r); });
          }
        } catch (err) {
          // A frame that cannot be read, or a cancel: stop ffmpeg and report that, not ffmpeg's exit.
          failure ??= isAbortError(err) ? new ToolError('cancelled', 'cancelled') : (err as Error);
          killTree();
        } finally {
          child.stdin.end();
        }
      })();
    } else child.stdin.end();
  });
}

/**
 * ffprobe to go with `ffmpeg`: beside an explicitly configured ffmpeg, else beside the
 * resolved binary when there is one there (ffmpeg-static ships none), else on PATH.
 */
export function resolveFfprobe(ffmpeg: ResolvedTool, explicit?: string): ResolvedTool {
  if (explicit) return resolveFfmpeg(explicit, 'ffprobe');
  const sibling = ffmpeg.path.replace(/ffmpeg(\.exe)?$/i, 'ffprobe$1');
  if (ffmpeg.source !== 'PATH' && sibling !== ffmpeg.path && executable(sibling)) return { path: sibling, source: ffmpeg.source };
  return resolveFfmpeg(undefined, 'ffprobe');
}

/** Whether this ffmpeg has the VP9 encoder. */
export function hasVp9(ffmpeg: string): boolean {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /libvpx-vp9/.test(r.stdout);
}
