/**
 * journal.usage(): usage totals grouped by day, week, month, project, model or session, read
 * from the listing cache (no fold per session). Days are the user's (or `timeZone`'s): the
 * cache keeps totals per quarter hour and model, and every zone's offset is a multiple of 15
 * minutes, so a quarter hour never straddles a local midnight, DST changes included.
 */
import { UsageError } from '../core/errors.js'
import type { CorePorts } from '../core/ports.js'
import type { UsageTotals } from '../core/types.js'
import { addTotals, emptyTotals } from '../core/usage.js'
import { QUARTER_MS } from '../core/usage-summary.js'
import { timeBound } from '../core/when.js'
import type { ModelPrice } from '../config/prices.js'
import { Calendar } from './calendar.js'
import { priceOf } from './prices.js'

export type UsagePorts = Pick<CorePorts, 'listUsage'>
export type UsageGroup = 'day' | 'week' | 'month' | 'project' | 'model' | 'session'
export const USAGE_GROUPS: readonly UsageGroup[] = ['day', 'week', 'month', 'project', 'model', 'session']

export interface UsageOptions {
  /** How rows are grouped; default 'day'. */
  by?: UsageGroup
  /** From this day (`YYYY-MM-DD` in `timeZone`, inclusive) or instant (ISO 8601, to the quarter hour). */
  since?: string
  /** To this day (inclusive) or instant (exclusive, to the quarter hour). */
  until?: string
  /** Only this project folder's sessions. */
  project?: string
  /** An IANA zone for day, week and month (and for `YYYY-MM-DD` bounds); default the system's. */
  timeZone?: string
}

/** The totals of usage.ts, with cost completed from the price table (so no `unpriced` part). */
export interface UsageRow extends Omit<UsageTotals, 'unpriced' | 'cost'> {
  /** `2026-03-29`, `2026-W13`, `2026-03`, a project folder, a model or a session id; `total` for the total line. */
  group: string
  /** Host costs per currency, plus price-table costs in USD. */
  cost: Record<string, number>
  /** Some events had neither a cost nor a price: `cost` is the known part only. */
  costUnknown: boolean
  /** Models seen in the group, sorted. */
  models: string[]
}

export interface UsageReport {
  by: UsageGroup
  timeZone: string
  rows: UsageRow[]
  total: UsageRow
}

interface Acc { totals: UsageTotals, costUnknown: boolean, priced: number, models: Set<string> }

export async function usageReport(ports: UsagePorts, prices: Record<string, ModelPrice>, options: UsageOptions = {}): Promise<UsageReport> {
  const by = options.by ?? 'day'
  if (!USAGE_GROUPS.includes(by)) throw new UsageError(`by must be one of ${USAGE_GROUPS.join(', ')}, got ${JSON.stringify(by)}`)
  const calendar = new Calendar(options.timeZone)
  const since = bound(options.since, 'since', calendar, 0)
  const until = bound(options.until, 'until', calendar, 1)
  const timed = by === 'day' || by === 'week' || by === 'month' || since !== undefined || until !== undefined
  const groups = new Map<string, Acc>()
  const add = (group: string, model: string, t: UsageTotals) => {
    let acc = groups.get(group)
    if (!acc) groups.set(group, acc = { totals: emptyTotals(), costUnknown: false, priced: 0, models: new Set() })
    addTotals(acc.totals, t)
    acc.models.add(model)
    const p = priceOf(prices, model, t)
    if (p === undefined) acc.costUnknown = true
    else acc.priced += p
  }
  await ports.listUsage(options.project === undefined ? {} : { project: options.project }, (row, usage) => {
    if (usage === null) return
    const fixed = by === 'project' ? row.projectPath : by === 'session' ? row.id : undefined
    if (!timed) {
      for (const [model, t] of Object.entries(usage.totals.models)) add(fixed ?? model, model, t)
      return
    }
    for (const [key, t] of Object.entries(usage.buckets)) {
      const colon = key.indexOf(':')
      const quarter = Number(key.slice(0, colon))
      const model = key.slice(colon + 1)
      const ms = quarter * QUARTER_MS
      // An event whose ts does not parse has no time: it counts only when no time is asked for.
      if (!Number.isFinite(ms) || (since !== undefined && ms < since) || (until !== undefined && ms >= until)) continue
      add(fixed ?? (by === 'model' ? model : calendar.group(quarter, by as 'day' | 'week' | 'month')), model, t)
    }
  })
  const rows = [...groups].map(([group, acc]) => toRow(group, acc))
  if (by === 'day' || by === 'week' || by === 'month') rows.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
  else rows.sort((a, b) => b.input + b.output - (a.input + a.output) || (a.group < b.group ? -1 : 1))
  const all: Acc = { totals: emptyTotals(), costUnknown: false, priced: 0, models: new Set() }
  for (const acc of groups.values()) {
    addTotals(all.totals, acc.totals)
    all.costUnknown ||= acc.costUnknown
    all.priced += acc.priced
    for (const m of acc.models) all.models.add(m)
  }
  return { by, timeZone: calendar.timeZone, rows, total: toRow('total', all) }
}

function toRow(group: string, acc: Acc): UsageRow {
  const t = acc.totals
  const cost: Record<string, number> = { ...t.cost }
  if (acc.priced > 0 || (t.unpriced.events > 0 && !acc.costUnknown)) cost.USD = (cost.USD ?? 0) + acc.priced
  return {
    group, events: t.events, input: t.input, output: t.output, reasoning: t.reasoning, cacheRead: t.cacheRead,
    cacheWrite: t.cacheWrite, cost, costUnknown: acc.costUnknown, models: [...acc.models].sort(),
  }
}

/** A bound as epoch ms: a day's start (or, for `until`, the next day's), or an instant. */
function bound(value: string | undefined, name: string, calendar: Calendar, days: number): number | undefined {
  if (value === undefined) return undefined
  // The parser list() and the MCP server share (core/when.ts); days are this report's zone's.
  return timeBound(value, name, { end: days === 1, dayStart: (day, plus) => calendar.dayStart(day, plus) })
}
