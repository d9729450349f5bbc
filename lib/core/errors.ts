/**
 * One error base class, one subclass per failure a caller can act on.
 * Callers (and tests) match `code`, never the message text.
 */

export interface ErrorContext {
  /** Session id the error is about. */
  id?: string
  /** File the error is about. */
  path?: string
  /** 1-based line number in `path`. */
  line?: number
  /** 1-based column, for config files. */
  column?: number
  /** Byte offset from the start of `path`. */
  offset?: number
  cause?: unknown
}

export class JournalError extends Error {
  readonly code: string
  readonly id?: string
  readonly path?: string
  readonly line?: number
  readonly column?: number
  readonly offset?: number

  constructor(code: string, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause })
    this.name = this.constructor.name
    this.code = code
    if (context.id !== undefined) this.id = context.id
    if (context.path !== undefined) this.path = context.path
    if (context.line !== undefined) this.line = context.line
    if (context.column !== undefined) this.column = context.column
    if (context.offset !== undefined) this.offset = context.offset
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
