/** `1 route`, `3 routes`: a count with its noun, for messages a person reads. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
