import { isAbsolute, join, resolve } from 'node:path';

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
