/**
 * A sessions folder's mark: what lets a walk skip a `stat` of every log (listing, search).
 *
 * A mark is the folder's inode and ctime, and which sessions had a writer (a
 * `<id>.ndjson.lock` folder) when it was walked. Handed back, a mark whose folder is
 * unchanged means no log was created, deleted, replaced, and no writer came or went (each
 * makes or removes an entry in that folder, which moves its ctime, a time no tool can set
 * back). Logs only grow while a writer holds them, so only the logs whose writer was live
 * then can have changed. A folder changed in the last few seconds gets no mark: a change
 * within the same timestamp tick could not be told apart. What a mark cannot see is a log
 * written by something that takes no lock (an editor saving in place, `cp` over a log).
 *
 * The folder is stat'ed before it is read: a change after that moves the ctime past the one kept.
 */
import fsSync from 'node:fs'
import { isErrnoException, isNotFound } from './errors.js'
import { isSessionId } from './ids.js'
import { LOG_SUFFIX } from './paths.js'

const LOCK_SUFFIX = `${LOG_SUFFIX}.lock`
/** File system timestamps move in ticks (a jiffy on Linux, 1-2 s on some file systems). */
export const RACY_MS = 3000

/** A folder as stat'ed before a walk: its stamp, and whether it changed too recently to be marked. */
export interface FolderStamp {
  stamp: string
  racy: boolean
}

/** null: the folder is missing (or is not a folder). */
export function stampFolder(dir: string, racyMs = RACY_MS): FolderStamp | null {
  let folder: fsSync.BigIntStats
  try {
    folder = fsSync.statSync(dir, { bigint: true })
  } catch (error) {
    // ENOTDIR: a file where a project folder should be is no project.
    if (isNotFound(error) || (isErrnoException(error) && error.code === 'ENOTDIR')) return null
    throw error
  }
  if (!folder.isDirectory()) return null
  return { stamp: `${folder.ino}:${folder.ctimeNs}`, racy: Date.now() - Number(folder.ctimeNs / 1_000_000n) < racyMs }
}

/** The mark to keep after a full walk that saw these writers; null when the folder is too fresh to trust. */
export function markOf(folder: FolderStamp, live: string[]): string | null {
  return folder.racy ? null : [folder.stamp, ...live].join(' ')
}

/** The ids whose writer was live when `mark` was made, if the folder is still as it was then; null otherwise. */
export function liveSince(mark: string | null | undefined, folder: FolderStamp): string[] | null {
  if (!mark) return null
  const [kept, ...live] = mark.split(' ')
  return kept === folder.stamp ? live : null
}

/** The session id of a writer's lock folder name, if `name` is one. */
export function lockedId(name: string): string | undefined {
  if (!name.endsWith(LOCK_SUFFIX)) return undefined
  const id = name.slice(0, -LOCK_SUFFIX.length)
  return isSessionId(id) ? id : undefined
}
