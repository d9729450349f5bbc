/**
 * list()'s public filters: a project folder, a time window and a row limit. The bounds are
 * parsed before anything is read (a bad bound is ERR_USAGE without touching the disk); the
 * window applies to the rows the listing cache already has, so it costs no extra read.
 */
import type { SessionRow } from './list.js'
import { timeBound } from './when.js'

export interface ListOptions {
  /** Only the sessions of this project folder. */
  project?: string
  /** Only sessions active since then (updated at or after): `7d`, `12h`, a day `YYYY-MM-DD` (local), an ISO time. */
  since?: string
  /** Only sessions active before then (created before; a day counts whole): same forms as `since`. */
  until?: string
  /** At most this many rows (the newest), after the other filters. */
  limit?: number
}

/** The filter of `options`, checked now, to apply once the rows are read. */
export function rowFilter(options: ListOptions): (rows: SessionRow[]) => SessionRow[] {
  const since = options.since === undefined ? undefined : timeBound(options.since, 'since')
  const until = options.until === undefined ? undefined : timeBound(options.until, 'until', { end: true })
  return rows => {
    if (since !== undefined || until !== undefined) {
      rows = rows.filter(row => (since === undefined || Date.parse(row.updated) >= since) && (until === undefined || Date.parse(row.created) < until))
    }
    return options.limit === undefined ? rows : rows.slice(0, Math.max(0, options.limit))
  }
}
