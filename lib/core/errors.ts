/**
 * One error base class, one subclass per failure a caller can act on.
 * Callers (and tests) match `code`, never the message text.
 */

/** Every code a JournalError can carry: stable, documented in docs/api.md. */
export type ErrorCode =
  | 'ERR_USAGE' | 'ERR_INVALID_ID'
  | 'ERR_SESSION_NOT_FOUND' | 'ERR_SESSION_EXISTS' | 'ERR_SESSION_LOCKED' | 'ERR_SESSION_CLOSED'
  | 'ERR_CORRUPT_LOG' | 'ERR_INVALID_EVENT' | 'ERR_EVENT_TOO_LARGE' | 'ERR_WRITE_FAILED'
  | 'ERR_INVALID_EXPORT' | 'ERR_INVALID_IMPORT' | 'ERR_CONFIG_PARSE' | 'ERR_CONFIG_INVALID'
  | 'ERR_SHARE_DISABLED' | 'ERR_SHARE_FAILED'
  | 'ERR_INVALID_QUERY' | 'ERR_SEARCH_UNAVAILABLE'

/**
 * What a caller does about an error: fix the call ('usage'), look elsewhere ('not-found'),
 * wait for the other writer ('locked'), repair or read around the log ('damaged'), or read
 * the message ('failed'). The CLI's exit codes follow the kind.
 */
export type ErrorKind = 'usage' | 'not-found' | 'locked' | 'damaged' | 'failed'

const KINDS: Partial<Record<ErrorCode, ErrorKind>> = {
  ERR_USAGE: 'usage',
  ERR_INVALID_ID: 'usage',
  ERR_SESSION_NOT_FOUND: 'not-found',
  ERR_SESSION_LOCKED: 'locked',
  ERR_CORRUPT_LOG: 'damaged',
  ERR_INVALID_QUERY: 'usage',
}

export function errorKind(code: string): ErrorKind {
  // Own keys only: 'toString' or 'constructor' must not find Object.prototype's.
  return Object.hasOwn(KINDS, code) ? KINDS[code as ErrorCode]! : 'failed'
}

export interface ErrorContext {
  /** Session id the error is about. */
  id?: string
  /** File the error is about. */
  path?: string
  /** 1-based line number in `path`. */
  line?: number
  /** 1-based column, for config files. */
  column?: number
  /** Byte offset from the start of `path`; for ERR_INVALID_QUERY, the index in the query string. */
  offset?: number
  cause?: unknown
}

export class JournalError extends Error {
  readonly code: ErrorCode
  readonly id?: string
  readonly path?: string
  readonly line?: number
  readonly column?: number
  readonly offset?: number

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause })
    this.name = this.constructor.name
    this.code = code
    if (context.id !== undefined) this.id = context.id
    if (context.path !== undefined) this.path = context.path
    if (context.line !== undefined) this.line = context.line
    if (context.column !== undefined) this.column = context.column
    if (context.offset !== undefined) this.offset = context.offset
  }

  get kind(): ErrorKind {
    return errorKind(this.code)
  }
}

/** An id that is not a valid ULID (or project id) never reaches a path. */
export class InvalidIdError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_INVALID_ID', message, context) }
}

export class SessionNotFoundError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_SESSION_NOT_FOUND', message, context) }
}

export class SessionExistsError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_SESSION_EXISTS', message, context) }
}

/** Another writer (this or another process) holds the session. */
export class SessionLockedError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_SESSION_LOCKED', message, context) }
}

/** Append after `close()`, or after the writer gave up because of an earlier failure. */
export class SessionClosedError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_SESSION_CLOSED', message, context) }
}

/** A damaged line (strict reads), or a file that is not a session log at all. */
export class CorruptLogError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_CORRUPT_LOG', message, context) }
}

/** An event that is not plain JSON, a part without type, a role outside the set. Nothing was written. */
export class InvalidEventError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_INVALID_EVENT', message, context) }
}

/** The serialized event is larger than `maxLineBytes`. Nothing was written. */
export class EventTooLargeError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_EVENT_TOO_LARGE', message, context) }
}

/** The operating system refused a write or sync (ENOSPC, EIO, ...). `cause` holds the system error. */
export class WriteFailedError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_WRITE_FAILED', message, context) }
}

export class InvalidExportError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_INVALID_EXPORT', message, context) }
}

/** A file given to an importer is not that tool's format; nothing of it was written. */
export class InvalidImportError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_INVALID_IMPORT', message, context) }
}

export class ConfigParseError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_CONFIG_PARSE', message, context) }
}

export class ConfigInvalidError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_CONFIG_INVALID', message, context) }
}

export class ShareDisabledError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_SHARE_DISABLED', message, context) }
}

/** The share server or provider failed (network, HTTP status). */
export class ShareFailedError extends JournalError {
  readonly status?: number
  constructor(message: string, context: ErrorContext & { status?: number } = {}) {
    super('ERR_SHARE_FAILED', message, context)
    if (context.status !== undefined) this.status = context.status
  }
}

/** A search query that cannot be searched for; `offset` is where in the query string (0-based). */
export class InvalidQueryError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_INVALID_QUERY', message, context) }
}

/** Search needs the optional package better-sqlite3, and it is missing or does not load here. */
export class SearchUnavailableError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_SEARCH_UNAVAILABLE', message, context) }
}

/** Wrong arguments to the API or the CLI. */
export class UsageError extends JournalError {
  constructor(message: string, context: ErrorContext = {}) { super('ERR_USAGE', message, context) }
}

/** Node's system errors carry a string `code`; this narrows to them. */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string'
}

/** `true` for a missing file: the one failure that is a value, not an error. */
export function isNotFound(error: unknown): boolean {
  return isErrnoException(error) && error.code === 'ENOENT'
}
