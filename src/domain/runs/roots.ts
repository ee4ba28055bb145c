import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

/**
 * The folders to search: every workspace folder, then each configured run root
 * (absolute, `~/…`, or relative to the first workspace folder). Duplicates dropped.
 */
export function resolveRunRoots(configured: readonly unknown[], workspaceFolders: readonly string[], home: string): string[] {
  const roots: string[] = [...workspaceFolders];
  for (const entry of configured) {
    if (typeof entry !== 'string' || entry.trim() === '') continue;
    const raw = entry.trim();
    let path: string;
    if (raw === '~' || raw.startsWith('~/')) path = join(home, raw.slice(1));
    else if (isAbsolute(raw)) path = raw;
    else if (workspaceFolders.length > 0) path = resolve(workspaceFolders[0], raw);
    else continue; // relative path with no workspace to anchor it
    roots.push(resolve(path));
  }
  return [...new Set(roots)];
}

const GLOB = /[*?[]/;

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (const c of segment) re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|\\[\]]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

/**
 * Expands glob roots (`*`, `?`, and `**` for any depth up to `maxDepth`) into the folders
 * that exist now; plain paths pass through. Hidden folders match only when named.
 */
export async function expandRootGlobs(roots: readonly string[], maxDepth = 6, maxMatches = 1000): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    if (!GLOB.test(root)) {
      out.push(root);
      continue;
    }
    const parts = root.split(sep);
    let firstGlob = parts.findIndex((p) => GLOB.test(p));
    let bases = [parts.slice(0, firstGlob).join(sep) || sep];
    for (let i = firstGlob; i < parts.length && bases.length > 0; i++) {
      const part = parts[i];
      const next: string[] = [];
      if (part === '**') {
        // zero or more folders: the bases themselves and everything below them
        let frontier = bases;
        next.push(...bases);
        for (let d = 0; d < maxDepth && frontier.length > 0 && next.length < maxMatches; d++) {
          const deeper: string[] = [];
          for (const b of frontier) deeper.push(...(await subfolders(b)).filter((n) => !n.startsWith('.')).map((n) => join(b, n)));
          next.push(...deeper);
          frontier = deeper;
        }
      } else if (GLOB.test(part)) {
        const re = segmentRegex(part);
        for (const b of bases) next.push(...(await subfolders(b)).filter((n) => re.test(n) && (!n.startsWith('.') || part.startsWith('.'))).map((n) => join(b, n)));
      } else {
        for (const b of bases) {
          const p = join(b, part);
          if (await isFolder(p)) next.push(p);
        }
      }
      bases = next.slice(0, maxMatches);
    }
    out.push(...bases);
  }
  return [...new Set(out)];
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

async function isFolder(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
