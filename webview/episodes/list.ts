// The episode list's filter and sort. Filter text is words: `solved`, `unsolved`, comparisons
// like `reward>0.5`, `similarity>=0.9`, `steps<100`, `episode>=10`, and any other word matches
// the task id (or the episode number).
import { lookupTable } from '../../src/domain/lookupTable';
import type { EpisodeListItem, EpisodeSortKey } from '../../src/protocol/episodes';

const FIELDS = lookupTable<(i: EpisodeListItem) => number | undefined>({
  reward: (i) => i.totalReward,
  similarity: (i) => i.finalSimilarity,
  sim: (i) => i.finalSimilarity,
  steps: (i) => i.steps,
  length: (i) => i.steps,
  episode: (i) => i.episodeNum,
  ep: (i) => i.episodeNum,
});

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b, '>=': (a, b) => a >= b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '=': (a, b) => a === b, '==': (a, b) => a === b,
};

export interface EpisodeFilter {
  test(item: EpisodeListItem): boolean;
  /** Words that look like comparisons but are not understood. */
  problems: string[];
}

export function parseFilter(text: string): EpisodeFilter {
  const tests: ((i: EpisodeListItem) => boolean)[] = [];
  const problems: string[] = [];
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const lower = word.toLowerCase();
    if (lower === 'solved' || lower === 'success') { tests.push((i) => i.success === true); continue; }
    if (lower === 'unsolved' || lower === 'failed') { tests.push((i) => i.success !== true); continue; }
    const m = /^([a-z]+)(>=|<=|==|=|>|<)(.*)$/.exec(lower);
    if (m) {
      const field = FIELDS[m[1]], value = Number(m[3]);
      if (!field || m[3] === '' || !Number.isFinite(value)) { problems.push(word); continue; }
      const cmp = COMPARE[m[2]];
      tests.push((i) => { const v = field(i); return v !== undefined && cmp(v, value); });
      continue;
    }
    const needle = lower.startsWith('task:') ? lower.slice(5) : lower;
    tests.push((i) => (i.taskId ?? '').toLowerCase().includes(needle) || String(i.episodeNum) === needle);
  }
  return { test: (i) => tests.every((t) => t(i)), problems };
}

const SORT_VALUE: Record<EpisodeSortKey, (i: EpisodeListItem) => number | string | undefined> = {
  episode: (i) => i.episodeNum,
  task: (i) => i.taskId,
  steps: (i) => i.steps,
  reward: (i) => i.totalReward,
  similarity: (i) => i.finalSimilarity,
  success: (i) => (i.success === undefined ? undefined : i.success ? 1 : 0),
};

/** Sorted copy; items without the value go last either way, ties by episode number. */
export function sortEpisodes(items: readonly EpisodeListItem[], key: EpisodeSortKey, descending: boolean): EpisodeListItem[] {
  const value = SORT_VALUE[key];
  return [...items].sort((a, b) => {
    const va = value(a), vb = value(b);
    if (va === undefined || vb === undefined) return va === vb ? a.episodeNum - b.episodeNum : va === undefined ? 1 : -1;
    const c = typeof va === 'string' ? va.localeCompare(String(vb), undefined, { numeric: true }) : va - (vb as number);
    return (descending ? -c : c) || a.episodeNum - b.episodeNum;
  });
}
