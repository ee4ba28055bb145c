// `runreel`: the command-line face of the same pure modules the extension uses.
// Exit codes: 0 ok, 2 usage or input error (message on stderr; JSON with --json).
import { basename, join, relative, resolve } from 'node:path';
import { ArtifactError } from '../domain/artifacts/errors';
import { inspectFile } from '../domain/artifacts/inspect';
import { createAnimation } from '../domain/animation/animate';
import { resolveFfmpeg, resolveFfprobe, ToolError } from '../domain/animation/ffmpeg';
import { listClips, stitchVideos } from '../domain/animation/stitch';
import { stat } from 'node:fs/promises';
import { discoverRuns } from '../domain/runs/discover';
import { csvField } from '../domain/format';
import { RUN_KIND_LABEL } from '../domain/runs/model';
import { summarizeRun } from '../domain/runs/summarize';
import { loadScalarRuns } from '../domain/tensorboard/loadRuns';
import { findScalarRuns } from '../domain/tensorboard/scalars';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
}

export class CliError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const HELP = `runreel ${__RUNREEL_VERSION__} — look inside training-run artifacts

Usage:
  runreel inspect FILE [--json]    what a file holds: npy, npz, safetensors, torch checkpoint,
                                   wav, png, ring buffer, episode log or latent record
  runreel scan [DIR...] [--json]   list the runs found under DIR (default: .)
  runreel scalars DIR [--json|--csv] [--all]
                                   every scalar of the TensorBoard event files under DIR, one
                                   run per folder; --all keeps what a restarted job rewrote
                                   (by default each step shows its last value, as TensorBoard)
  runreel animate DIR [--gif] [--webm] [--out DIR] [--fps N] [--no-label]
                      [--color-by FIELD] [--ffmpeg PATH] [--json]
                                   GIF and WebM timeline of a run's frames (or of its
                                   snapshots' projections when there are no PNGs)
  runreel stitch CLIP... | DIR --out FILE [--crossfade S] [--skip-broken]
                      [--ffmpeg PATH] [--json]
                                   join video clips in order (a folder: by name) into
                                   one .mp4 or .webm, normalising size, rate and audio
  runreel --help                    this help
  runreel --version                 the version

Options:
  --json      machine-readable output on stdout; errors as {"error":{"code","message"}} on stderr

Exit codes: 0 success, 2 bad usage or unreadable input.
`;

interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

const KNOWN_FLAGS = new Set(['--json', '--help', '-h', '--version', '-V', '--gif', '--webm', '--no-label', '--skip-broken', '--csv', '--all']);
const VALUE_OPTIONS = new Set(['--out', '--fps', '--ffmpeg', '--color-by', '--crossfade']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  let rest = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (rest) positionals.push(arg);
    else if (arg === '--') rest = true;
    else if (arg.startsWith('-') && arg !== '-') {
      const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      if (VALUE_OPTIONS.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new CliError('usage', `${name} needs a value; see runreel --help`);
        values.set(name, v);
      } else if (KNOWN_FLAGS.has(arg)) flags.add(arg);
      else throw new CliError('usage', `unknown option ${arg}; see runreel --help`);
    } else positionals.push(arg);
  }
  return { command: positionals.shift(), positionals, flags, values };
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

async function inspect(files: string[], json: boolean, io: CliIo): Promise<number> {
  if (files.length !== 1) throw new CliError('usage', 'inspect takes one FILE; see runreel --help');
  const result = await inspectFile(resolve(io.cwd, files[0]));
  if (json) io.out(toJson({ file: result.file, kind: result.kind, ...result.details }) + '\n');
  else io.out(`${result.file}\n${result.lines.map((l) => `  ${l}`).join('\n')}\n`);
  return 0;
}

async function animate(args: ParsedArgs, json: boolean, io: CliIo): Promise<number> {
  if (args.positionals.length !== 1) throw new CliError('usage', 'animate takes one DIR; see runreel --help');
  const fpsText = args.values.get('--fps');
  const fps = fpsText === undefined ? undefined : Number(fpsText);
  if (fps !== undefined && !(fps > 0 && fps <= 120)) throw new CliError('usage', `--fps must be a number from 0 to 120, not ${fpsText}`);
  const only = (f: string) => args.flags.has('--gif') || args.flags.has('--webm') ? args.flags.has(f) : true;
  const out = args.values.get('--out');
  let lastLine = '';
  const result = await createAnimation(resolve(io.cwd, args.positionals[0]), {
    gif: only('--gif'),
    webm: only('--webm'),
    outDir: out ? resolve(io.cwd, out) : undefined,
    fps,
    label: !args.flags.has('--no-label'),
    colorBy: args.values.get('--color-by'),
    ffmpegPath: args.values.get('--ffmpeg'),
    log: (m) => { if (!json) io.err(`${m}\n`); },
    onProgress: (phase, done, total) => {
      const line = `${phase} ${done}/${total}`;
      if (!json && line !== lastLine && (done === total || done % 10 === 0)) io.err(`${line}\n`);
      lastLine = line;
    },
  });
  if (json) io.out(toJson(result) + '\n');
  else {
    io.out(`${result.frames} frames from ${result.dir}${result.source === 'npz' ? ' (rendered from projections)' : ''}\n`);
    if (result.gif) io.out(`  ${result.gif.path}\n`);
    if (result.webm) io.out(`  ${result.webm.path}\n`);
    for (const w of result.warnings) io.err(`warning: ${w}\n`);
  }
  return 0;
}

async function stitch(args: ParsedArgs, json: boolean, io: CliIo): Promise<number> {
  const out = args.values.get('--out');
  if (!out) throw new CliError('usage', 'stitch needs --out FILE (.mp4 or .webm); see runreel --help');
  if (!/\.(mp4|webm)$/i.test(out)) throw new CliError('usage', `--out must end in .mp4 or .webm, not ${out}`);
  const crossfadeText = args.values.get('--crossfade');
  const crossfade = crossfadeText === undefined ? 0 : Number(crossfadeText);
  if (!(crossfade >= 0 && crossfade <= 10)) throw new CliError('usage', `--crossfade must be seconds from 0 to 10, not ${crossfadeText}`);
  let clips = args.positionals.map((p) => resolve(io.cwd, p));
  if (clips.length === 1 && (await stat(clips[0]).catch(() => undefined))?.isDirectory()) {
    clips = await listClips(clips[0]);
  }
  if (clips.length === 0) throw new CliError('usage', 'stitch needs clips (files or a folder of .mp4/.webm/.mov/.mkv)');
  const explicit = args.values.get('--ffmpeg');
  const ffmpeg = resolveFfmpeg(explicit);
  const ffprobe = resolveFfprobe(ffmpeg, explicit);
  if (!json) io.err(`using ffmpeg from ${ffmpeg.source}: ${ffmpeg.path}\n`);
  let shown = -1;
  const result = await stitchVideos(clips, resolve(io.cwd, out), {
    ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, crossfade, skipBroken: args.flags.has('--skip-broken'),
    onProgress: (f) => { const pct = Math.floor(f * 10) * 10; if (!json && pct !== shown) { shown = pct; io.err(`stitch ${pct}%\n`); } },
  });
  if (json) io.out(toJson(result) + '\n');
  else {
    io.out(`${result.clips.length} clips → ${result.out} (${result.width}×${result.height}, ${result.fps} fps, ${result.duration.toFixed(1)} s)\n`);
    for (const s of result.skipped) io.err(`skipped ${s.path}: ${s.reason}\n`);
  }
  return 0;
}

async function scan(dirs: string[], json: boolean, io: CliIo): Promise<number> {
  const roots = (dirs.length ? dirs : ['.']).map((d) => resolve(io.cwd, d));
  const result = await discoverRuns(roots);
  const missing = result.warnings.filter((w) => w.startsWith('run root not found'));
  if (missing.length === roots.length) throw new CliError('not_found', missing.join('; '));
  const summaries = await Promise.all(result.runs.map((r) => summarizeRun(r)));
  if (json) {
    io.out(JSON.stringify({ roots, runs: summaries, warnings: result.warnings }, null, 2) + '\n');
    return 0;
  }
  if (summaries.length === 0) io.out(`no runs found under ${roots.join(', ')}\n`);
  for (const { run, groups } of summaries) {
    io.out(`${run.name}  (${RUN_KIND_LABEL[run.kind]})\n  ${run.path}\n`);
    for (const g of groups) io.out(`  ${g.label}: ${g.count}${g.detail ? `  ${g.detail}` : ''}\n`);
  }
  for (const w of result.warnings) io.err(`warning: ${w}\n`);
  return 0;
}


async function scalars(args: ParsedArgs, json: boolean, io: CliIo): Promise<number> {
  if (args.positionals.length !== 1) throw new CliError('usage', 'scalars takes one folder: runreel scalars DIR [--json|--csv] [--all]');
  const root = resolve(io.cwd, args.positionals[0]);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new CliError('not_found', `${root}: no such folder`);
  const view = args.flags.has('--all') ? 'all' : 'tensorboard';
  const dirs = await findScalarRuns(root);
  const loaded = await loadScalarRuns(dirs, { workerScript: join(__dirname, 'scalarsWorker.js') });
  const runs = dirs.map((dir, i) => ({ dir, name: relative(root, dir) || '.', run: loaded[i] }));
  if (runs.length === 0) throw new CliError('not_found', `${root}: no TensorBoard event files (events.out.tfevents.*) or metrics.csv under it`);
  if (args.flags.has('--csv')) {
    io.out('run,tag,step,wall_time,value\n');
    for (const { name, run } of runs) {
      for (const tag of run.tags()) {
        const s = run.get(tag, view)!;
        for (let i = 0; i < s.steps.length; i++) io.out(`${csvField(name)},${csvField(tag)},${s.steps[i]},${s.wallTimes[i]},${s.values[i]}\n`);
      }
    }
    return 0;
  }
  if (json) {
    io.out(JSON.stringify({ root, view, runs: runs.map(({ dir, name, run }) => ({
      path: dir, name, files: run.eventFiles,
      media: run.media().map((m) => ({ tag: m.tag, kind: m.kind, steps: m.entries.map((e) => e.step) })),
      tags: Object.fromEntries(run.tags().map((t) => { const s = run.get(t, view)!; return [t, { steps: Array.from(s.steps), wallTimes: Array.from(s.wallTimes), values: Array.from(s.values), restarts: s.restarts }]; })),
    })) }) + '\n');
    return 0;
  }
  for (const { name, run } of runs) {
    io.out(`${name}\n`);
    for (const f of run.eventFiles) if (f.error || f.skipped || f.partial) io.out(`  ${basename(f.path)}: ${f.error ?? ''}${f.skipped ? `${f.skipped} records skipped (bad CRC) ` : ''}${f.partial ? 'last record still being written' : ''}\n`);
    for (const tag of run.tags()) {
      const s = run.get(tag, view)!;
      const n = s.steps.length;
      let min = Infinity, max = -Infinity;
      for (const v of s.values) { if (v < min) min = v; if (v > max) max = v; }
      const all = view === 'tensorboard' ? run.get(tag, 'all')! : s;
      io.out(`  ${tag}: ${n} points, steps ${s.steps[0]}–${s.steps[n - 1]}, last ${s.values[n - 1]}, min ${min}, max ${max}${all.restarts.length ? ` (restarted ${all.restarts.length}×: step ${all.steps[all.restarts[0] - 1]} → ${all.steps[all.restarts[0]]})` : ''}\n`);
    }
    for (const m of run.media()) {
      const first = m.entries[0];
      const what = m.kind === 'image' ? `${first.image!.width}×${first.image!.height}` : m.kind === 'audio' ? `${first.audio!.sampleRate} Hz, ${first.audio!.channels} ch, ${first.audio!.frames} frames` : m.kind === 'histogram' ? `${first.histogram!.counts.length} buckets` : `first: ${JSON.stringify(first.text!.slice(0, 60))}`;
      io.out(`  ${m.tag}: ${m.kind}, ${m.entries.length} step${m.entries.length === 1 ? '' : 's'} (${m.entries.map((e) => e.step).join(', ')}), ${what}\n`);
    }
  }
  return 0;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const args = parseArgs(argv);
    if (args.flags.has('--version') || args.flags.has('-V')) {
      io.out(json ? JSON.stringify({ name: 'runreel', version: __RUNREEL_VERSION__ }) + '\n' : `${__RUNREEL_VERSION__}\n`);
      return 0;
    }
    if (args.flags.has('--help') || args.flags.has('-h') || args.command === 'help') {
      io.out(json ? JSON.stringify({ name: 'runreel', version: __RUNREEL_VERSION__, commands: ['inspect', 'scan', 'scalars', 'animate', 'stitch'] }) + '\n' : HELP);
      return 0;
    }
    switch (args.command) {
      case undefined:
        throw new CliError('usage', 'no command given; see runreel --help');
      case 'scan':
        return await scan(args.positionals, json, io);
      case 'inspect':
        return await inspect(args.positionals, json, io);
      case 'scalars':
        return await scalars(args, json, io);
      case 'animate':
        return await animate(args, json, io);
      case 'stitch':
        return await stitch(args, json, io);
      default:
        throw new CliError('usage', `unknown command '${args.command}'; see runreel --help`);
    }
  } catch (err) {
    const code = err instanceof CliError || err instanceof ArtifactError || err instanceof ToolError ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    io.err(json ? JSON.stringify({ error: { code, message } }) + '\n' : `runreel: ${message}\n`);
    return 2;
  }
}

// Run when executed as the bundled bin (not when imported by tests).
if (typeof require !== 'undefined' && require.main === module) {
  // Output piped into `head` that closes early: stop quietly, as other command-line tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
  void runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
