/** One doctor check and its verdict, and the two ways doctor prints a list of them. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** A warning: shown, but does not fail doctor. */
  warn?: boolean;
}

/** `doctor --json`: every check with its verdict and fix; `ok` when none failed. */
export function checksJson(checks: readonly Check[]): {
  ok: boolean;
  checks: Array<{name: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix?: string}>;
} {
  return {
    ok: checks.every((c) => c.ok),
    checks: checks.map((c) => ({
      name: c.name,
      status: c.warn ? 'warn' : c.ok ? 'ok' : 'fail',
      detail: c.detail,
      ...(c.fix && (!c.ok || c.warn) ? {fix: c.fix} : {}),
    })),
  };
}

export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map((c) => `${c.warn ? '!' : c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${(!c.ok || c.warn) && c.fix && !c.detail.includes(c.fix) ? `\n    ${c.fix}` : ''}`)
    .join('\n');
}
