import { randomBytes } from 'node:crypto'
import { monotonicFactory } from 'ulid'
import { InvalidIdError } from './errors.js'

/** Crockford base32, upper case only: exactly what `newId()` produces. */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/

/**
 * ulid's default PRNG draws crypto bytes one call at a time (~44 us an id whenever the
 * millisecond changes); drawing from a 4 KiB pool of crypto bytes keeps ids as random
 * and makes them ~50x cheaper. A byte / 256 gives every base32 digit the same chance.
 */
let pool = randomBytes(4096)
let at = 0
function pooledRandom(): number {
  if (at >= pool.length) {
    pool = randomBytes(4096)
    at = 0
  }
  return pool[at++]! / 256
}

/** One factory per process, so ids made in the same millisecond still sort in order. */
export const newId: () => string = monotonicFactory(pooledRandom)

export function isSessionId(id: unknown): id is string {
  return typeof id === 'string' && ULID_PATTERN.test(id)
}

/** Refuses anything that is not a ULID before it can become part of a path. */
export function assertSessionId(id: unknown): string {
  if (!isSessionId(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : String(id)
    throw new InvalidIdError(`invalid session id ${shown}: expected a 26-character ULID`)
  }
  return id
}

/** Creation time encoded in a session id, as ISO 8601. */
export function idTime(id: string): string {
  let ms = 0
  for (const ch of id.slice(0, 10)) ms = ms * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(ch)
  return new Date(ms).toISOString()
}
