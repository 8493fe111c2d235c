import {createHash, randomBytes, scrypt, timingSafeEqual} from 'node:crypto';

/**
 * The secrets of the access gate (README "Access gate"): passwords kept as scrypt hashes with a
 * random salt, tokens as SHA-256 of 256 random bits, compared in constant time. Nothing here logs
 * or returns a secret in clear.
 */

/**
 * scrypt cost: node:crypto's default (N=2^14, r=8, p=1: 16 MiB, ~0.1-0.2 s). A check runs once per
 * browser credential (the gate remembers what it verified), and failures are rate limited.
 */
const COST = {N: 2 ** 14, r: 8, p: 1} as const;
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer, cost: {N: number; r: number; p: number}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, {...cost, maxmem: 128 * cost.N * cost.r * 2}, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$SALT$KEY` for `password`, with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The parts of a stored password hash, or undefined when it is not one portico wrote. */
export function parsePasswordHash(stored: string): {N: number; r: number; p: number; salt: Buffer; key: Buffer} | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a hand-edited routes.json from making every check cost the machine.
  if (N < 2 ** 10 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return {N, r, p, salt: Buffer.from(m[4]!, 'base64url'), key: Buffer.from(m[5]!, 'base64url')};
}

/** Does `password` match the stored hash? Constant-time on the derived key. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const key = await scryptAsync(password, parsed.salt, parsed);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** A new token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** How a token is stored: its SHA-256, base64url. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Does `token` match the stored hash? Constant-time. */
export function verifyToken(token: string, stored: string): boolean {
  const a = Buffer.from(hashToken(token));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time string equality (lengths may differ: both are hashed first). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
