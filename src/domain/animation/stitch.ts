// Stitching video clips (seed 002) into one: in the chosen order; clips of different size,
// frame rate, or without audio normalised to one output; optional crossfades; broken or
// missing clips reported (and skipped when asked); progress from ffmpeg; atomic output.
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { VIDEO_CLIP } from '../runs/discover';
import { writeAtomically } from './atomic';
import { runTool, ToolError } from './ffmpeg';

export interface ClipInfo {
  path: string;
  width: number;
  height: number;
  fps: number;
  duration: number;
  hasAudio: boolean;
  videoCodec?: string;
}

export interface BrokenClip {
  path: string;
  reason: string;
}

/** The video clips of a folder, in natural name order (clip_2 before clip_10). */
export async function listClips(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => VIDEO_CLIP.test(n)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).map((n) => join(dir, n));
}

export async function probeClip(ffprobe: string, path: string, signal?: AbortSignal): Promise<ClipInfo> {
  let json: { streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; duration?: string }[]; format?: { duration?: string } };
  try {
    const { stdout } = await runTool(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', `file:${path}`], { signal, timeoutMs: 30_000 });
    json = JSON.parse(stdout);
  } catch (err) {
    if (err instanceof ToolError && err.code === 'cancelled') throw err;
    const detail = err instanceof Error ? err.message.split(': ').slice(-1)[0] : String(err);
    throw new Error(detail || 'cannot be read');
  }
  const video = json.streams?.find((s) => s.codec_type === 'video');
  if (!video?.width || !video.height) throw new Error('has no video stream');
  const rate = (r?: string) => { const [a, b] = (r ?? '').split('/').map(Number); return a > 0 && b > 0 ? a / b : NaN; };
  const fps = rate(video.avg_frame_rate) || rate(video.r_frame_rate) || 30;
  const duration = Number(json.format?.duration ?? video.duration);
  if (!(duration > 0)) throw new Error('has no duration');
  return { path, width: video.width, height: video.height, fps, duration, hasAudio: !!json.streams?.some((s) => s.codec_type === 'audio'), videoCodec: video.codec_name };
}

export interface StitchOptions {
  ffmpeg: string;
  ffprobe: string;
  /** Crossfade between clips, in seconds (0 = cut). */
  crossfade?: number;
  /** Leave out clips that cannot be read instead of failing. */
  skipBroken?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (fraction: number) => void;
}

export interface StitchResult {
  out: string;
  clips: ClipInfo[];
  skipped: BrokenClip[];
  width: number;
  height: number;
  fps: number;
  duration: number;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The filter graph that scales, pads, retimes and (cross)joins the clips with audio. */
export function stitchFilter(clips: ClipInfo[], width: number, height: number, fps: number, crossfade: number): string {
  const parts: string[] = [];
  clips.forEach((c, i) => {
    parts.push(`[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p,settb=AVTB,setpts=PTS-STARTPTS[v${i}]`);
    parts.push(c.hasAudio
      ? `[${i}:a]aformat=sample_rates=48000:channel_layouts=stereo,aresample=async=1,asetpts=PTS-STARTPTS,apad,atrim=0:${c.duration.toFixed(3)}[a${i}]`
      : `anullsrc=r=48000:cl=stereo,atrim=0:${c.duration.toFixed(3)}[a${i}]`);
  });
  if (crossfade <= 0 || clips.length === 1) {
    parts.push(`${clips.map((_, i) => `[v${i}][a${i}]`).join('')}concat=n=${clips.length}:v=1:a=1[v][a]`);
    return parts.join(';');
  }
  let length = clips[0].duration;
  let v = 'v0', a = 'a0';
  for (let i = 1; i < clips.length; i++) {
    const last = i === clips.length - 1;
    const nv = last ? 'v' : `xv${i}`, na = last ? 'a' : `xa${i}`;
    parts.push(`[${v}][v${i}]xfade=transition=fade:duration=${crossfade}:offset=${(length - crossfade).toFixed(3)}[${nv}]`);
    parts.push(`[${a}][a${i}]acrossfade=d=${crossfade}[${na}]`);
    length += clips[i].duration - crossfade;
    v = nv; a = na;
  }
  return parts.join(';');
}

export async function stitchVideos(paths: string[], out: string, o: StitchOptions): Promise<StitchResult> {
  const clips: ClipInfo[] = [];
  const skipped: BrokenClip[] = [];
  for (const p of paths) {
    try {
      clips.push(await probeClip(o.ffprobe, p, o.signal));
    } catch (err) {
      if (err instanceof ToolError && err.code === 'cancelled') throw err;
      skipped.push({ path: p, reason: (err as Error).message });
    }
  }
  if (skipped.length > 0 && !o.skipBroken) {
    throw new ToolError('ffmpeg_failed', `${skipped.length} clip${skipped.length === 1 ? '' : 's'} cannot be read: ${skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}. Skip ${skipped.length === 1 ? 'it' : 'them'} to stitch the rest.`);
  }
  if (clips.length === 0) throw new ToolError('too_few_frames', 'no readable clips to stitch');
  const crossfade = Math.max(0, Math.min(o.crossfade ?? 0, ...clips.map((c) => c.duration / 2)));
  const width = even(clips[0].width), height = even(clips[0].height);
  const fps = Math.min(60, Math.round(clips[0].fps * 1000) / 1000);
  const duration = clips.reduce((s, c) => s + c.duration, 0) - crossfade * (clips.length - 1);
  const webm = extname(out).toLowerCase() === '.webm';
  const codec = webm
    ? ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '32', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-c:a', 'libopus', '-f', 'webm']
    : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', '-b:a', '160k', '-movflags', '+faststart', '-f', 'mp4'];
  await writeAtomically(out, async (tmp) => {
    await runTool(o.ffmpeg, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-progress', 'pipe:1', '-nostats',
      ...clips.flatMap((c) => ['-i', `file:${c.path}`]),
      '-filter_complex', stitchFilter(clips, width, height, fps, crossfade),
      '-map', '[v]', '-map', '[a]', ...codec, `file:${tmp}`,
    ], {
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? Math.max(120_000, duration * 20_000),
      onStdoutLine: (line) => {
        const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
        if (m) o.onProgress?.(Math.min(1, Number(m[1]) / 1e6 / duration));
      },
    });
  });
  o.onProgress?.(1);
  return { out, clips, skipped, width, height, fps, duration };
}
