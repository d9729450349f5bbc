import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codeOf } from '../helpers.js'
import { timeBound } from '../../lib/core/when.js'

const now = Date.UTC(2026, 2, 10, 12, 0, 0)
const utcDay = (day: string, plus: number) => Date.parse(`${day}T00:00:00Z`) + plus * 86_400_000

test('timeBound: spans back from now, days (start, or end with end: true) and ISO times', () => {
  assert.equal(timeBound('30m', 'since', { now }), now - 30 * 60_000)
  assert.equal(timeBound('12h', 'since', { now }), now - 12 * 3_600_000)
  assert.equal(timeBound('7d', 'since', { now }), now - 7 * 86_400_000)
  assert.equal(timeBound('2w', 'since', { now }), now - 14 * 86_400_000)
  assert.equal(timeBound('2026-03-01', 'since', { dayStart: utcDay }), Date.UTC(2026, 2, 1))
  assert.equal(timeBound('2026-03-01', 'until', { end: true, dayStart: utcDay }), Date.UTC(2026, 2, 2))
  assert.equal(timeBound('2026-03-01T10:00:00+02:00', 'since'), Date.UTC(2026, 2, 1, 8))
  assert.equal(timeBound('2026-03-01T10:00Z', 'since'), Date.UTC(2026, 2, 1, 10))
})

test('timeBound: anything else is ERR_USAGE', () => {
  for (const bad of ['', '7', '7y', 'last tuesday', '2026-02-30', '2026-13-01', '2026-03-01T10:00', 'May 3', '-7d']) {
    assert.equal(codeOf(() => timeBound(bad, 'since', { now })), 'ERR_USAGE', bad)
  }
  assert.equal(codeOf(() => timeBound(7 as unknown as string, 'since')), 'ERR_USAGE')
})
