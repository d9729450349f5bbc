/** `session-journal usage`: the table, TSV and JSON of journal.usage(), through main(). */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import type { OpenSession } from '../../lib/core/session.js'
import { costText } from '../../lib/cli/usage.js'
import { tempDir } from '../helpers.js'
import { journalIn } from '../sessions.js'
import { run } from './helpers.js'

async function corpus(t: TestContext) {
  const { journal, root, project } = journalIn(t)
  const configDir = tempDir(t, 'sj-config-')
  // Per million tokens: 1M input = 3 USD, 1M output = 15 USD.
  fs.writeFileSync(path.join(configDir, 'config.jsonc'), '{ "prices": { "m-priced": { "input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75 } } }\n')
  const s = await journal.create({ project }) as OpenSession
  const usage = (key: string, ts: string, body: Record<string, unknown>) => s.record({ type: 'usage', key, model: 'm-host', input: 0, output: 0, ...body }, ts)
  await usage('r1', '2026-03-01T23:30:00.000Z', { input: 1000, output: 200, cost: 0.5, currency: 'USD' })
  await usage('r1', '2026-03-01T23:31:00.000Z', { input: 1000, output: 200, cost: 0.5, currency: 'USD' }) // a retried append: once
  await usage('r2', '2026-03-02T10:00:00.000Z', { model: 'm-priced', input: 1_000_000, output: 100_000 })
  await usage('r3', '2026-03-02T11:00:00.000Z', { model: 'm-unknown', input: 10, output: 5 })
  await s.close()
  return { root, env: { SESSION_JOURNAL_CONFIG_DIR: configDir } }
}

test('usage --by day: one row a day in the time zone, a key counted once, a total line; TSV and --json agree', async t => {
  const { root, env } = await corpus(t)
  const tty = await run(['usage'], { root, env, isTTY: true, timeZone: 'UTC' })
  assert.equal(tty.code, 0, tty.stderr)
  const lines = tty.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^DAY +EVENTS +INPUT +OUTPUT +REASONING +CACHE READ +CACHE WRITE +COST +MODELS$/)
  assert.match(lines[1]!, /^2026-03-01 +1 +1,000 +200 +0 +0 +0 +0\.5000 USD +m-host$/)
  assert.match(lines[2]!, /^2026-03-02 +2 +1,000,010 +100,005 +0 +0 +0 +4\.5000 USD \+\? +m-priced,m-unknown$/)
  assert.match(lines[3]!, /^total +3 +1,001,010 +100,205 +0 +0 +0 +5\.0000 USD \+\?$/)
  // In Tokyo (+09:00) the first request falls on March 2nd.
  const tokyo = await run(['usage', '--json'], { root, env, timeZone: 'Asia/Tokyo' })
  const report = JSON.parse(tokyo.stdout) as { timeZone: string, rows: Array<{ group: string, events: number }> }
  assert.equal(report.timeZone, 'Asia/Tokyo')
  assert.deepEqual(report.rows.map(r => [r.group, r.events]), [['2026-03-02', 3]])
  const tsv = await run(['usage', '--by', 'model'], { root, env, timeZone: 'UTC' })
  assert.deepEqual(tsv.stdout.trimEnd().split('\n').map(line => line.split('\t')[0] + ':' + line.split('\t')[7]).sort(),
    ['m-host:0.5000 USD', 'm-priced:4.5000 USD', 'm-unknown:?'])
})

test('usage: --since/--until bound the days; a bad --by or date is a usage error (exit 2)', async t => {
  const { root, env } = await corpus(t)
  const only = JSON.parse((await run(['usage', '--since', '2026-03-02', '--until', '2026-03-02', '--json'], { root, env, timeZone: 'UTC' })).stdout) as { rows: Array<{ group: string }> }
  assert.deepEqual(only.rows.map(r => r.group), ['2026-03-02'])
  const empty = await run(['usage', '--since', '2027-01-01'], { root, env, timeZone: 'UTC' })
  assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, '', 'no usage recorded in that range\n'])
  for (const argv of [['usage', '--by', 'hour'], ['usage', '--since', 'yesterday-ish']]) {
    const r = await run([...argv, '--json'], { root, env })
    assert.equal(r.code, 2, argv.join(' '))
    assert.equal(JSON.parse(r.stderr).error.code, 'ERR_USAGE')
  }
})

test('costText: known part, unknown marker, several currencies', () => {
  assert.equal(costText({ cost: {}, costUnknown: false }), '0')
  assert.equal(costText({ cost: {}, costUnknown: true }), '?')
  assert.equal(costText({ cost: { USD: 1.5, EUR: 0.25 }, costUnknown: true }), '0.2500 EUR, 1.5000 USD +?')
})
