/** `1 route`, `3 routes`: a count with its noun, for messages a person reads. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Edit distance with adjacent transpositions counted as one edit (`prot` -> `port`), for short names. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
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

/** The command (or flag) nearest to `typed`, if one is near enough to be a plausible typo. */
export function nearestCommand(typed: string, commands: readonly string[]): string | undefined {
  const ranked = commands.map((id) => ({id, d: Math.min(editDistance(typed, id), id.startsWith(typed) ? 1 : Infinity)})).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(best.id.length / 2)) ? best.id : undefined;
}

/** The flag nearest to `typed` (without dashes): one edit away, or two for a long name; a prefix counts as one. */
export function nearestFlag(typed: string, flags: readonly string[]): string | undefined {
  const ranked = flags.map((f) => ({f, d: Math.min(editDistance(typed, f), f.startsWith(typed) ? 1 : Infinity)})).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && (best.d <= 1 || (best.d <= 2 && typed.length >= 6)) ? best.f : undefined;
}
