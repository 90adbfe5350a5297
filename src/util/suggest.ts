/** "Did you mean" support shared by the CLI (commands, flags) and the validator (keys, references). */

/** Damerau-Levenshtein distance (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidate to `input`, or undefined when nothing is close enough to be a plausible typo
 * (distance at most a third of the longer word, at least 1; a prefix match also counts).
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    const dist = editDistance(input, c);
    const limit = Math.max(1, Math.floor(Math.max(input.length, c.length) / 3));
    const prefix = input.length >= 3 && (c.startsWith(input) || input.startsWith(c));
    if (dist > limit && !prefix) continue;
    const score = prefix ? Math.min(dist, 1.5) : dist;
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** " Did you mean 'x'?" or the empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const c = closest(input, candidates);
  return c === undefined ? '' : `did you mean '${c}'?`;
}
