/** search through main(): lines for scripts, highlighted cards on a terminal, --sessions, --json, errors by kind. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { Journal } from '../../lib/index.js'
import { localTime } from '../../lib/cli/time.js'
import type { OpenSession } from '../../lib/core/session.js'
import { tempDir } from '../helpers.js'
import { run } from './helpers.js'

const at = (n: number) => new Date(Date.UTC(2024, 4, 1, 12, 0, n)).toISOString()
const ESC = '\u001b'

async function corpus(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const j = new Journal({ root, fsync: 'never' })
  const app = path.join(dir, 'app')
  const a = await j.create({ project: app, title: `Flaky ${ESC}]0;pwned${ESC}\\ tests` }) as OpenSession
  await a.record({ type: 'message', id: 'a1', role: 'user', parts: [{ id: 'p', type: 'text', text: `the flaky test\n${ESC}[2J fails on mondays` }] }, at(1))
  await a.record({ type: 'message', id: 'a2', role: 'assistant', parts: [{ id: 'p', type: 'text', text: 'fixed the flaky date test' }] }, at(2))
  await a.close()
  const b = await j.create({ project: path.join(dir, 'lib'), title: 'Other' }) as OpenSession
  await b.record({ type: 'message', id: 'b1', role: 'user', parts: [{ id: 'p', type: 'text', text: 'is this test flaky?' }] }, at(3))
  await b.close()
  return { root, dir, app, a, b }
}

test('search: one tab-separated line per hit; -n, --project, --role, --since; -word after --', async t => {
  const { root, app, a, b } = await corpus(t)
  const r = await run(['search', 'flaky', 'test', '--role', 'user'], { root, timeZone: 'UTC' })
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  const lines = r.stdout.trimEnd().split('\n').map(line => line.split('\t'))
  assert.deepEqual(lines.map(l => [l[0], l[1], l[2], l[3]]).sort(), [[a.id, 'a1', 'user', localTime(at(1), 'UTC')], [b.id, 'b1', 'user', localTime(at(3), 'UTC')]].sort())
  const a1 = lines.find(l => l[1] === 'a1')!
  assert.equal(a1[4], 'Flaky  ]0;pwned \\ tests')
  assert.equal(a1[5], 'the flaky test  [2J fails on mondays')
  assert.ok(!r.stdout.includes(ESC))

  assert.equal((await run(['search', 'flaky', '-n', '1'], { root })).stdout.trimEnd().split('\n').length, 1)
  const inApp = await run(['search', 'flaky', '--project', '.'], { root, cwd: app })
  // From a folder deep inside the project, --project alone walks up to it, as list does.
  fs.mkdirSync(path.join(app, '.git'), { recursive: true })
  fs.mkdirSync(path.join(app, 'src', 'deep'), { recursive: true })
  const fromDeep = await run(['search', 'flaky', '--project'], { root, cwd: path.join(app, 'src', 'deep') })
  assert.equal(fromDeep.stdout, inApp.stdout)
  assert.deepEqual(inApp.stdout.trimEnd().split('\n').map(l => l.split('\t')[1]).sort(), ['-', 'a1', 'a2'])
  assert.deepEqual((await run(['search', 'flaky', '--since', at(2)], { root })).stdout.trimEnd().split('\n').map(l => l.split('\t')[1]).sort(), ['-', 'a2', 'b1'])
  assert.deepEqual((await run(['search', 'flaky', '--', '-mondays', '-date'], { root })).stdout.trimEnd().split('\n').map(l => l.split('\t')[1]).sort(), ['-', 'b1'])
})

test('search on a terminal: title, project, local date, snippet with the match highlighted by our escapes only', async t => {
  const { root, app, a } = await corpus(t)
  const r = await run(['search', 'mondays'], { root, isTTY: true, timeZone: 'UTC' })
  assert.equal(r.code, 0)
  assert.equal(r.stdout, `${ESC}[1mFlaky  ]0;pwned \\ tests${ESC}[0m  ${app}  ${localTime(at(1), 'UTC')}  ${a.id}\n`
    + `  user: the flaky test  [2J fails on ${ESC}[7mmondays${ESC}[0m\n\n`)
  const none = await run(['search', 'nowhere'], { root, isTTY: true })
  assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', 'no matches\n'])
})

test('search --sessions groups hits under their session; --json prints an array', async t => {
  const { root, a, b } = await corpus(t)
  const grouped = await run(['search', 'flaky', '--sessions'], { root })
  const rows = grouped.stdout.trimEnd().split('\n').map(l => l.split('\t'))
  assert.deepEqual(rows.map(r => [r[0], r[1]]).sort(), [[a.id, '3'], [b.id, '1']].sort())
  const tty = await run(['search', 'flaky', '--sessions'], { root, isTTY: true })
  assert.equal(tty.stdout.split('\n\n').filter(Boolean).length, 2)
  assert.equal((tty.stdout.match(/\n {2}(user|assistant|title): /g) ?? []).length, 4)

  const json = await run(['search', 'flaky', 'test', '--json'], { root })
  const hits = JSON.parse(json.stdout) as Array<Record<string, unknown>>
  assert.deepEqual(hits, JSON.parse(JSON.stringify(await new Journal({ root }).search('flaky test'))))
  assert.deepEqual(Object.keys(hits[0]!), ['sessionId', 'projectId', 'projectPath', 'title', 'messageId', 'role', 'created', 'snippet', 'highlights', 'score', 'reverted'])
  const groups = JSON.parse((await run(['search', 'flaky', '--sessions', '--json'], { root })).stdout) as Array<{ sessionId: string, hits: unknown[] }>
  assert.deepEqual(groups.map(g => [g.sessionId, g.hits.length]).sort(), [[a.id, 3], [b.id, 1]].sort())
})

test('search errors: a bad query or option is a usage error (exit 2), with the offset; --json errors are JSON', async t => {
  const { root } = await corpus(t)
  const quote = await run(['search', 'flaky', '"unclosed'], { root })
  assert.equal(quote.code, 2)
  assert.match(quote.stderr, /invalid query at 6: a quote is never closed/)
  const json = await run(['search', '*', '--json'], { root })
  assert.equal(json.code, 2)
  assert.equal(JSON.parse(json.stderr).error.code, 'ERR_INVALID_QUERY')
  for (const argv of [['search', 'x', '--since', 'soon'], ['search', 'x', '--role', 'robot'], ['search', 'x', '-n', '0'], ['search']]) {
    const r = await run(argv, { root })
    assert.equal(r.code, 2, argv.join(' '))
    assert.equal(r.stdout, '')
  }
})
