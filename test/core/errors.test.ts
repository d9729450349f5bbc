import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ConfigInvalidError, ConfigParseError, CorruptLogError, errorKind, EventTooLargeError, InvalidEventError, InvalidExportError, InvalidImportError,
  InvalidIdError, InvalidQueryError, JournalError, SearchUnavailableError, SessionClosedError, SessionExistsError, SessionLockedError, SessionNotFoundError,
  ShareDisabledError, ShareFailedError, UsageError, WriteFailedError, type ErrorCode, type ErrorContext, type ErrorKind,
} from '../../lib/core/errors.js'

/** Every ErrorCode (a Record: a code added to the type and not here fails to compile) and its kind. */
const KIND: Record<ErrorCode, ErrorKind> = {
  ERR_USAGE: 'usage',
  ERR_INVALID_ID: 'usage',
  ERR_SESSION_NOT_FOUND: 'not-found',
  ERR_SESSION_LOCKED: 'locked',
  ERR_CORRUPT_LOG: 'damaged',
  ERR_SESSION_EXISTS: 'failed',
  ERR_SESSION_CLOSED: 'failed',
  ERR_INVALID_EVENT: 'failed',
  ERR_EVENT_TOO_LARGE: 'failed',
  ERR_WRITE_FAILED: 'failed',
  ERR_INVALID_EXPORT: 'failed',
  ERR_INVALID_IMPORT: 'failed',
  ERR_CONFIG_PARSE: 'failed',
  ERR_CONFIG_INVALID: 'failed',
  ERR_SHARE_DISABLED: 'failed',
  ERR_SHARE_FAILED: 'failed',
  ERR_INVALID_QUERY: 'usage',
  ERR_SEARCH_UNAVAILABLE: 'failed',
}

/** The subclass for every code: each is what the library throws for it. */
const CLASSES: Record<ErrorCode, new (message: string, context?: ErrorContext) => JournalError> = {
  ERR_USAGE: UsageError,
  ERR_INVALID_ID: InvalidIdError,
  ERR_SESSION_NOT_FOUND: SessionNotFoundError,
  ERR_SESSION_LOCKED: SessionLockedError,
  ERR_CORRUPT_LOG: CorruptLogError,
  ERR_SESSION_EXISTS: SessionExistsError,
  ERR_SESSION_CLOSED: SessionClosedError,
  ERR_INVALID_EVENT: InvalidEventError,
  ERR_EVENT_TOO_LARGE: EventTooLargeError,
  ERR_WRITE_FAILED: WriteFailedError,
  ERR_INVALID_EXPORT: InvalidExportError,
  ERR_INVALID_IMPORT: InvalidImportError,
  ERR_CONFIG_PARSE: ConfigParseError,
  ERR_CONFIG_INVALID: ConfigInvalidError,
  ERR_SHARE_DISABLED: ShareDisabledError,
  ERR_SHARE_FAILED: ShareFailedError,
  ERR_INVALID_QUERY: InvalidQueryError,
  ERR_SEARCH_UNAVAILABLE: SearchUnavailableError,
}

test('errorKind: the kind of every ErrorCode', () => {
  for (const [code, kind] of Object.entries(KIND)) assert.equal(errorKind(code), kind, code)
})

test('errorKind: codes it does not know are failed, whatever their name', () => {
  for (const code of ['', 'ERR_NOPE', 'err_usage', 'ERR_USAGE ', 'ENOENT', 'ERR_UNEXPECTED',
    'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    assert.equal(errorKind(code), 'failed', JSON.stringify(code))
  }
})

test('JournalError: each subclass carries its code, its kind, its name and the context given', () => {
  const cause = new Error('root cause')
  for (const [code, Class] of Object.entries(CLASSES)) {
    const error = new Class('something went wrong', { id: 'S', path: '/p', line: 3, column: 4, offset: 5, cause })
    assert.ok(error instanceof JournalError && error instanceof Error, code)
    assert.equal(error.code, code)
    assert.equal(error.kind, KIND[code as ErrorCode], code)
    assert.equal(error.name, Class.name)
    assert.equal(error.message, 'something went wrong')
    assert.deepEqual([error.id, error.path, error.line, error.column, error.offset, error.cause], ['S', '/p', 3, 4, 5, cause])
    const bare = new Class('bare')
    assert.deepEqual([bare.id, bare.path, bare.line, bare.column, bare.offset, bare.cause], Array(6).fill(undefined), `${code}: absent context stays undefined`)
    assert.equal('cause' in bare, false, `${code}: no cause unless one was given`)
  }
  assert.equal(new ShareFailedError('x', { status: 502 }).status, 502)
  assert.equal(new ShareFailedError('x').status, undefined)
})

test('JournalError.kind: follows the code, for the base class too', () => {
  for (const [code, kind] of Object.entries(KIND)) assert.equal(new JournalError(code as ErrorCode, 'm').kind, kind, code)
  assert.equal(new JournalError('ERR_SOMETHING_NEW' as ErrorCode, 'm').kind, 'failed')
  assert.equal(new JournalError('constructor' as ErrorCode, 'm').kind, 'failed')
})
