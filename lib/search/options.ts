/**
 * search()'s options, checked before anything is opened: a wrong option is ERR_USAGE (the
 * call is wrong), a wrong query string is ERR_INVALID_QUERY (what the user typed is wrong).
 */
import path from 'node:path'
import { UsageError } from '../core/errors.js'
import { projectIdOf } from '../core/paths.js'
import { isDay, timeBound } from '../core/when.js'
import { ROLES, type Role } from '../core/types.js'

export interface SearchOptions {
  /** Only sessions of this project folder (resolved like create()'s `project`). */
  project?: string
  /** Only messages written at or after this time: a Date, a day (`YYYY-MM-DD`, local), an ISO 8601 time, or a span back from now (`30m`, `12h`, `7d`, `2w`). */
  since?: Date | string
  /** Only messages written at or before this time (same forms as `since`; a day counts whole). */
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

/**
 * An instant as the logs write it (toISOString), so it compares with their times as a string.
 * Strings mean what they mean to list() and usage() (core/when.ts): `until` a day includes it.
 */
export function timeOf(name: 'since' | 'until', value: Date | string, now = Date.now()): string {
  const ms = value instanceof Date ? value.getTime() : timeBound(value, `search(): ${name}`, { end: name === 'until', now })
  if (!Number.isFinite(ms)) throw new UsageError(`search(): ${name} must be a valid Date, got an invalid one`)
  // A day's end is the next day's start: `until` is inclusive, so stop 1 ms before it.
  return new Date(name === 'until' && typeof value === 'string' && isDay(value) ? ms - 1 : ms).toISOString()
}
