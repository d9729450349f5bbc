/**
 * The PostgreSQL store's schema, and how a server brings a database up to it on
 * start: a version table, and migrations applied in order inside one transaction
 * that first takes an advisory lock, so servers starting at once take turns (the
 * second finds the work done) instead of racing on CREATE TABLE.
 *
 * Also which driver errors mean "the database cannot be reached" (503, retry)
 * rather than a bug (500).
 */

import type { PoolClient } from 'pg'
import { StoreUnavailableError } from './share-store.js'

export const SCHEMA_TABLE = 'session_journal_schema'
export const SHARES_TABLE = 'session_journal_shares'

/** pg_advisory_xact_lock key of schema changes: "SJSH" in ASCII, fixed forever. */
const SCHEMA_LOCK = 0x534a5348

/** Each entry is one version; never edit a released one, append the next. */
const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE ${SHARES_TABLE} (
      id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{22}$'),
      secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
      created timestamptz NOT NULL,
      updated timestamptz NOT NULL,
      version text NOT NULL,
      page text NOT NULL,
      json bytea NOT NULL,
      html bytea NOT NULL,
      json_bytes integer NOT NULL,
      html_bytes integer NOT NULL
    )`,
  ],
]

export const SCHEMA_VERSION = MIGRATIONS.length

/**
 * Brings the database to SCHEMA_VERSION; returns the version it found. A database
 * already past it (a newer server migrated it) is refused rather than guessed at.
 */
export async function migrateSchema(client: PoolClient): Promise<number> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())`)
    const found = Number((await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${SCHEMA_TABLE}`)).rows[0]!.v)
    if (found > SCHEMA_VERSION) {
      throw new StoreUnavailableError(`the database's share schema is version ${found}, newer than this server's ${SCHEMA_VERSION}: upgrade the server`)
    }
    for (let version = found + 1; version <= SCHEMA_VERSION; version++) {
      for (const statement of MIGRATIONS[version - 1]!) await client.query(statement)
      await client.query(`INSERT INTO ${SCHEMA_TABLE} (version) VALUES ($1)`, [version])
    }
    await client.query('COMMIT')
    return found
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}

/** SQLSTATE classes that say the database is away or overloaded: connection exceptions, resources, shutdown, cancelled statements. */
const UNAVAILABLE_STATES = /^(08|53|57P0|57014)/

/** Driver messages for a connection that dropped or never came (they carry no code). */
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|connection timeout/i

/** Whether `error` means the database cannot be reached now (as opposed to a bug, or bad data). */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  // System errors of the socket first (EPIPE has a SQLSTATE's shape): ECONNREFUSED, ENOENT (no unix socket), ECONNRESET, ETIMEDOUT...
  // No SQLSTATE class starts with E.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_STATES.test(code)
  return UNAVAILABLE_MESSAGES.test(error.message)
}

/** `error` as StoreUnavailableError when it is one of those, else as it was. */
export function storeError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error
  return new StoreUnavailableError(`the share database cannot be reached: ${(error as Error).message}`, { cause: error })
}
