/**
 * What an import run reports: the sessions it wrote, updated or left, what failed and why, and
 * the damage it read around. A failure names the source, never the journal's own files.
 */
import { JournalError } from '../core/errors.js'
import type { ImportProblem, PeerTool } from './peer.js'

/** One session of the source and the journal session that holds it. */
export interface ImportedSession {
  /** The journal session id. */
  id: string
  /** The session's id in the other tool. */
  originId: string
  /** The file it was read from. */
  path: string
  /** Events written in this run (header and origin events not counted); 0 for skipped ones. */
  events: number
}

export interface ImportFailure {
  path: string
  /** The session's id in the other tool, when the failure is one session's rather than the unit's. */
  originId?: string
  line?: number
  code: string
  message: string
}

export interface ImportFromResult {
  tool: PeerTool
  /** New journal sessions. */
  imported: ImportedSession[]
  /** Known sessions whose source had grown or changed: only the difference was appended. */
  updated: ImportedSession[]
  /** Known sessions whose source had not changed: nothing written. */
  skipped: ImportedSession[]
  failed: ImportFailure[]
  /** Damage inside sources that were imported as far as they could be. */
  problems: ImportProblem[]
}

export function failure(where: string, error: unknown, originId?: string): ImportFailure {
  const e = error as { code?: unknown, message?: unknown, path?: unknown, line?: unknown }
  const code = typeof e?.code === 'string' ? e.code : 'ERR_UNEXPECTED'
  return {
    // A session's failure names its source; the log a lock or a write is about is the journal's business.
    path: originId === undefined && error instanceof JournalError && error.path !== undefined ? error.path : where,
    ...(originId === undefined ? {} : { originId }),
    ...(originId === undefined && error instanceof JournalError && error.line !== undefined ? { line: error.line } : {}),
    code,
    message: typeof e?.message === 'string' ? e.message : String(error),
  }
}
