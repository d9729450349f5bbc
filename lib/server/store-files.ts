/**
 * The share store's files (store.ts is the class that uses them). Per share:
 *
 *   <id>.json                         the record: secret hash, times, sizes, versions (< 1 KiB)
 *   <id>.<version>.document           the document as served by GET /api/share/:id
 *   <id>.<version>.<page>.html        the page as served by GET /s/:id
 *
 * `version` is the sha256 of the document's bytes (the ETag), `page` names how
 * the page was rendered (viewer.ts pageVersion). The prepared files never
 * change once written: a new document gets new names, and the record, replaced
 * atomically, is the one place that says which are current. So a secret is
 * checked without touching a document, and a reader never sees half of one.
 *
 * Version 1 of the store kept everything in `<id>.json` (share-store.ts `StoredShare`); such
 * a file is recognized (a `document` key, or too big to be a record) and
 * converted on first use.
 */

import fs from 'node:fs/promises'
import { join } from 'node:path'
import { isNotFound } from '../core/errors.js'
import type { ShareHead } from './share-store.js'

/** A record is well under 1 KiB; a file past this size under a record's name is a version 1 share. */
export const RECORD_MAX_BYTES = 64 * 1024

export interface ShareRecordFile extends ShareHead {
  store: 2
  /** sha256 of the secret, hex. */
  secretHash: string
  created: string
  updated: string
}

export const recordName = (id: string): string => `${id}.json`
export const documentName = (id: string, record: { version: string }): string => `${id}.${record.version}.document`
export const pageName = (id: string, record: { version: string, page: string }): string => `${id}.${record.version}.${record.page}.html`

const ID = '[A-Za-z0-9_-]{22}'
const VERSION = /^[0-9a-f]{32}$/
const PAGE = /^[0-9a-f]{12}$/
const HASH = /^[0-9a-f]{64}$/
const RECORD_FILE = new RegExp(`^(${ID})\\.json$`)
const PREPARED_FILE = new RegExp(`^(${ID})\\.[0-9a-f]{32}\\.(?:document|[0-9a-f]{12}\\.html)$`)

/** The record, 'legacy' for a version 1 file, undefined when there is none. Reads at most RECORD_MAX_BYTES. */
export async function readRecord(file: string): Promise<ShareRecordFile | 'legacy' | undefined> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  try {
    if ((await handle.stat()).size > RECORD_MAX_BYTES) return 'legacy'
    const value = JSON.parse(await handle.readFile('utf8')) as unknown
    if (typeof value === 'object' && value !== null && 'document' in value) return 'legacy'
    if (!isRecord(value)) throw new Error(`${file} is not a share record`)
    return value
  } finally {
    await handle.close()
  }
}

function isRecord(value: unknown): value is ShareRecordFile {
  const r = value as Partial<ShareRecordFile> | null
  return typeof r === 'object' && r !== null && r.store === 2 && typeof r.secretHash === 'string' && HASH.test(r.secretHash)
    && typeof r.created === 'string' && typeof r.updated === 'string'
    && typeof r.version === 'string' && VERSION.test(r.version) && typeof r.page === 'string' && PAGE.test(r.page)
    && Number.isSafeInteger(r.jsonBytes) && Number.isSafeInteger(r.htmlBytes)
}

/**
 * The records read or written lately, newest last, at most `max`. Only this process writes
 * the store (one server per folder), so a cached record is current until this process changes
 * it; a hot share's GET or a flood of wrong secrets then touches no file but the answer's own.
 */
export class RecordCache {
  readonly #records = new Map<string, ShareRecordFile>()
  /** Bumped after every change on disk: a read that overlapped one may be stale and is not kept. */
  #epoch = 0

  constructor(readonly max: number) {}

  async read(id: string, load: () => Promise<ShareRecordFile | 'legacy' | undefined>): Promise<ShareRecordFile | 'legacy' | undefined> {
    const cached = this.#records.get(id)
    if (cached !== undefined) {
      this.#keep(id, cached)
      return cached
    }
    const epoch = this.#epoch
    const found = await load()
    if (typeof found === 'object' && epoch === this.#epoch) this.#keep(id, found)
    return found
  }

  /** After the record on disk changed: `record` is the new one, undefined when it was removed. */
  changed(id: string, record: ShareRecordFile | undefined): void {
    this.#epoch++
    if (record === undefined) this.#records.delete(id)
    else this.#keep(id, record)
  }

  /** Read it from disk next time (its files were not where the record said). */
  forget(id: string): void {
    this.#records.delete(id)
  }

  #keep(id: string, record: ShareRecordFile): void {
    this.#records.delete(id)
    this.#records.set(id, record)
    if (this.#records.size > this.max) this.#records.delete(this.#records.keys().next().value!)
  }
}

/**
 * Cleans the folder on start: temp files a killed process left behind (the
 * atomic writes' `.<name>.<random>.tmp`), and prepared files no record points
 * to (a crash between writing them and the record, or between the record and
 * removing the old ones). Records are read only for shares whose files look
 * off, so a clean store costs one readdir. Returns the names removed.
 */
export async function sweepStore(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir)
  const removed: string[] = []
  const remove = async (name: string): Promise<void> => {
    await fs.rm(join(dir, name), { force: true })
    removed.push(name)
  }
  const records = new Set<string>()
  const prepared = new Map<string, string[]>()
  for (const name of names) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      await remove(name)
      continue
    }
    const record = RECORD_FILE.exec(name)
    if (record !== null) records.add(record[1]!)
    const file = PREPARED_FILE.exec(name)
    if (file !== null) prepared.set(file[1]!, [...prepared.get(file[1]!) ?? [], name])
  }
  for (const [id, files] of prepared) {
    const looksRight = records.has(id) && files.length === 2 && files.some(f => f.endsWith('.document'))
    if (looksRight) continue
    let record: Awaited<ReturnType<typeof readRecord>>
    try {
      record = records.has(id) ? await readRecord(join(dir, recordName(id))) : undefined
    } catch {
      continue // a damaged record: leave its files for the operator rather than guess
    }
    const keep = typeof record === 'object' ? [documentName(id, record), pageName(id, record)] : []
    for (const name of files) if (!keep.includes(name)) await remove(name)
  }
  return removed
}
