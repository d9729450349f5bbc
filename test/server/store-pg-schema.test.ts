/** Which driver errors are "the database cannot be reached" (503, retried) and which are not (500). Migrations run against a real server in store-pg.test.ts. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isUnavailable, storeError } from '../../lib/server/store-pg-schema.js'
import { StoreUnavailableError } from '../../lib/server/share-store.js'

const withCode = (message: string, code?: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code })

test('connection failures, shutdowns, overload and cancelled statements are unavailable; bugs and bad data are not', () => {
  const unavailable = [
    withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    withCode('connect ENOENT /tmp/x/.s.PGSQL.5432', 'ENOENT'),
    withCode('write EPIPE', 'EPIPE'),
    withCode('read ECONNRESET', 'ECONNRESET'),
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('connection failure', '08006'),
    withCode('sorry, too many clients already', '53300'),
    withCode('canceling statement due to statement timeout', '57014'),
    withCode('Connection terminated unexpectedly'),
    withCode('timeout exceeded when trying to connect'),
    withCode('Query read timeout'),
    new StoreUnavailableError('already known'),
  ]
  for (const error of unavailable) assert.equal(isUnavailable(error), true, error.message)
  const not = [
    withCode('duplicate key value violates unique constraint', '23505'),
    withCode('syntax error at or near "x"', '42601'),
    withCode('invalid input syntax for type timestamp with time zone', '22007'),
    new TypeError("Cannot read properties of undefined (reading 'rows')"),
    'a string',
    undefined,
    { code: 'ECONNREFUSED', message: 'not an Error' },
  ]
  for (const error of not) assert.equal(isUnavailable(error), false, String((error as Error | undefined)?.message ?? error))
})

test('storeError wraps what is unavailable as StoreUnavailableError (cause kept) and leaves the rest as it was', () => {
  const refused = withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')
  const wrapped = storeError(refused)
  assert.ok(wrapped instanceof StoreUnavailableError)
  assert.equal(wrapped.cause, refused)
  assert.match(wrapped.message, /cannot be reached: connect ECONNREFUSED/)
  const known = new StoreUnavailableError('x')
  assert.equal(storeError(known), known)
  const bug = new TypeError('x')
  assert.equal(storeError(bug), bug)
})
