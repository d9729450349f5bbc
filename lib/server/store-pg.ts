/**
 * The share store on PostgreSQL: several share servers over one database act as
 * one service. A share is one row (schema: store-pg-schema.ts): the sha256 of its
 * secret, its times, and the prepared JSON and page bytes with their version.
 *
 * Every statement is parameterized; each create, sync and delete is one
 * transaction, the secret checked under the row's lock, so a sync racing a delete
 * on another server cannot bring the share back. Nothing about a share is trusted
 * from memory: each request reads the row's small head first, and prepared bytes
 * kept in memory (store-cache.ts) are used only when they carry the version just
 * read. A database that cannot be reached is StoreUnavailableError (503, retried
 * by clients); the pool reconnects by itself once it is back.
 *
 * `pg` is loaded by connect() alone, so a server on the disk store never loads it.
 */

import { Readable } from 'node:stream'
import type { Pool, PoolClient } from 'pg'
import { InvalidIdError } from '../core/errors.js'
import type { ShareDocument } from '../share/document.js'
import {
  hashSecret, isShareId, newShareId, newShareSecret, prepareDocument, preparePage, secretMatches, StoreUnavailableError,
  type Outcome, type ShareHead, type ShareStore, type ShareStoreOptions, type StoredShare,
} from './share-store.js'
import { FreshReads } from './fresh-reads.js'
import { BytesCache } from './store-cache.js'
import { SHARES_TABLE as T, migrateSchema, storeError } from './store-pg-schema.js'
import { DEFAULT_PAGE_OPTIONS, pageVersion, type PageOptions } from './viewer.js'

export interface PgStoreOptions extends ShareStoreOptions {
  /** Connections to the database at most, per server. Default 10. */
  poolSize?: number
  /** Prepared bytes kept in memory, in all (a hot share is then not fetched per GET). Default 64 MiB. */
  cacheBytes?: number
  /** Waiting for a connection (a new one, or a free one of the pool) longer than this is 503. Default 5 s. */
  connectTimeoutMs?: number
  /** A statement running longer than this is cancelled, and the request gets 503. Default 30 s. */
  queryTimeoutMs?: number
}

const HEAD = 'version, page, json_bytes AS "jsonBytes", html_bytes AS "htmlBytes"'

export class PgShareStore implements ShareStore {
  readonly kind = 'postgres'
  readonly stats = { recordReads: 0, documentReads: 0, documentParses: 0 }
  readonly #page: PageOptions
  readonly #pageVersion: string
  readonly #heavy: <T>(task: () => Promise<T>) => Promise<T>
  readonly #cache: BytesCache
  /** Re-renders under way, so concurrent GETs of a stale page wait for the one. */
  readonly #rendering = new Map<string, Promise<ShareHead | undefined>>()
  readonly #heads = new FreshReads<ShareHead | undefined>()

  /** Connects (loading `pg` now), brings the schema up to date, and returns the store; `url` is a postgres:// connection string. */
  static async connect(url: string, options: PgStoreOptions = {}): Promise<PgShareStore> {
    const { default: pg } = await import('pg')
    const timeout = options.queryTimeoutMs ?? 30_000
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      statement_timeout: timeout,
      query_timeout: timeout + 1_000,
      application_name: 'session-journal share server',
    })
    // An idle connection the database drops (a restart) reports here; the pool has already let it go.
    pool.on('error', () => undefined)
    const store = new PgShareStore(pool, options)
    try {
      await store.#withClient(client => migrateSchema(client))
    } catch (error) {
      await pool.end()
      throw error
    }
    return store
  }

  private constructor(private readonly pool: Pool, options: PgStoreOptions) {
    this.#page = { ...DEFAULT_PAGE_OPTIONS, ...options.page }
    this.#pageVersion = pageVersion(this.#page)
    this.#heavy = options.heavy ?? (task => task())
    this.#cache = new BytesCache(options.cacheBytes ?? 64 * 1024 * 1024)
  }

  async create(document: ShareDocument): Promise<{ id: string, secret: string }> {
    const id = newShareId()
    const secret = newShareSecret()
    const now = new Date().toISOString()
    await this.put({ id, secretHash: hashSecret(secret), created: now, updated: now, document })
    return { id, secret }
  }

  /** Stores a share under its own id (migration); 'exists' when the id is taken, which is left as it is. */
  async put(share: StoredShare & { id: string }): Promise<'copied' | 'exists'> {
    const p = prepareDocument(this.#id(share.id), share.document, this.#page)
    const { rowCount } = await this.#query(
      `INSERT INTO ${T} (id, secret_hash, created, updated, version, page, json, html, json_bytes, html_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
      [share.id, share.secretHash, share.created, share.updated, p.version, this.#pageVersion, p.json, p.html, p.json.length, p.html.length])
    return rowCount === 1 ? 'copied' : 'exists'
  }

  /** Whether a share with this id is stored (one index lookup). */
  async has(id: string): Promise<boolean> {
    return (await this.#query(`SELECT 1 FROM ${T} WHERE id = $1`, [this.#id(id)])).rowCount === 1
  }

  /** Concurrent GETs of one share share a read, never one that started before they came (fresh-reads.ts). */
  async record(id: string): Promise<ShareHead | undefined> {
    this.#id(id)
    return this.#heads.read(id, async () => {
      this.stats.recordReads++
      return (await this.#query<ShareHead>(`SELECT ${HEAD} FROM ${T} WHERE id = $1`, [id], 'sj-share-head')).rows[0]
    })
  }

  async pageRecord(id: string): Promise<ShareHead | undefined> {
    const head = await this.record(id)
    if (head === undefined || head.page === this.#pageVersion) return head
    let running = this.#rendering.get(id)
    if (running === undefined) {
      running = this.#heavy(() => this.#rerender(id))
      this.#rendering.set(id, running)
      const done = (): void => { this.#rendering.delete(id) }
      running.then(done, done)
    }
    return running
  }

  async check(id: string, secret: string | undefined): Promise<Outcome<'ok'>> {
    this.stats.recordReads++
    const row = (await this.#query<{ secret_hash: string }>(`SELECT secret_hash FROM ${T} WHERE id = $1`, [this.#id(id)], 'sj-share-secret')).rows[0]
    if (row === undefined) return 'not-found'
    return secretMatches(row.secret_hash, secret) ? 'ok' : 'forbidden'
  }

  async open(id: string, head: ShareHead, kind: 'json' | 'html'): Promise<Readable | undefined> {
    const key = kind === 'json' ? `${id}:json:${head.version}` : `${id}:html:${head.version}.${head.page}`
    const bytes = await this.#cache.get(key, async () => {
      this.stats.documentReads++
      const sql = kind === 'json'
        ? `SELECT json AS bytes FROM ${T} WHERE id = $1 AND version = $2`
        : `SELECT html AS bytes FROM ${T} WHERE id = $1 AND version = $2 AND page = $3`
      const values = kind === 'json' ? [this.#id(id), head.version] : [this.#id(id), head.version, head.page]
      return (await this.#query<{ bytes: Buffer }>(sql, values)).rows[0]?.bytes
    })
    return bytes === undefined ? undefined : Readable.from([bytes])
  }

  async get(id: string): Promise<StoredShare | undefined> {
    this.stats.documentReads++
    const row = (await this.#query<{ secret_hash: string, created: Date, updated: Date, json: Buffer }>(
      `SELECT secret_hash, created, updated, json FROM ${T} WHERE id = $1`, [this.#id(id)])).rows[0]
    if (row === undefined) return undefined
    this.stats.documentParses++
    const document = JSON.parse(row.json.toString('utf8')) as ShareDocument
    return { secretHash: row.secret_hash, created: row.created.toISOString(), updated: row.updated.toISOString(), document }
  }

  async replace(id: string, secret: string, document: ShareDocument): Promise<Outcome<'replaced'>> {
    const p = prepareDocument(this.#id(id), document, this.#page)
    return this.#locked(id, secret, 'replaced', client => client.query(
      `UPDATE ${T} SET updated = now(), version = $2, page = $3, json = $4, html = $5, json_bytes = $6, html_bytes = $7 WHERE id = $1`,
      [id, p.version, this.#pageVersion, p.json, p.html, p.json.length, p.html.length]))
  }

  async remove(id: string, secret: string): Promise<Outcome<'removed'>> {
    const outcome = await this.#locked(id, secret, 'removed', client => client.query(`DELETE FROM ${T} WHERE id = $1`, [id]))
    if (outcome === 'removed') this.#cache.forget(`${id}:`)
    return outcome
  }

  async health(): Promise<void> {
    await this.#query('SELECT 1', [])
  }

  async close(): Promise<void> {
    await this.pool.end()
  }

  /** One transaction: the row locked, the secret checked against it, then `change`; the lock keeps every other server's change of this share waiting. */
  async #locked<R extends string>(id: string, secret: string, done: R, change: (client: PoolClient) => Promise<unknown>): Promise<Outcome<R>> {
    this.#id(id)
    return this.#withClient(async client => {
      await client.query('BEGIN')
      try {
        this.stats.recordReads++
        const row = (await client.query<{ secret_hash: string }>(`SELECT secret_hash FROM ${T} WHERE id = $1 FOR UPDATE`, [id])).rows[0]
        const outcome: Outcome<R> = row === undefined ? 'not-found' : secretMatches(row.secret_hash, secret) ? done : 'forbidden'
        if (outcome === done) await change(client)
        await client.query(outcome === done ? 'COMMIT' : 'ROLLBACK')
        return outcome
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    })
  }

  /** The page again, from the stored document, when this server renders pages differently; kept only if the document did not change meanwhile. */
  async #rerender(id: string): Promise<ShareHead | undefined> {
    this.stats.documentReads++
    const row = (await this.#query<{ version: string, json: Buffer }>(`SELECT version, json FROM ${T} WHERE id = $1`, [id])).rows[0]
    if (row === undefined) return undefined
    this.stats.documentParses++
    const html = preparePage(id, JSON.parse(row.json.toString('utf8')) as ShareDocument, this.#page)
    const updated = await this.#query<ShareHead>(
      `UPDATE ${T} SET page = $3, html = $4, html_bytes = $5 WHERE id = $1 AND version = $2 RETURNING ${HEAD}`,
      [id, row.version, this.#pageVersion, html, html.length])
    return updated.rows[0] ?? this.record(id)
  }

  /** `name`: a statement every GET or sync runs, prepared once per connection instead of parsed each time. */
  async #query<R extends object>(text: string, values: unknown[], name?: string): Promise<{ rows: R[], rowCount: number | null }> {
    try {
      return await this.pool.query<R>(name === undefined ? { text, values } : { name, text, values })
    } catch (error) {
      throw storeError(error)
    }
  }

  async #withClient<R>(use: (client: PoolClient) => Promise<R>): Promise<R> {
    let client: PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw storeError(error)
    }
    try {
      const result = await use(client)
      client.release()
      return result
    } catch (error) {
      // A connection that failed is not handed to the next request.
      const mapped = storeError(error)
      client.release(mapped instanceof StoreUnavailableError)
      throw mapped
    }
  }

  /** Ids go into statements as parameters, never into SQL text; still, only well-formed ones are asked about. */
  #id(id: string): string {
    if (!isShareId(id)) throw new InvalidIdError(`not a share id: ${JSON.stringify(id)}`)
    return id
  }
}
