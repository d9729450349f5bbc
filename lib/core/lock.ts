/**
 * One writer per session across processes, on proper-lockfile (an mkdir'd `<log>.lock`
 * whose mtime the holder refreshes). proper-lockfile's own stale takeover is racy: two
 * waiters can both see a stale lock, and the slower one removes the lock the faster one
 * just made. So staleness is judged here instead, and takeovers are serialized through a
 * second short-lived lock, inside which staleness is checked again.
 */
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import { isErrnoException, isNotFound, SessionLockedError } from './errors.js'
import { DIR_MODE } from './paths.js'

/**
 * proper-lockfile makes its lock folder with mkdir's default mode (0777 less the umask);
 * under umask 0 that is a world-writable folder among the logs. Ours is private like the rest.
 */
const lockFs = {
  ...fsSync,
  mkdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) => fsSync.mkdir(dir, { mode: DIR_MODE }, callback),
}

export interface LockOptions {
  /** A lock whose mtime is older than this is a dead holder's and may be taken over. */
  staleMs?: number
  /** Wait up to this long for a live holder to let go (default: fail at once). */
  waitMs?: number
  /** Called if the lock is lost while held (event loop stalled past staleMs, lock removed). */
  onCompromised?: (error: Error) => void
  /** Context for the error message. */
  id?: string
}

export type Release = () => Promise<void>

/** proper-lockfile and graceful-fs, loaded by the first lock: a listing that takes none never pays for them. */
let loading: Promise<typeof import('proper-lockfile')> | undefined
const lockfile = () => (loading ??= import('proper-lockfile').then(m => m.default))

export const DEFAULT_STALE_MS = 10_000

export async function acquireLock(file: string, options: LockOptions = {}): Promise<Release> {
  const staleMs = Math.max(options.staleMs ?? DEFAULT_STALE_MS, 2000)
  const lockPath = `${file}.lock`
  const deadline = Date.now() + (options.waitMs ?? 0)
  let delay = 20
  for (;;) {
    const release = await tryLock(file, staleMs, options.onCompromised)
      ?? (await isStale(lockPath, staleMs) ? await takeOver(file, lockPath, staleMs, options.onCompromised) : undefined)
    if (release) return release
    if (Date.now() >= deadline) {
      throw new SessionLockedError(
        `session ${options.id ?? file} is being written by another writer (lock ${lockPath})`,
        { path: file, ...(options.id === undefined ? {} : { id: options.id }) })
    }
    await new Promise(resolve => setTimeout(resolve, Math.min(delay, Math.max(1, deadline - Date.now()))))
    delay = Math.min(delay * 2, 250)
  }
}

/**
 * One mkdir attempt. proper-lockfile is told locks never go stale: staleness is ours to judge.
 * The release never removes a lock folder that is not the one we made: if we stalled past
 * staleMs and a waiter took over, the folder there is the new holder's.
 */
async function tryLock(file: string, staleMs: number, onCompromised?: (error: Error) => void): Promise<Release | undefined> {
  let ours: number | undefined
  const guardedFs = {
    ...lockFs,
    rmdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) => fsSync.stat(dir, (error, stat) => {
      if (!error && ours !== undefined && stat.ino !== ours) return callback(null)
      fsSync.rmdir(dir, callback)
    }),
  }
  let release: () => Promise<void>
  try {
    release = await (await lockfile()).lock(file, {
      realpath: false,
      stale: Number.POSITIVE_INFINITY,
      update: Math.max(1000, Math.floor(staleMs / 2)),
      retries: 0,
      fs: guardedFs,
      onCompromised: onCompromised ?? (() => {}),
    })
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ELOCKED') return undefined
    throw error
  }
  ours = fsSync.statSync(`${file}.lock`).ino
  return async () => {
    try {
      await release()
    } catch (error) {
      // Already released by proper-lockfile when it found the lock lost: nothing left to let go.
      if (!isErrnoException(error) || error.code !== 'ERELEASED') throw error
    }
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const stat = await fs.stat(lockPath)
    return stat.mtimeMs < Date.now() - staleMs
  } catch (error) {
    if (isNotFound(error)) return false // released meanwhile: the next mkdir will tell
    throw error
  }
}

/**
 * Only one process at a time may judge and remove a stale lock. The guard is held for a few
 * milliseconds; if its holder dies inside, proper-lockfile's own staleness (2 s) frees it.
 */
async function takeOver(file: string, lockPath: string, staleMs: number, onCompromised?: (error: Error) => void): Promise<Release | undefined> {
  let releaseGuard: () => Promise<void>
  try {
    releaseGuard = await (await lockfile()).lock(`${file}.takeover`, { realpath: false, stale: 2000, retries: 0, fs: lockFs })
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ELOCKED') return undefined
    throw error
  }
  try {
    if (!await isStale(lockPath, staleMs)) return undefined
    await fs.rmdir(lockPath).catch((error: unknown) => { if (!isNotFound(error)) throw error })
    return await tryLock(file, staleMs, onCompromised)
  } finally {
    await releaseGuard()
  }
}

/** Whether some writer holds the session now (readers never need the lock; this is for display). */
export async function isLocked(file: string, staleMs = DEFAULT_STALE_MS): Promise<boolean> {
  try {
    const stat = await fs.stat(`${file}.lock`)
    return stat.mtimeMs >= Date.now() - staleMs
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}
