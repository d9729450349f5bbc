/**
 * Session ids as people type them: ULIDs are case-insensitive (`01jd7x...`), and a unique
 * prefix (`show 01jd7x`) is enough, as with git hashes. Resolved through `journal.list()`;
 * a full id skips the listing.
 */
import { SessionNotFoundError, UsageError, type Journal } from '../index.js'

const FULL = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i
// Crockford base32 (no I, L, O, U): anything else cannot start an id and is left for
// the library to refuse as ERR_INVALID_ID.
const PREFIX = /^[0-9A-HJKMNP-TV-Z]{1,25}$/i
const SHOWN = 10

export async function resolveId(journal: Journal, arg: string, command: string): Promise<string> {
  if (FULL.test(arg)) return arg.toUpperCase()
  if (!PREFIX.test(arg)) return arg
  const prefix = arg.toUpperCase()
  const ids = [...new Set((await journal.list()).map(row => row.id).filter(id => id.startsWith(prefix)))]
  if (ids.length === 1) return ids[0]!
  if (ids.length === 0) throw new SessionNotFoundError(`${command}: no session id starts with ${JSON.stringify(arg)}`)
  const more = ids.length > SHOWN ? ` and ${ids.length - SHOWN} more` : ''
  throw new UsageError(`${command}: ${JSON.stringify(arg)} is the start of ${ids.length} session ids: ${ids.slice(0, SHOWN).join(', ')}${more}; give more characters`)
}
