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
 * Version 1 of the store kept everything in `<id>.json` (`StoredShare`); such
 * a file is recognized (a `document` key, or too big to be a record) and
 * converted on first use.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs/promises'
import { join } from 'node:path'
import { isNotFound } from '../core/errors.js'
import type { ShareDocument } from '../share/document.js'
import { renderSharePage, type PageOptions } from './viewer.js'

/** 128 random bits in base64url: 22 characters from [A-Za-z0-9_-]. */
export const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/

export function newShareId(): string {
  return randomBytes(16).toString('base64url')
}

/** 256 random bits; shown once to the client that created the share. */
export function newShareSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

export function isShareId(id: string): boolean {
  return SHARE_ID_PATTERN.test(id)
}

/** Constant-time comparison of a presented secret against the stored sha256 (hex). */
export function secretMatches(secretHash: string, presented: string | undefined): boolean {
  if (presented === undefined || presented === '') return false
  const expected = Buffer.from(secretHash, 'hex')
  const actual = createHash('sha256').update(presented, 'utf8').digest()
  // Both are sha256 digests, so the lengths match unless the file was tampered with.
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** A share as version 1 of the store kept it in `<id>.json`, and as ShareStore.get() returns it. */
export interface StoredShare {
  /** sha256 of the secret, hex. */
  secretHash: string
  created: string
  updated: string
  document: ShareDocument
}


/** A record is well under 1 KiB; a file past this size under a record's name is a version 1 share. */
export const RECORD_MAX_BYTES = 64 * 1024

export interface ShareRecordFile {
  store: 2
  /** sha256 of the secret, hex. */
  secretHash: string
  created: string
  updated: string
  /** First 32 hex digits of the sha256 of the document's JSON bytes. */
  version: string
  jsonBytes: number
  /** The page's render version (viewer.ts pageVersion). */
  page: string
  htmlBytes: number
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

export interface Prepared {
  json: Buffer
  html: Buffer
  version: string
}

/** The bytes GETs will be answered with: serialized once here, never per request. */
export function prepareDocument(id: string, document: ShareDocument, page: PageOptions): Prepared {
  const json = Buffer.from(JSON.stringify(document))
  return { json, version: versionOf(json), html: preparePage(id, document, page) }
}

export function preparePage(id: string, document: ShareDocument, page: PageOptions): Buffer {
  // Relative, so the link holds behind a proxy that mounts the server under a path.
  return Buffer.from(renderSharePage(document, { ...page, jsonHref: `../api/share/${id}` }))
}

export function versionOf(json: Buffer): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 32)
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
