/**
 * The share server's disk store, the default (files: store-files.ts). A share is a small
 * record (the sha256 of its secret, never the secret itself, so a leaked disk
 * does not hand out edit rights) and the bytes its GETs are answered with,
 * prepared when the document arrives. Files are 0600 in a 0700 folder; every
 * write is temp file + rename, so a reader sees the old share or the new one.
 */

import fs from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { InvalidIdError, isNotFound } from '../core/errors.js'
import { readTextIfExists, writeFileAtomic } from '../core/files.js'
import type { ShareDocument } from '../share/document.js'
import {
  hashSecret, isShareId, newShareId, newShareSecret, prepareDocument, preparePage, secretMatches, StoreUnavailableError,
  type Outcome, type ShareHead, type ShareStore, type ShareStoreOptions, type StoredShare,
} from './share-store.js'
import { documentName, pageName, readRecord, recordName, sweepStore, RecordCache, type ShareRecordFile } from './store-files.js'
import { KeyedQueue } from './limit.js'
import { DEFAULT_PAGE_OPTIONS, pageVersion, type PageOptions } from './viewer.js'

export type { ShareRecordFile } from './store-files.js'

export class DiskShareStore implements ShareStore {
  readonly kind = 'disk'
  readonly dir: string
  readonly stats = { recordReads: 0, documentReads: 0, documentParses: 0 }
  readonly #page: PageOptions
  readonly #pageVersion: string
  readonly #heavy: <T>(task: () => Promise<T>) => Promise<T>
  /** Per-id tail of queued operations, so a sync cannot resurrect a share a delete just removed. */
  readonly #queues = new KeyedQueue()
  /** Conversions and re-renders under way: concurrent requests wait for the one, not do it again. */
  readonly #upgrades = new Map<string, Promise<ShareRecordFile | undefined>>()
  readonly #cache = new RecordCache(10_000)

  constructor(dir: string, options: ShareStoreOptions = {}) {
    this.dir = dir
    this.#page = { ...DEFAULT_PAGE_OPTIONS, ...options.page }
    this.#pageVersion = pageVersion(this.#page)
    this.#heavy = options.heavy ?? (task => task())
  }

  /** Makes the folder and cleans what a killed process left (store-files.ts sweepStore); returns the names removed. */
  async init(): Promise<string[]> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 })
    return sweepStore(this.dir)
  }

  /** Stores a new share; returns its id and the only copy of its secret. */
  async create(document: ShareDocument): Promise<{ id: string, secret: string }> {
    const id = newShareId()
    const secret = newShareSecret()
    const now = new Date().toISOString()
    await this.#write(id, document, { secretHash: hashSecret(secret), created: now, updated: now })
    return { id, secret }
  }

  /** The share's record (small: no document read), undefined when there is none. */
  async record(id: string): Promise<ShareRecordFile | undefined> {
    const found = await this.#readRecord(id)
    return found === 'legacy' ? this.#upgrade(`legacy:${id}`, () => this.#convert(id)) : found
  }

  /** The record with a page rendered by this server's viewer (an older one is rendered again, once). */
  async pageRecord(id: string): Promise<ShareRecordFile | undefined> {
    const record = await this.record(id)
    if (record === undefined || record.page === this.#pageVersion) return record
    return this.#upgrade(`page:${id}`, () => this.#rerender(id))
  }

  /** Whether `secret` may change the share: one small file read, whatever the document's size. */
  async check(id: string, secret: string | undefined): Promise<Outcome<'ok'>> {
    const record = await this.record(id)
    if (record === undefined) return 'not-found'
    return secretMatches(record.secretHash, secret) ? 'ok' : 'forbidden'
  }

  /** The prepared document or page named by `head`, streamed from its file; undefined when a newer one replaced it meanwhile. */
  async open(id: string, head: ShareHead, kind: 'json' | 'html'): Promise<Readable | undefined> {
    try {
      const handle = await fs.open(this.#path(id, kind === 'json' ? documentName(id, head) : pageName(id, head)), 'r')
      this.stats.documentReads++
      return handle.createReadStream()
    } catch (error) {
      if (!isNotFound(error)) throw error
      this.#cache.forget(id) // replaced meanwhile, or changed behind our back: read the record again
      return undefined
    }
  }

  /** The stored share with its document parsed (for hosts; the server's routes never need it). */
  async get(id: string): Promise<StoredShare | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const record = await this.record(id)
      if (record === undefined) return undefined
      const document = await this.#readDocument(id, record)
      if (document !== undefined) return { secretHash: record.secretHash, created: record.created, updated: record.updated, document }
    }
    throw new Error(`share ${id}: the document its record names is missing (or it kept changing while it was read)`)
  }

  /**
   * Replaces the document if the share still exists and the secret matches.
   * Checked again under the per-id queue: the caller's earlier check may be stale.
   */
  async replace(id: string, secret: string, document: ShareDocument): Promise<Outcome<'replaced'>> {
    await this.record(id) // converts an old share first, outside the queue (the conversion takes it)
    return this.#exclusive(id, async () => {
      const current = await this.#readRecord(id)
      if (typeof current !== 'object') return 'not-found'
      if (!secretMatches(current.secretHash, secret)) return 'forbidden'
      const next = await this.#write(id, document, { ...current, updated: new Date().toISOString() })
      await this.#removePrepared(id, current, next)
      return 'replaced'
    })
  }

  /** Removes the share's files from disk if the secret matches: the record first, so it is gone at once. */
  async remove(id: string, secret: string): Promise<Outcome<'removed'>> {
    await this.record(id)
    return this.#exclusive(id, async () => {
      const current = await this.#readRecord(id)
      if (typeof current !== 'object') return 'not-found'
      if (!secretMatches(current.secretHash, secret)) return 'forbidden'
      await fs.rm(this.#path(id, recordName(id)), { force: true })
      this.#cache.changed(id, undefined)
      await this.#removePrepared(id, current)
      return 'removed'
    })
  }

  /** The ids of the shares in the folder (their records' names), for migration. */
  async ids(): Promise<string[]> {
    return (await fs.readdir(this.dir)).flatMap(name => /^[A-Za-z0-9_-]{22}\.json$/.test(name) ? [name.slice(0, 22)] : [])
  }

  /** The folder is there and readable. */
  async health(): Promise<void> {
    try {
      await fs.access(this.dir, fs.constants.R_OK | fs.constants.W_OK)
    } catch (error) {
      throw new StoreUnavailableError(`the share folder cannot be used: ${(error as Error).message}`, { cause: error })
    }
  }

  /** Nothing to release: every file is closed when its answer ends. */
  async close(): Promise<void> {}

  #path(id: string, name: string): string {
    // The id becomes a file name: nothing but the pattern may reach join().
    if (!isShareId(id)) throw new InvalidIdError(`not a share id: ${JSON.stringify(id)}`)
    return join(this.dir, name)
  }

  #readRecord(id: string): Promise<ShareRecordFile | 'legacy' | undefined> {
    return this.#cache.read(id, () => {
      this.stats.recordReads++
      return readRecord(this.#path(id, recordName(id)))
    })
  }

  async #writeRecord(id: string, record: ShareRecordFile): Promise<void> {
    await this.#writeFile(this.#path(id, recordName(id)), JSON.stringify(record))
    this.#cache.changed(id, record)
  }

  async #readDocument(id: string, record: ShareRecordFile): Promise<ShareDocument | undefined> {
    const text = await readTextIfExists(this.#path(id, documentName(id, record)))
    if (text === undefined) {
      this.#cache.forget(id)
      return undefined
    }
    this.stats.documentReads++
    this.stats.documentParses++
    return JSON.parse(text) as ShareDocument
  }

  /** Prepared files first, the record last: until the record is replaced, nothing points to the new files. */
  async #write(id: string, document: ShareDocument, base: Pick<ShareRecordFile, 'secretHash' | 'created' | 'updated'>): Promise<ShareRecordFile> {
    const prepared = prepareDocument(id, document, this.#page)
    const record: ShareRecordFile = {
      store: 2, ...base, version: prepared.version, jsonBytes: prepared.json.length, page: this.#pageVersion, htmlBytes: prepared.html.length,
    }
    await this.#writeFile(this.#path(id, documentName(id, record)), prepared.json)
    await this.#writeFile(this.#path(id, pageName(id, record)), prepared.html)
    await this.#writeRecord(id, record)
    return record
  }

  async #writeFile(file: string, data: string | Buffer): Promise<void> {
    await writeFileAtomic(file, data, { mode: 0o600, dirMode: 0o700 })
  }

  /** Removes `old`'s prepared files, except those `next` still uses (the same document again). */
  async #removePrepared(id: string, old: ShareRecordFile, next?: ShareRecordFile): Promise<void> {
    const keep = next === undefined ? [] : [documentName(id, next), pageName(id, next)]
    for (const name of [documentName(id, old), pageName(id, old)]) {
      if (!keep.includes(name)) await fs.rm(this.#path(id, name), { force: true })
    }
  }

  /** A version 1 share (everything in `<id>.json`) as a record and prepared files; the record replaces the old file atomically. */
  async #convert(id: string): Promise<ShareRecordFile | undefined> {
    const found = await this.#readRecord(id)
    if (found !== 'legacy') return found
    const text = await readTextIfExists(this.#path(id, recordName(id)))
    if (text === undefined) return undefined
    this.stats.documentReads++
    this.stats.documentParses++
    const old = JSON.parse(text) as StoredShare
    return this.#write(id, old.document, { secretHash: old.secretHash, created: old.created, updated: old.updated })
  }

  /** The page again, from the stored document, when this server renders pages differently. */
  async #rerender(id: string): Promise<ShareRecordFile | undefined> {
    const current = await this.#readRecord(id)
    if (typeof current !== 'object' || current.page === this.#pageVersion) return current === 'legacy' ? undefined : current
    const document = await this.#readDocument(id, current)
    if (document === undefined) return undefined
    const html = preparePage(id, document, this.#page)
    const next: ShareRecordFile = { ...current, page: this.#pageVersion, htmlBytes: html.length }
    await this.#writeFile(this.#path(id, pageName(id, next)), html)
    await this.#writeRecord(id, next)
    await fs.rm(this.#path(id, pageName(id, current)), { force: true })
    return next
  }

  /** One upgrade per share at a time, as heavy work, under the share's queue (in that order everywhere: no deadlock). */
  #upgrade(key: string, task: () => Promise<ShareRecordFile | undefined>): Promise<ShareRecordFile | undefined> {
    const id = key.slice(key.indexOf(':') + 1)
    let running = this.#upgrades.get(key)
    if (running === undefined) {
      running = this.#heavy(() => this.#exclusive(id, task))
      this.#upgrades.set(key, running)
      const done = (): void => { this.#upgrades.delete(key) }
      running.then(done, done)
    }
    return running
  }

  #exclusive<T>(id: string, operation: () => Promise<T>): Promise<T> {
    return this.#queues.run(id, operation)
  }
}
