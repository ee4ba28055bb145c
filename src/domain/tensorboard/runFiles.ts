// A Lightning run's other scalar sources beside its event files: CSVLogger's metrics.csv (one
// row per log call, the other columns empty) and the hparams.yaml both loggers write.
import { readFile, stat } from 'node:fs/promises';
import { ArtifactError, guard } from '../artifacts/errors';
import type { ScalarSeries } from './series';
import type { HparamValue } from './events';

const MAX_FILE = 256 << 20;

/** One CSV line's fields (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') { v += '"'; i++; }
        else if (line[i] === '"') { i++; break; }
        else v += line[i];
      }
      out.push(v);
      if (line[i] === ',') i++;
      else break;
    } else {
      const end = line.indexOf(',', i);
      out.push(end < 0 ? line.slice(i) : line.slice(i, end));
      if (end < 0) break;
      i = end + 1;
    }
  }
  return out;
}

/**
 * metrics.csv as one series per column (the `step` column gives the x). Empty cells are points
 * the row did not log; a half-written last line (no newline yet) is left for the next read.
 */
export async function readMetricsCsv(path: string): Promise<{ series: ScalarSeries[]; skipped: number; partialLast: boolean }> {
  return guard(path, async () => {
    const size = (await stat(path)).size;
    if (size > MAX_FILE) throw new ArtifactError('too_large', path, `metrics.csv is ${size} bytes (limit ${MAX_FILE})`);
    const text = await readFile(path, 'utf8');
    const partialLast = text.length > 0 && !text.endsWith('\n');
    const lines = text.split(/\r?\n/);
    if (partialLast) lines.pop();
    const header = csvFields(lines[0] ?? '');
    const stepAt = header.indexOf('step');
    if (stepAt < 0) throw new ArtifactError('bad_header', path, `metrics.csv has no 'step' column (columns: ${header.join(', ') || 'none'})`);
    const cols = header.map((name) => ({ name, steps: [] as number[], values: [] as number[] }));
    let skipped = 0;
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const f = csvFields(line);
      const step = Number(f[stepAt]);
      if (f.length !== header.length || f[stepAt] === '' || !Number.isFinite(step)) { skipped++; continue; }
      f.forEach((cell, c) => {
        if (c === stepAt || cell === '') return;
        const v = Number(cell);
        if (!Number.isNaN(v) || cell === 'nan' || cell === 'NaN') { cols[c].steps.push(step); cols[c].values.push(v); }
      });
    }
    const series = cols.filter((c, i) => i !== stepAt && c.steps.length).map((c): ScalarSeries => {
      const restarts: number[] = [];
      for (let i = 1; i < c.steps.length; i++) if (c.steps[i] < c.steps[i - 1]) restarts.push(i);
      return { tag: c.name, steps: Float64Array.from(c.steps), values: Float64Array.from(c.values), wallTimes: new Float64Array(c.steps.length).fill(NaN), restarts };
    });
    return { series, skipped, partialLast };
  });
}

/**
 * hparams.yaml as Lightning writes it (yaml.dump of a flat dict): `key: value` lines. Scalars
 * are typed as YAML reads them; a nested block is kept as its text; anything else is a string.
 */
export async function readHparamsYaml(path: string): Promise<[string, HparamValue][]> {
  return guard(path, async () => {
    const size = (await stat(path)).size;
    if (size > 4 << 20) throw new ArtifactError('too_large', path, `hparams.yaml is ${size} bytes (limit 4 MiB)`);
    const out: [string, HparamValue][] = [];
    let block: { key: string; lines: string[] } | undefined;
    const flush = () => { if (block) out.push([block.key, block.lines.join('\n').trim() || null]); block = undefined; };
    for (const raw of (await readFile(path, 'utf8')).split(/\r?\n/)) {
      if (/^\s*(#|$)/.test(raw)) continue;
      if (/^\s/.test(raw) || raw.startsWith('- ')) { if (block) block.lines.push(raw); continue; }
      flush();
      const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:]+):\s?(.*)$/.exec(raw);
      if (!m) continue;
      const key = m[1].replace(/^["']|["']$/g, '').trim();
      const v = m[2].trim();
      if (v === '' || v === '|' || v === '>' || v.startsWith('!!')) { block = { key, lines: v.startsWith('!!') ? [v] : [] }; continue; }
      out.push([key, yamlScalar(v)]);
    }
    flush();
    return out;
  });
}

function yamlScalar(v: string): HparamValue {
  if (/^(null|~|Null|NULL)$/.test(v)) return null;
  if (/^(true|True|TRUE)$/.test(v)) return true;
  if (/^(false|False|FALSE)$/.test(v)) return false;
  if (/^[-+]?(\d[\d_]*)?(\.\d+)?([eE][-+]?\d+)?$/.test(v) && /\d/.test(v)) return Number(v.replace(/_/g, ''));
  if (/^[-+]?\.(inf|Inf|INF)$/.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
  if (/^"(.*)"$/.test(v)) { try { return JSON.parse(v) as string; } catch { return v.slice(1, -1); } }
  if (/^'(.*)'$/.test(v)) return v.slice(1, -1).replace(/''/g, "'");
  return v;
}
