import type CachePolicy from 'http-cache-semantics';

/** One stored response: the policy that says when it may be reused, its status, headers and whole body. */
export interface CachedResponse {
  policy: CachePolicy;
  status: number;
  body: Buffer;
  /** Bytes it counts against the store's bound (body + headers, roughly). */
  size: number;
  /** The request header values its `Vary` names, joined: equal means the same variant (replaced on store). */
  variant: string;
}

/**
 * An in-memory store bounded in bytes, evicting the least recently used response first. One
 * primary key (method + URL) holds several variants when the backend answers with `Vary`: which
 * variant fits a request is the policy's decision (http-cache-semantics), not the store's.
 */
export class CacheStore {
  /** Map order is recency order: a use moves the key to the end. */
  private readonly entries = new Map<string, CachedResponse[]>();
  private used = 0;

  constructor(private maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    let n = 0;
    for (const variants of this.entries.values()) n += variants.length;
    return n;
  }

  /** The largest response worth storing: an eighth of the bound, so one download cannot flush everything. */
  get maxEntryBytes(): number {
    return Math.floor(this.maxBytes / 8);
  }

  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evict();
  }

  /** The variants stored under a key, most recent first; marks the key as used. */
  variants(key: string): readonly CachedResponse[] {
    const variants = this.entries.get(key);
    if (!variants) return [];
    this.entries.delete(key);
    this.entries.set(key, variants);
    return variants;
  }

  /** Store a response; it replaces `replaces` (the variant it revalidated or the one it supersedes). */
  put(key: string, response: CachedResponse, replaces?: CachedResponse): void {
    if (response.size > this.maxEntryBytes) return;
    const variants = this.entries.get(key) ?? [];
    this.entries.delete(key);
    const kept = variants.filter((v) => {
      const same = v === replaces || v.variant === response.variant;
      if (same) this.used -= v.size;
      return !same;
    });
    this.entries.set(key, [response, ...kept]);
    this.used += response.size;
    this.evict();
  }

  /** Drop every variant stored under a key. */
  invalidate(key: string): void {
    for (const v of this.entries.get(key) ?? []) this.used -= v.size;
    this.entries.delete(key);
  }

  delete(key: string, response: CachedResponse): void {
    const variants = this.entries.get(key);
    if (!variants?.includes(response)) return;
    this.used -= response.size;
    const kept = variants.filter((v) => v !== response);
    if (kept.length > 0) this.entries.set(key, kept);
    else this.entries.delete(key);
  }

  /** Empty the store; returns how many responses and bytes went. */
  clear(): {responses: number; bytes: number} {
    const cleared = {responses: this.count, bytes: this.used};
    this.entries.clear();
    this.used = 0;
    return cleared;
  }

  private evict(): void {
    for (const [key, variants] of this.entries) {
      if (this.used <= this.maxBytes) return;
      // The oldest key goes whole: its variants were last used together.
      for (const v of variants) this.used -= v.size;
      this.entries.delete(key);
    }
  }
}
