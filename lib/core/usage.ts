/**
 * Usage events: what a valid one is, its fixed key order, and the totals arithmetic the fold,
 * the listing summary and the usage plug-in share. Pure: no I/O, no config (prices are the
 * plug-in's). Each key counts once per session; which keys were seen is the caller's to keep.
 */
import type { SessionUsage, UsageEvent, UsageTotals } from './types.js'

/** The currency of a host `cost` that names none. */
export const DEFAULT_CURRENCY = 'USD'
const CURRENCY = /^[A-Z]{3}$/
const MAX_REF = 256
const TOKENS = ['input', 'output', 'reasoning', 'cacheRead', 'cacheWrite'] as const
const REQUIRED_TOKENS = new Set(['input', 'output'])
/** Every field, in the order it is written: the key order on disk. */
const FIELDS = ['key', 'messageId', 'model', 'provider', 'input', 'output', 'reasoning', 'cacheRead', 'cacheWrite', 'cost', 'currency'] as const
const KNOWN = new Set<string>(['seq', 'ts', 'type', ...FIELDS])

export type UsageInput = Omit<UsageEvent, 'seq' | 'ts' | 'type'>
export type UsageBody = { type: 'usage' } & UsageInput

const isRef = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_REF

/**
 * What is wrong with a usage event (as handed in, or as parsed from a line), naming the field;
 * undefined when it is well formed. `strictKeys`: a field this version does not know is refused
 * (a host's typo such as `inputTokens` would otherwise count as 0); a reader tolerates it.
 */
export function usageProblem(e: Record<string, unknown>, strictKeys: boolean): string | undefined {
  if (strictKeys) for (const key of Object.keys(e)) if (!KNOWN.has(key) && e[key] !== undefined) return `usage.${key} is not a usage field`
  if (!isRef(e.key)) return `usage.key must be a non-empty string of at most ${MAX_REF} characters`
  if (e.messageId !== undefined && !isRef(e.messageId)) return `usage.messageId must be a non-empty string of at most ${MAX_REF} characters`
  if (!isRef(e.model)) return `usage.model must be a non-empty string of at most ${MAX_REF} characters`
  if (e.provider !== undefined && !isRef(e.provider)) return `usage.provider must be a non-empty string of at most ${MAX_REF} characters`
  for (const field of TOKENS) {
    const v = e[field]
    if (v === undefined && !REQUIRED_TOKENS.has(field)) continue
    if (!Number.isSafeInteger(v) || (v as number) < 0) return `usage.${field} must be a non-negative integer (tokens), got ${JSON.stringify(v) ?? 'nothing'}`
  }
  if (e.cost !== undefined && (typeof e.cost !== 'number' || !Number.isFinite(e.cost) || e.cost < 0)) {
    return `usage.cost must be a finite non-negative number, got ${JSON.stringify(e.cost) ?? String(e.cost)}`
  }
  if (e.currency !== undefined) {
    if (e.cost === undefined) return 'usage.currency is given without a cost'
    if (typeof e.currency !== 'string' || !CURRENCY.test(e.currency)) return `usage.currency must be three capital letters (ISO 4217, e.g. USD), got ${JSON.stringify(e.currency)}`
  }
  return undefined
}

/** The body to append, keys in the fixed order; throws (via `fail`) before anything is written. */
export function toUsageBody(input: unknown, fail: (message: string) => never): UsageBody {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('usage must be a plain object')
  const e = input as Record<string, unknown>
  const problem = usageProblem(e, true)
  if (problem) fail(problem)
  const body: Record<string, unknown> = { type: 'usage' }
  for (const field of FIELDS) if (e[field] !== undefined) body[field] = e[field]
  return body as UsageBody
}

export function emptyTotals(): UsageTotals {
  return {
    events: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, cost: {},
    unpriced: { events: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  }
}

// Spelled out, not spread from emptyTotals(): a listing makes one per row, and the spread cost 5x.
export function emptySessionUsage(): SessionUsage {
  return {
    events: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, cost: {},
    unpriced: { events: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, models: {},
  }
}

/** Adds one (already deduplicated) usage event to `t`. */
export function addEvent(t: UsageTotals, e: UsageEvent): void {
  t.events++
  t.input += e.input
  t.output += e.output
  t.reasoning += e.reasoning ?? 0
  t.cacheRead += e.cacheRead ?? 0
  t.cacheWrite += e.cacheWrite ?? 0
  if (e.cost !== undefined) {
    const currency = e.currency ?? DEFAULT_CURRENCY
    t.cost[currency] = (t.cost[currency] ?? 0) + e.cost
  } else {
    const u = t.unpriced
    u.events++
    u.input += e.input
    u.output += e.output
    u.cacheRead += e.cacheRead ?? 0
    u.cacheWrite += e.cacheWrite ?? 0
  }
}

/** Adds the event to the session's totals and to its model's. */
export function addSessionEvent(s: SessionUsage, e: UsageEvent): void {
  addEvent(s, e)
  addEvent(entry(s.models, e.model, emptyTotals), e)
}

/**
 * `record[key]`, made when missing. Keys are host strings (model names): `constructor` must not
 * find Object.prototype's, and `__proto__` must become an own property, not the prototype.
 */
export function entry<T>(record: Record<string, T>, key: string, make: () => T): T {
  if (Object.hasOwn(record, key)) return record[key]!
  const value = make()
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  return value
}

/** `into += t`. Token sums are exact (integers); cost sums are floats, in the order added. */
export function addTotals(into: UsageTotals, t: UsageTotals): void {
  into.events += t.events
  for (const field of TOKENS) into[field] += t[field]
  for (const [currency, cost] of Object.entries(t.cost)) into.cost[currency] = (into.cost[currency] ?? 0) + cost
  const u = into.unpriced
  u.events += t.unpriced.events
  u.input += t.unpriced.input
  u.output += t.unpriced.output
  u.cacheRead += t.unpriced.cacheRead
  u.cacheWrite += t.unpriced.cacheWrite
}

export function copyTotals(t: UsageTotals): UsageTotals {
  const copy = emptyTotals()
  addTotals(copy, t)
  return copy
}

/** A SessionUsage as a cache holds it: every field a finite number where totals have one (no deeper nesting). */
export function isSessionUsage(value: unknown): value is SessionUsage {
  const u = value as SessionUsage
  if (!isTotals(u) || typeof u.models !== 'object' || u.models === null || Array.isArray(u.models)) return false
  for (const model in u.models) if (!isTotals(u.models[model])) return false
  return true
}

const TOTALS = ['events', 'input', 'output', 'reasoning', 'cacheRead', 'cacheWrite'] as const
const UNPRICED = ['events', 'input', 'output', 'cacheRead', 'cacheWrite'] as const

function isTotals(value: unknown): value is UsageTotals {
  const t = value as UsageTotals
  return typeof t === 'object' && t !== null && TOTALS.every(k => Number.isFinite(t[k]))
    && isNumbers(t.cost) && typeof t.unpriced === 'object' && t.unpriced !== null && UNPRICED.every(k => Number.isFinite(t.unpriced[k]))
}

function isNumbers(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  for (const k in value) if (!Number.isFinite((value as Record<string, unknown>)[k])) return false
  return true
}
