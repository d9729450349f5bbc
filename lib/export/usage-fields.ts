/**
 * The export document's rule for usage events (in `events` and in `info.meta.events`), kept
 * beside validate.ts so it stays small; mirrors the schema's `usageFields`. Import writes these
 * events back as they are, so a malformed one is refused here rather than written as a bad line.
 */
const STRINGS = ['key', 'messageId', 'model', 'provider', 'currency']
const TOKENS = ['input', 'output', 'reasoning', 'cacheRead', 'cacheWrite']

/** The first bad field of a usage event as `[path, message]`, or undefined. */
export function usageFieldProblem(e: Record<string, unknown>, at: string): [string, string] | undefined {
  for (const key of ['key', 'model', 'input', 'output']) if (!(key in e)) return [`${at}.${key}`, 'is required']
  for (const key of STRINGS) if (key in e && typeof e[key] !== 'string') return [`${at}.${key}`, 'must be a string']
  for (const key of TOKENS) {
    if (!(key in e)) continue
    if (!Number.isInteger(e[key])) return [`${at}.${key}`, 'must be an integer']
    if ((e[key] as number) < 0) return [`${at}.${key}`, 'must be >= 0']
  }
  if ('cost' in e) {
    if (typeof e.cost !== 'number') return [`${at}.cost`, 'must be a number']
    if (e.cost < 0) return [`${at}.cost`, 'must be >= 0']
  }
  return undefined
}
