/** The known name closest to a misspelt one, or null when none is close enough to be a typo. */
export function nearest(word: string, known: Iterable<string>): string | null {
  const normal = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const target = normal(word);
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(target.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(target, normal(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
