/**
 * The one parser of time bounds (`since`, `until`) that list(), usage(), search() and the MCP
 * server share: a span back from now (`30s`, `30m`, `12h`, `7d`, `2w`), a day (`YYYY-MM-DD`, whose start in
 * some zone the caller knows how to find), or an ISO 8601 time. Bad input is ERR_USAGE.
 */
import { UsageError } from './errors.js'

const SPAN = /^(\d{1,6})(s|m|h|d|w)$/
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** Whether `value` is written as a day (`YYYY-MM-DD`), which a bound counts whole. */
export const isDay = (value: string): boolean => DAY.test(value)
// A time needs a date, a clock and a zone: Date.parse alone would take '7' or 'May 3'.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/** Where day `YYYY-MM-DD` plus `plusDays` days starts, in ms (the caller's zone). */
export type DayStart = (day: string, plusDays: number) => number

/** The start of a day on the process's clock (it follows $TZ). */
export const localDayStart: DayStart = (day, plusDays) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(y, m - 1, d + plusDays).getTime()
}

/**
 * `value` as ms since the epoch. A day is inclusive at both ends: `until` a day means up to the
 * start of the next one (`end: true`). `now` is injectable so tests need no clock.
 */
export function timeBound(value: string, name: string, options: { end?: boolean, dayStart?: DayStart, now?: number } = {}): number {
  if (typeof value !== 'string') throw new UsageError(`${name} must be a string, got ${typeof value}`)
  const span = SPAN.exec(value)
  if (span) return (options.now ?? Date.now()) - Number(span[1]) * UNIT_MS[span[2]!]!
  if (DAY.test(value)) {
    const ms = (options.dayStart ?? localDayStart)(value, options.end ? 1 : 0)
    if (!Number.isNaN(ms) && isRealDay(value)) return ms
  } else if (INSTANT.test(value)) {
    const ms = Date.parse(value)
    if (!Number.isNaN(ms)) return ms
  }
  throw new UsageError(`${name} must be a span back from now (30m, 12h, 7d, 2w), a day (YYYY-MM-DD) or an ISO 8601 time, got ${JSON.stringify(value)}`)
}

/** 2026-02-30 is no day (Date would roll it over to March). */
function isRealDay(day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}
