/**
 * Limits on a project file (portico.json, package.json): README "Security model". A cloned repository's
 * file is input portico did not write; these keep it from exhausting the stack or memory of the CLI and
 * the daemon (whose control socket caps a request body too).
 */
export const PROJECT_FILE_LIMITS = {
  /** Bytes: a package.json with a lock-like blob in it is still well under this. */
  bytes: 4 * 1024 * 1024,
  /** Nesting of objects and lists: portico.json needs 4 (`routes` -> route -> `targets` -> item). */
  depth: 64,
} as const;

/** The deepest nesting of `{`/`[` in a JSON text, without parsing it (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return max;
}
