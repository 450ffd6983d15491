/**
 * "Did you mean ...?" for a mistyped name: the closest known name within a
 * small edit distance (the rule commander uses for unknown flags, so the
 * config file and the command line suggest alike).
 */

/** Damerau–Levenshtein distance (adjacent swaps cost 1), enough for short names. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known names closest to `word` (at most 2 edits, and under 40 % of the name changed); empty when none is close. */
export function closestNames(word: string, known: readonly string[]): string[] {
  let best = 3;
  let found: string[] = [];
  for (const name of known) {
    const distance = editDistance(word, name);
    const similar = (Math.max(word.length, name.length) - distance) / Math.max(word.length, name.length);
    if (distance > 2 || similar <= 0.4) continue;
    if (distance < best) {
      best = distance;
      found = [name];
    } else if (distance === best) {
      found.push(name);
    }
  }
  return found.sort();
}

/** ` (Did you mean users?)`, or an empty string. */
export function didYouMean(word: string, known: readonly string[]): string {
  const names = closestNames(word, known);
  return names.length === 0 ? '' : ` (Did you mean ${names.join(' or ')}?)`;
}
