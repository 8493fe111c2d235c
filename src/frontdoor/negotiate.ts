import zlib from 'node:zlib';

export type Coding = 'br' | 'zstd' | 'gzip';

/** Whether the running Node can produce zstd (zlib.createZstdCompress arrived in Node 22.15 / 23.8). */
export const HAS_ZSTD = typeof (zlib as {createZstdCompress?: unknown}).createZstdCompress === 'function';

/** What portico can produce, best first: on equal q-values the client gets the smaller encoding. */
export const CODINGS: readonly Coding[] = HAS_ZSTD ? ['br', 'zstd', 'gzip'] : ['br', 'gzip'];

/**
 * Pick a content coding from `Accept-Encoding` (RFC 9110 §12.5.3): the highest q-value among the
 * codings we offer, `*` standing for any not named, `q=0` refusing; ties go to our order.
 * Undefined: send the body as it is.
 */
export function negotiateEncoding(acceptEncoding: string | undefined, offered: readonly Coding[] = CODINGS): Coding | undefined {
  if (!acceptEncoding) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) weight = Number(m[1]);
    }
    if (Number.isFinite(weight)) q.set(name.trim().toLowerCase(), Math.min(1, Math.max(0, weight)));
  }
  // `x-gzip` is gzip (RFC 9110 §8.4.1.3).
  if (!q.has('gzip') && q.has('x-gzip')) q.set('gzip', q.get('x-gzip')!);
  let best: Coding | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const weight = q.get(coding) ?? q.get('*') ?? 0;
    if (weight > bestQ) {
      best = coding;
      bestQ = weight;
    }
  }
  return best;
}
