/**
 * The share server's disk store: one file per share, `<dir>/<id>.json`,
 * holding the document and the sha256 of the share's secret (never the
 * secret itself, so a leaked disk does not hand out edit rights).
 * Files are 0600 in a 0700 folder; every write is temp file + rename, so a
 * reader sees the old document or the new one, never half of one.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { readTextIfExists, writeFileAtomic } from '../core/files.js'
import { InvalidIdError } from '../core/errors.js'
import type { ShareDocument } from '../share/document.js'

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

export interface StoredShare {
  /** sha256 of the secret, hex. */
  secretHash: string
  created: string
  updated: string
  document: ShareDocument
}

export class ShareStore {
  readonly dir: string
  /** Per-id tail of queued operations, so a sync cannot resurrect a share a delete just removed. */
  readonly #queues = new Map<string, Promise<unknown>>()

  constructor(dir: string) {
    this.dir = dir
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
  }

  /** Stores a new share; returns its id and the only copy of its secret. */
  async create(document: ShareDocument): Promise<{ id: string, secret: string }> {
    const id = newShareId()
    const secret = newShareSecret()
    const now = new Date().toISOString()
    await this.#write(id, { secretHash: hashSecret(secret), created: now, updated: now, document })
    return { id, secret }
  }

  /** The stored share, or undefined when there is none (missing is a value). */
  async get(id: string): Promise<StoredShare | undefined> {
    const text = await readTextIfExists(this.#path(id))
    return text === undefined ? undefined : JSON.parse(text) as StoredShare
  }

  /** Constant-time comparison of the presented secret against the stored hash. */
  static secretMatches(share: StoredShare, presented: string | undefined): boolean {
    if (presented === undefined || presented === '') return false
    const expected = Buffer.from(share.secretHash, 'hex')
    const actual = createHash('sha256').update(presented, 'utf8').digest()
    // Both are sha256 digests, so the lengths match unless the file was tampered with.
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  }

  /**
   * Replaces the document if the share still exists and the secret matches.
   * Checked again under the per-id queue: the caller's earlier check may be stale.
   */
  async replace(id: string, secret: string, document: ShareDocument): Promise<'replaced' | 'not-found' | 'forbidden'> {
    return this.#exclusive(id, async () => {
      const current = await this.get(id)
      if (current === undefined) return 'not-found'
      if (!ShareStore.secretMatches(current, secret)) return 'forbidden'
      await this.#write(id, { ...current, updated: new Date().toISOString(), document })
      return 'replaced'
    })
  }

  /** Removes the share's file from disk if the secret matches. */
  async remove(id: string, secret: string): Promise<'removed' | 'not-found' | 'forbidden'> {
    return this.#exclusive(id, async () => {
      const current = await this.get(id)
      if (current === undefined) return 'not-found'
      if (!ShareStore.secretMatches(current, secret)) return 'forbidden'
      await rm(this.#path(id), { force: true })
      return 'removed'
    })
  }

  #path(id: string): string {
    // The id becomes a file name: nothing but the pattern may reach join().
    if (!isShareId(id)) throw new InvalidIdError(`not a share id: ${JSON.stringify(id)}`)
    return join(this.dir, `${id}.json`)
  }

  async #write(id: string, share: StoredShare): Promise<void> {
    await writeFileAtomic(this.#path(id), JSON.stringify(share), { mode: 0o600, dirMode: 0o700 })
  }

  async #exclusive<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve()
    const run = previous.then(operation, operation)
    const tail = run.catch(() => undefined)
    this.#queues.set(id, tail)
    try {
      return await run
    } finally {
      // Only the last queued operation clears the entry, so the map does not grow.
      if (this.#queues.get(id) === tail) this.#queues.delete(id)
    }
  }
}
