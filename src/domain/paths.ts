// Where a path sits relative to a folder.
import { isAbsolute, relative, sep } from 'node:path';

/** `path` is `dir` itself or somewhere under it (a name starting with ".." is under it). */
export function isWithin(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
