// Copies a tree (the real producers' read-only files in ../shared) so that a test can change,
// add and delete files in the copy whoever runs it.
import { chmodSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function copyWritable(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  const walk = (p: string) => {
    chmodSync(p, 0o755);
    for (const d of readdirSync(p, { withFileTypes: true })) {
      if (d.isDirectory()) walk(join(p, d.name));
      else if (d.isFile()) chmodSync(join(p, d.name), 0o644);
    }
  };
  walk(to);
  return to;
}
