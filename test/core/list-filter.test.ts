import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { rejectsWith, tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'
import { run } from '../cli/helpers.js'
import { sessionAt } from '../sessions.js'

const day = (d: number, h = 12) => new Date(Date.UTC(2026, 0, d, h)).toISOString()

/** Three sessions: one of Jan 1, one from Jan 3 to Jan 5, one of Jan 9. */
async function setup(t: import('node:test').TestContext) {
  const root = path.join(tempDir(t), 'root')
  const j = new Journal({ root, fsync: 'never' })
  const ids: string[] = []
  for (const [from, to] of [[1, 1], [3, 5], [9, 9]] as const) ids.push(await sessionAt(j, path.join(root, '..', 'p'), day(from), day(to), `from ${from} to ${to}`))
  return { root, j, ids }
}

test('list(): since keeps sessions updated since, until those created before; limit comes last', async t => {
  const { j } = await setup(t)
  const titles = async (options: Parameters<Journal['list']>[0]) => (await j.list(options)).map(r => r.title)
  assert.deepEqual(await titles({ since: '2026-01-04T00:00:00Z' }), ['from 9 to 9', 'from 3 to 5'])
  assert.deepEqual(await titles({ until: '2026-01-04T00:00:00Z' }), ['from 3 to 5', 'from 1 to 1'])
  assert.deepEqual(await titles({ since: '2026-01-02T00:00:00Z', until: '2026-01-06T00:00:00Z' }), ['from 3 to 5'])
  assert.deepEqual(await titles({ since: '2026-01-02T00:00:00Z', limit: 1 }), ['from 9 to 9'])
  // A span back from now: every fixture session is older than a week.
  assert.deepEqual(await titles({ since: '7d' }), [])
  await rejectsWith(j.list({ since: 'last week' }), 'ERR_USAGE')
})

test('list --since/--until/-n: the same filters on the command line', async t => {
  const { root } = await setup(t)
  const r = await run(['list', '--since', '2026-01-02T00:00:00Z', '--until', '2026-01-30T00:00:00Z', '-n', '1', '--json'], { root })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).map((row: { title: string }) => row.title), ['from 9 to 9'])
  const bad = await run(['list', '--until', 'soon', '--json'], { root })
  assert.equal(bad.code, 2)
  assert.equal(JSON.parse(bad.stderr).error.code, 'ERR_USAGE')
})
