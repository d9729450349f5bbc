/**
 * What the share server needs from where shares are kept, whatever keeps them:
 * the disk store (store.ts, the default) and the PostgreSQL store (store-pg.ts).
 * routes.ts and server.ts see only this interface.
 *
 * Also what every store shares: ids and secrets (only a secret's sha256 is
 * ever stored), and the bytes GETs are answered with, prepared once when a
 * document arrives. A share's `version` (its ETag) is the sha256 of its JSON
 * bytes; `page` names how the page was rendered (viewer.ts pageVersion). The
 * pair names the prepared bytes exactly, so a cache keyed by it can be checked
 * against a store's current version and never serve what was replaced.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { ShareDocument } from '../share/document.js'
import { renderSharePage, type PageOptions } from './viewer.js'

export type Outcome<T extends string> = T | 'not-found' | 'forbidden'

/** What a GET needs before it sends a byte: the tags and sizes of the prepared answers. */
export interface ShareHead {
  /** First 32 hex digits of the sha256 of the document's JSON bytes. */
  version: string
  jsonBytes: number
  /** The page's render version (viewer.ts pageVersion). */
  page: string
  htmlBytes: number
}

/** A share with its document parsed, as `get()` returns it (and as version 1 of the disk store kept it). */
export interface StoredShare {
  /** sha256 of the secret, hex. */
  secretHash: string
  created: string
  updated: string
  document: ShareDocument
}

/** What a store has read: tests and the benchmark use it to prove a request stayed cheap. */
export interface ShareStoreStats {
  /** Reads of a share's small record (its secret hash, versions and sizes). */
  recordReads: number
  /** Reads of prepared bytes or of a document (a file opened, a row's bytes fetched). */
  documentReads: number
  documentParses: number
}

export interface ShareStore {
  /** 'disk' or 'postgres', as `GET /healthz` names it. */
  readonly kind: string
  readonly stats: ShareStoreStats
  /** Stores a new share; returns its id and the only copy of its secret. */
  create(document: ShareDocument): Promise<{ id: string, secret: string }>
  /** The share's head (no document read), undefined when there is none. */
  record(id: string): Promise<ShareHead | undefined>
  /** The head with a page rendered by this server's viewer (an older one is rendered again, once). */
  pageRecord(id: string): Promise<ShareHead | undefined>
  /** Whether `secret` may change the share, read from its small record alone. */
  check(id: string, secret: string | undefined): Promise<Outcome<'ok'>>
  /** The prepared bytes `head` names; undefined when a newer document replaced them meanwhile. */
  open(id: string, head: ShareHead, kind: 'json' | 'html'): Promise<Readable | undefined>
  /** The share with its document parsed (for hosts and migration; the routes never need it). */
  get(id: string): Promise<StoredShare | undefined>
  /** Replaces the document if the share exists and the secret matches, in one step. */
  replace(id: string, secret: string, document: ShareDocument): Promise<Outcome<'replaced'>>
  /** Removes the share if the secret matches: at once, for every reader. */
  remove(id: string, secret: string): Promise<Outcome<'removed'>>
  /** Throws StoreUnavailableError when the store cannot be reached now. */
  health(): Promise<void>
  close(): Promise<void>
}

export interface ShareStoreOptions {
  /** How pages are rendered (size budget, clipping); defaults in viewer.ts. */
  page?: Partial<PageOptions>
  /** Runs the store's own heavy work (converting an old share, rendering a stale page); the server bounds it. */
  heavy?: <T>(task: () => Promise<T>) => Promise<T>
}

/**
 * The store cannot be reached (a database that went away): the server answers 503
 * ERR_STORE_UNAVAILABLE and stays up; the same request may be sent again later.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'ERR_STORE_UNAVAILABLE'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailableError'
  }
}

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
  // Both are sha256 digests, so the lengths match unless the stored hash was tampered with.
  return expected.length === actual.length && timingSafeEqual(expected, actual)
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
