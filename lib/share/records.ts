/**
 * Local share records: what this machine needs to sync or unshare a share,
 * including its secret. Kept apart from the session log (which may be copied
 * or exported) in `<root>/shares/<sessionId>.json`, 0600 in a 0700 folder,
 * and not removed with the session, so a deleted session can still be unshared.
 */

import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { readTextIfExists, writeFileAtomic } from '../core/files.js'
import { ShareFailedError, isNotFound } from '../core/errors.js'
import { assertSessionId } from '../core/ids.js'
import type { ShareRecord } from './provider.js'

export function shareRecordPath(root: string, sessionId: string): string {
  // The id becomes a file name: validate before it gets near join().
  return join(root, 'shares', `${assertSessionId(sessionId)}.json`)
}

export async function saveShareRecord(root: string, sessionId: string, record: ShareRecord): Promise<void> {
  const path = shareRecordPath(root, sessionId)
  const { shareId, url, secret, server } = record
  await writeFileAtomic(path, `${JSON.stringify({ shareId, url, secret, server }, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 })
}

/** The record, or undefined when the session was never shared from here (missing is a value). */
export async function loadShareRecord(root: string, sessionId: string): Promise<ShareRecord | undefined> {
  const path = shareRecordPath(root, sessionId)
  const text = await readTextIfExists(path)
  if (text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ShareFailedError(`share record is not JSON: ${path}`, { path, id: sessionId, cause: error })
  }
  const record = value as Partial<Record<keyof ShareRecord, unknown>> | null
  if (typeof record !== 'object' || record === null
    || typeof record.shareId !== 'string' || typeof record.url !== 'string'
    || typeof record.secret !== 'string' || typeof record.server !== 'string') {
    throw new ShareFailedError(`share record lacks shareId, url, secret or server: ${path}`, { path, id: sessionId })
  }
  return { shareId: record.shareId, url: record.url, secret: record.secret, server: record.server }
}

/** Removes the record; true if there was one. */
export async function removeShareRecord(root: string, sessionId: string): Promise<boolean> {
  const path = shareRecordPath(root, sessionId)
  try {
    await rm(path)
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}
