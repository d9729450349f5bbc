import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { rejectsWith, tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'
import type { ExportDocument } from '../../lib/export/export.js'
import type { JournalEvent } from '../../lib/core/types.js'

function setup(t: TestContext): { j: Journal, project: string, configDir: string } {
  const dir = tempDir(t)
  const configDir = path.join(dir, 'config')
  fs.mkdirSync(configDir)
  return { j: new Journal({ root: path.join(dir, 'root'), fsync: 'never', configDir, env: {} }), project: path.join(dir, 'app'), configDir }
}

/** A session whose usage events carry the given times (written through import, which keeps ts). */
async function sessionAt(j: Journal, project: string, usages: Array<{ ts: string, key: string, model?: string, input?: number, cost?: number }>): Promise<string> {
  const s = await j.create({ project })
  await s.close()
  const doc = await j.export(s.id, { events: true })
  const events = doc.events as JournalEvent[]
  for (const u of usages) {
    events.push({ seq: events.length, ts: u.ts, type: 'usage', key: u.key, model: u.model ?? 'm', input: u.input ?? 1, output: 0, ...(u.cost === undefined ? {} : { cost: u.cost }) })
  }
  await j.delete(s.id)
  return j.import(doc)
}

const days = (r: { rows: Array<{ group: string, input: number }> }) => r.rows.map(row => [row.group, row.input])

test('usage by day follows the time zone, across midnight and a DST change', async t => {
  const { j, project } = setup(t)
  await sessionAt(j, project, [
    { ts: '2026-03-28T18:29:00.000Z', key: 'a', input: 1 },    // Kolkata 23:59 on the 28th
    { ts: '2026-03-28T18:30:00.000Z', key: 'b', input: 2 },    // Kolkata 00:00 on the 29th
    { ts: '2026-03-28T22:59:00.000Z', key: 'c', input: 4 },    // Berlin 23:59 CET on the 28th
    { ts: '2026-03-28T23:00:00.000Z', key: 'd', input: 8 },    // Berlin 00:00 on the 29th (DST starts at 01:00Z)
    { ts: '2026-03-29T21:59:00.000Z', key: 'e', input: 16 },   // Berlin 23:59 CEST on the 29th
    { ts: '2026-03-29T22:00:00.000Z', key: 'f', input: 32 },   // Berlin 00:00 on the 30th
  ])
  assert.deepEqual(days(await j.usage({ by: 'day', timeZone: 'UTC' })), [['2026-03-28', 15], ['2026-03-29', 48]])
  assert.deepEqual(days(await j.usage({ by: 'day', timeZone: 'Europe/Berlin' })), [['2026-03-28', 7], ['2026-03-29', 24], ['2026-03-30', 32]])
  assert.deepEqual(days(await j.usage({ by: 'day', timeZone: 'Asia/Kolkata' })), [['2026-03-28', 1], ['2026-03-29', 14], ['2026-03-30', 48]])
  // The 29th is a Sunday: ISO weeks start on Monday.
  assert.deepEqual(days(await j.usage({ by: 'week', timeZone: 'Europe/Berlin' })), [['2026-W13', 31], ['2026-W14', 32]])
  assert.deepEqual(days(await j.usage({ by: 'month', timeZone: 'Europe/Berlin' })), [['2026-03', 63]])
  // Day bounds are the zone's days, inclusive.
  assert.deepEqual(days(await j.usage({ by: 'day', timeZone: 'Europe/Berlin', since: '2026-03-29', until: '2026-03-29' })), [['2026-03-29', 24]])
  const total = (await j.usage({ timeZone: 'Europe/Berlin' })).total
  assert.equal(total.input, 63)
  assert.equal(total.events, 6)
})

test('usage: host cost wins, the price table prices the rest, and a model without a price is unknown, not 0', async t => {
  const { j, project, configDir } = setup(t)
  fs.writeFileSync(path.join(configDir, 'config.jsonc'), '{\n  // USD per million tokens\n  "prices": { "a": { "input": 2, "output": 10 } }\n}\n')
  const s = await j.create({ project })
  await s.usage({ key: '1', model: 'a', input: 1_000_000, output: 100_000 })             // 2 + 1 = 3 USD from the table
  await s.usage({ key: '2', model: 'a', input: 5, output: 5, cost: 0.5 })                 // the host's cost, not the table's
  await s.usage({ key: '3', model: 'b', input: 7, output: 7 })                            // no price: unknown
  await s.usage({ key: '4', model: 'c', input: 1, output: 1, cost: 2, currency: 'EUR' })
  await s.close()
  const report = await j.usage({ by: 'model' })
  const byModel = Object.fromEntries(report.rows.map(r => [r.group, { cost: r.cost, unknown: r.costUnknown }]))
  assert.deepEqual(byModel, {
    a: { cost: { USD: 3.5 }, unknown: false },
    b: { cost: {}, unknown: true },
    c: { cost: { EUR: 2 }, unknown: false },
  })
  assert.deepEqual(report.total.cost, { USD: 3.5, EUR: 2 })
  assert.equal(report.total.costUnknown, true)
  const [session] = (await j.usage({ by: 'session' })).rows
  assert.equal(session!.group, s.id)
  assert.deepEqual(session!.models, ['a', 'b', 'c'])
})

test('usage: a bad price is ERR_CONFIG_INVALID with its line and column', async t => {
  const { j, configDir } = setup(t)
  fs.writeFileSync(path.join(configDir, 'config.jsonc'), '{\n  "prices": {\n    "a": { "input": 2, "output": -1 }\n  }\n}\n')
  const error = await rejectsWith(j.usage(), 'ERR_CONFIG_INVALID')
  assert.match(error.message, /config\.jsonc:3:34: prices\["a"\]\.output must be a non-negative number/)
})

test('usage: an unknown time zone or group is ERR_USAGE', async t => {
  const { j } = setup(t)
  await rejectsWith(j.usage({ timeZone: 'Mars/Olympus' }), 'ERR_USAGE')
  await rejectsWith(j.usage({ by: 'year' as never }), 'ERR_USAGE')
  await rejectsWith(j.usage({ since: 'last tuesday' }), 'ERR_USAGE')
})

test('export carries the usage events and totals; import (raw events or re-expressed) round-trips them', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project })
  await s.message({ id: 'm', role: 'assistant' })
  await s.usage({ key: 'r1', messageId: 'm', model: 'a', provider: 'p', input: 10, output: 3, reasoning: 1, cacheRead: 4, cacheWrite: 2, cost: 0.25 })
  await s.usage({ key: 'r1', messageId: 'm', model: 'a', input: 10, output: 3 })
  await s.usage({ key: 'r2', model: 'b', input: 1, output: 1 })
  await s.close()
  const original = await j.read(s.id)
  for (const events of [true, false]) {
    const doc: ExportDocument = JSON.parse(JSON.stringify(await j.export(s.id, { events })))
    assert.deepEqual(doc.info.usage, original.info.usage)
    const copy = await j.read(await j.import(doc, { newId: true }))
    assert.deepEqual(copy.info.usage, original.info.usage, `events: ${events}`)
    assert.deepEqual(copy.info.meta.events.filter(e => e.type === 'usage'), original.info.meta.events.filter(e => e.type === 'usage'))
  }
  const bad = await j.export(s.id, { events: true })
  ;(bad.events![3] as Record<string, unknown>).input = -1
  const error = await rejectsWith(j.import(bad, { newId: true }), 'ERR_INVALID_EXPORT')
  assert.match(error.message, /events\[3\]\.input must be >= 0/)
})
