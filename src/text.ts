/** `1 route`, `3 routes`: a count with its noun, for messages a person reads. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
