/**
 * Days, ISO weeks and months of a quarter hour in one time zone, through Intl (no table of
 * zones here). Answers are memoised per quarter hour: a report over 10,000 sessions asks about
 * the same few thousand quarters again and again.
 */
import { UsageError } from '../core/errors.js'
import { QUARTER_MS } from '../core/usage-summary.js'

export class Calendar {
  readonly timeZone: string
  private readonly format: Intl.DateTimeFormat
  private readonly days = new Map<number, string>()

  constructor(timeZone?: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        ...(timeZone === undefined ? {} : { timeZone }), hourCycle: 'h23',
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
      })
    } catch {
      throw new UsageError(`timeZone ${JSON.stringify(timeZone)} is not a time zone this Node knows (an IANA name such as Europe/Berlin)`)
    }
    this.timeZone = this.format.resolvedOptions().timeZone
  }

  /** `YYYY-MM-DD`, `YYYY-Www` (ISO week, Monday first) or `YYYY-MM` of the quarter hour starting at quarter * 15 min. */
  group(quarter: number, by: 'day' | 'week' | 'month'): string {
    let day = this.days.get(quarter)
    if (day === undefined) this.days.set(quarter, day = this.local(quarter * QUARTER_MS).slice(0, 10))
    if (by === 'day') return day
    if (by === 'month') return day.slice(0, 7)
    return isoWeek(day)
  }

  /** When `day` (+ `plusDays`) starts in this zone, in epoch ms. */
  dayStart(day: string, plusDays: number): number {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number]
    const wall = Date.UTC(y, m - 1, d + plusDays)
    // The zone's offset near that wall time, taken twice so a DST change that day is followed.
    let guess = wall - this.offset(wall)
    guess = wall - this.offset(guess)
    return guess
  }

  /** `YYYY-MM-DDTHH:MM` on the zone's clock. */
  private local(ms: number): string {
    const p: Record<string, string> = {}
    for (const part of this.format.formatToParts(ms)) p[part.type] = part.value
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`
  }

  /** Zone time minus UTC at `ms`. */
  private offset(ms: number): number {
    return Date.parse(`${this.local(ms)}Z`) - Math.floor(ms / 60000) * 60000
  }
}

function isoWeek(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  const weekday = (date.getUTCDay() + 6) % 7 // Monday 0
  date.setUTCDate(date.getUTCDate() - weekday + 3) // the Thursday of this week names its year
  const year = date.getUTCFullYear()
  // The Thursday's day of its year, in whole weeks: ISO 8601's week number.
  const week = 1 + Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / 604800000)
  return `${year}-W${String(week).padStart(2, '0')}`
}
