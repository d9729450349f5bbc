/**
 * search()'s options, checked before anything is opened: a wrong option is ERR_USAGE (the
 * call is wrong), a wrong query string is ERR_INVALID_QUERY (what the user typed is wrong).
 */
import path from 'node:path'
import { UsageError } from '../core/errors.js'
import { projectIdOf } from '../core/paths.js'
import { ROLES, type Role } from '../core/types.js'

export interface SearchOptions {
  /** Only sessions of this project folder (resolved like create()'s `project`). */
  project?: string
  /** Only messages written at or after this time: a Date, an ISO 8601 string, or a span back from now (`30m`, `12h`, `7d`, `2w`). */
  since?: Date | string
  /** Only messages written at or before this time (same forms as `since`). */
  until?: Date | string
  /** Only messages of this role (title hits have none, so they are left out). */
  role?: Role
  /** At most this many hits, best first (default 20, at most 1000). */
  limit?: number
  /** Also find messages a revert hid (marked `reverted: true`). */
  includeReverted?: boolean
}

export interface Filters {
  projectId?: string
  since?: string
  until?: string
  role?: Role
  limit: number
  includeReverted: boolean
}

export const DEFAULT_LIMIT = 20
export const MAX_LIMIT = 1000
const SPAN = /^(\d{1,6})([smhdw])$/
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

export function filtersOf(options: SearchOptions = {}, now = Date.now()): Filters {
  if (typeof options !== 'object' || options === null) throw new UsageError('search() options must be an object')
  const { project, since, until, role, limit, includeReverted } = options
  if (project !== undefined && (typeof project !== 'string' || project === '')) throw new UsageError('search(): project must be a folder path')
  if (role !== undefined && !ROLES.includes(role)) throw new UsageError(`search(): role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`)
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
    throw new UsageError(`search(): limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`)
  }
  if (includeReverted !== undefined && typeof includeReverted !== 'boolean') throw new UsageError('search(): includeReverted must be a boolean')
  return {
    ...(project === undefined ? {} : { projectId: projectIdOf(path.resolve(project)) }),
    ...(since === undefined ? {} : { since: timeOf('since', since, now) }),
    ...(until === undefined ? {} : { until: timeOf('until', until, now) }),
    ...(role === undefined ? {} : { role }),
    limit: limit ?? DEFAULT_LIMIT,
    includeReverted: includeReverted ?? false,
  }
}

/** An instant as the logs write it (toISOString), so it compares with their times as a string. */
export function timeOf(name: string, value: Date | string, now = Date.now()): string {
  let ms = Number.NaN
  if (value instanceof Date) ms = value.getTime()
  else if (typeof value === 'string') {
    const span = SPAN.exec(value.trim())
    // Date.parse alone would take "7" or "May" too: a date must at least start like one.
    ms = span ? now - Number(span[1]) * UNIT_MS[span[2]!]! : /^\d{4}-\d\d(-\d\d)?([T ].*)?$/.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN
  }
  if (!Number.isFinite(ms)) {
    throw new UsageError(`search(): ${name} must be a Date, an ISO 8601 date or time (2024-05-01, 2024-05-01T12:00Z) or a span like 30m, 12h, 7d, 2w; got ${JSON.stringify(String(value))}`)
  }
  return new Date(ms).toISOString()
}
