/** A JSON object (not null, not an array): what a config file or a request body must be before its keys are read. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
