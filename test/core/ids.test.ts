import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codeOf } from '../helpers.js'
import { assertSessionId, idTime, isSessionId, newId } from '../../lib/core/ids.js'

const CROCKFORD = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/


test('newId: 26 characters of upper-case Crockford base32', () => {
  for (let i = 0; i < 1000; i++) {
    const id = newId()
    assert.equal(id.length, 26)
    assert.match(id, CROCKFORD)
    assert.equal(isSessionId(id), true)
  }
})

test('newId: ids made in a burst (same millisecond) are strictly increasing and unique', () => {
  const ids = Array.from({ length: 5000 }, () => newId())
  // 5000 ids take well under the many milliseconds it would need for every id to get its own.
  const times = new Set(ids.map(id => id.slice(0, 10)))
  assert.ok(times.size < ids.length, 'some ids share a millisecond')
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`)
  assert.equal(new Set(ids).size, ids.length)
  assert.deepEqual([...ids].sort(), ids)
})

test('idTime: the time encoded in an id is the time it was made', () => {
  const before = Date.now()
  const id = newId()
  const after = Date.now()
  const ms = Date.parse(idTime(id))
  // Monotonic ids may run ahead of the clock only if earlier ids overflowed a millisecond: never by much.
  assert.ok(ms >= before - 1 && ms <= after + 1000, `${idTime(id)} between ${before} and ${after}`)
  assert.equal(idTime('00000000000000000000000000'), '1970-01-01T00:00:00.000Z')
  assert.equal(idTime('0000000001' + '0'.repeat(16)), '1970-01-01T00:00:00.001Z')
})

test('assertSessionId returns a valid id unchanged', () => {
  const id = newId()
  assert.equal(assertSessionId(id), id)
})

test('assertSessionId refuses path tricks, wrong case, wrong length, NUL and non-strings', () => {
  const good = newId()
  const bad: unknown[] = [
    '../../etc/passwd',
    `../${good.slice(3)}`,
    `${good.slice(0, 25)}/`,
    good.toLowerCase(),
    good.slice(0, 25),
    `${good}A`,
    `${good.slice(0, 25)}\0`,
    `${good}\0`,
    `${good.slice(0, 25)}I`, // I, L, O, U are not Crockford digits
    `${good.slice(0, 25)}U`,
    `8${good.slice(1)}`, // first digit above 7 overflows 48 bits
    '',
    ' '.repeat(26),
    undefined,
    null,
    42,
    { toString: () => good },
  ]
  for (const id of bad) {
    assert.equal(isSessionId(id), false, `isSessionId(${JSON.stringify(id)})`)
    assert.equal(codeOf(() => assertSessionId(id)), 'ERR_INVALID_ID', `assertSessionId(${JSON.stringify(id)})`)
  }
})
