/**
 * What share, unshare and delete tell their caller: the result types, and failure messages
 * that say what was done and what was not. A user whose delete failed must know whether the
 * session is gone and whether its copy is still online, without reading the code.
 */
import { ShareDisabledError } from '../core/errors.js'

export interface UnshareOptions {
  /**
   * Forget the share here without contacting its server (for a server that is gone): the
   * local record goes and `unshare` is recorded, but the copy may stay online at its link.
   */
  local?: boolean
}

/** What became of a session's published copy (unshare, delete). */
export interface UnshareResult {
  /** The copy's public link; null only when a damaged share record was forgotten and the log does not name the link either. */
  url: string | null
  /**
   * true: the server took the copy down. false: the server was not contacted (`local`) or
   * could not take it down (`delete` with `force`), so the copy may still be online at `url`.
   */
  removed: boolean
  /** Why the copy could not be taken down (`delete` with `force`). */
  error?: Error
}

/** The refusal when the config says `disabled`: what was not sent, and what stays online. */
export function sharingDisabled(id: string, source: string, record: { url: string } | undefined): ShareDisabledError {
  const why = `sharing is disabled for this project (by ${source} config)`
  return new ShareDisabledError(record
    ? `${why}: nothing was sent; the copy published before at ${record.url} stays online until it is unshared`
    : `${why}: nothing was published`, { id })
}

/**
 * Appends to a failure's message what was and was not done, keeping its class and `code`
 * (callers match the code; people read the message).
 */
export function amend(error: unknown, outcome: string): Error {
  const failure = error instanceof Error ? error : new Error(String(error))
  failure.message = `${failure.message}; ${outcome}`
  return failure
}

/** How far an unshare got before it failed. */
export interface UnshareProgress {
  /** The server took the copy down. */
  removed: boolean
  /** The local record is gone. */
  forgotten: boolean
}

/** The outcome of a failed unshare (or of the take-down a delete starts with). */
export function unshareOutcome(url: string | null, progress: UnshareProgress, deleting: boolean): string {
  const share = url === null ? 'the share' : `the share at ${url}`
  if (!progress.removed) {
    return deleting
      ? `nothing was deleted: ${share} was not taken down (retry when its server can be reached, or force the delete)`
      : `nothing was unshared: ${share} was not taken down and is still recorded here (retry when its server can be reached, or unshare locally to forget it)`
  }
  const done = progress.forgotten
    ? `${share} was taken down and its record here removed, but the log does not record the unshare`
    : `${share} was taken down, but its record here was not removed (unshare again to finish)`
  return deleting ? `${done}; the session was not deleted` : done
}

/** The outcome of a delete whose log could not be removed after its share was dealt with. */
export function deleteOutcome(share: UnshareResult): string {
  const link = share.url === null ? 'the share' : `the share at ${share.url}`
  return share.removed
    ? `${link} was taken down, but the session was not deleted`
    : `the session was not deleted, and ${link} may still be online`
}

/** The outcome of a failed local unshare (the server is never contacted). */
export function forgetOutcome(url: string | null, forgotten: boolean): string {
  const share = url === null ? 'the share' : `the share at ${url}`
  return forgotten
    ? `the record of ${share} was removed here (the server was not contacted), but the log does not record the unshare`
    : `nothing was unshared: the record of ${share} is kept`
}
