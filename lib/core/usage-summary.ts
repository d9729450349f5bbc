/**
 * Usage in the listing cache: a session's totals (summed in log order, so they equal the
 * fold's to the last bit), totals per quarter hour and model (every time zone's offset is a
 * multiple of 15 minutes, so any zone's days, weeks and months are unions of them), and what
 * it takes to count each key once when the summary is extended later.
 *
 * Keys are persisted as 48-bit hashes (8 base64url characters each), not whole: index.json
 * stays small. A hash is only a hint: a summary built from the start of the log holds the keys
 * themselves (in memory) and answers exactly; an extended one that meets a known hash cannot
 * tell a repeat from a collision, so it asks for a rebuild from the log (RebuildNeeded), which
 * is exact again. Repeats are rare (retries), so rebuilds are too.
 */
import { createHash } from 'node:crypto'
import type { SessionUsage, UsageEvent, UsageTotals } from './types.js'
import { addEvent, addSessionEvent, emptySessionUsage, emptyTotals, entry } from './usage.js'

export const QUARTER_MS = 15 * 60 * 1000

export interface UsageSummary {
  /** The session's totals, as the fold sums them. */
  totals: SessionUsage
  /** `"<quarter>:<model>"` -> totals; quarter = floor(ms since epoch / 15 min) of the event's ts. */
  buckets: Record<string, UsageTotals>
  /** The counted keys' hashes, 8 characters each. */
  keys: string
}

/** Thrown by summarizeUsage when only the log can say whether a key is new. */
export class RebuildNeeded extends Error {}

/** The persisted hashes as a set (never persisted itself). */
const hashSets = new WeakMap<UsageSummary, Set<string>>()

/**
 * What counts keys exactly: a summary built from offset 0 in this process keeps the real keys
 * (in memory only: null until the first usage event, undefined when extended from a cache),
 * so no hash is ever ambiguous.
 */
export interface ExactKeys {
  exactKeys?: Set<string> | null
}

/** Marks `owner` (a summary) as built from the start of its log. */
export function startExact(owner: ExactKeys): void {
  // Not enumerable: a summary saved as JSON, compared or copied carries no keys.
  Object.defineProperty(owner, 'exactKeys', { value: null, writable: true, configurable: true, enumerable: false })
}

function keyHash(key: string): string {
  return createHash('sha1').update(key).digest('base64url').slice(0, 8)
}

function hashesOf(u: UsageSummary): Set<string> {
  let set = hashSets.get(u)
  if (!set) {
    set = new Set()
    for (let i = 0; i < u.keys.length; i += 8) set.add(u.keys.slice(i, i + 8))
    hashSets.set(u, set)
  }
  return set
}

/** Counts `e` into `owner`'s usage (made on the first usage event); a repeated key counts nothing. */
export function summarizeUsage(owner: { usage: UsageSummary | null } & ExactKeys, e: UsageEvent): void {
  const u = owner.usage ??= { totals: emptySessionUsage(), buckets: {}, keys: '' }
  const hash = keyHash(e.key)
  const hashes = hashesOf(u)
  const exact = owner.exactKeys === undefined ? undefined : (owner.exactKeys ??= new Set())
  if (exact) {
    if (exact.has(e.key)) return
    exact.add(e.key)
  } else if (hashes.has(hash)) {
    throw new RebuildNeeded()
  }
  hashes.add(hash)
  u.keys += hash
  addSessionEvent(u.totals, e)
  addEvent(entry(u.buckets, `${Math.floor(Date.parse(e.ts) / QUARTER_MS)}:${e.model}`, emptyTotals), e)
}

/** A copy to extend, leaving the cached one as it was should the extension fail. */
export function copyUsage(u: UsageSummary | null): UsageSummary | null {
  return u === null ? null : structuredClone(u)
}

export function isUsageSummary(u: unknown): boolean {
  if (u === null) return true
  const v = u as UsageSummary
  return typeof v === 'object' && typeof v.keys === 'string' && typeof v.totals === 'object' && v.totals !== null
    && typeof v.buckets === 'object' && v.buckets !== null
}
