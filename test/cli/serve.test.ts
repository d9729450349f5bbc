/** `serve`: where it stores by default, which flags it refuses before listening, `--store` and `serve migrate` against a real PostgreSQL. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { run } from './helpers.js'
import { tempDir } from '../helpers.js'
import { startPgCluster, type PgCluster } from '../server/pg-cluster.js'

let cluster: PgCluster
before(async () => { cluster = await startPgCluster() })
after(() => cluster?.destroy())

const document = (title: string) => ({
  format: 'session-journal', version: 1, messages: [],
  info: { id: 'x', projectId: 'p', projectPath: 'p', created: '2024-01-01T00:00:00.000Z', updated: '2024-01-01T00:00:00.000Z', title, parentId: null, share: null, meta: {} },
})

test('serve without --dir stores under <root>/share-server, the root coming from SESSION_JOURNAL_HOME', async t => {
  const root = path.join(tempDir(t, 'sj-serve-'), 'journal')
  const controller = new AbortController()
  let resolveUrl!: (url: string) => void
  const urlSeen = new Promise<string>(resolve => { resolveUrl = resolve })
  const running = run(['serve', '--port', '0', '--json'], {
    root, signal: controller.signal, onStdout: all => { if (all.includes('\n')) resolveUrl((JSON.parse(all.split('\n')[0]!) as { url: string }).url) },
  })
  t.after(() => controller.abort())
  const url = await urlSeen
  const created = await fetch(`${url}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document('kept under the root')) })
  assert.equal(created.status, 201)
  const { id } = await created.json() as { id: string }
  const store = path.join(root, 'share-server')
  assert.ok(fs.readdirSync(store).includes(`${id}.json`), fs.readdirSync(store).join(', '))
  assert.equal(fs.statSync(store).mode & 0o777, 0o700)
  controller.abort()
  assert.equal((await running).code, 0)
})

test('an invalid --port is a usage error naming the flag (exit 2, ERR_USAGE), before anything listens', async t => {
  const root = tempDir(t, 'sj-serve-')
  for (const port of ['-1', '70000', '65536', 'abc', '1.5', '', '0x10', '123456']) {
    const human = await run(['serve', `--port=${port}`], { root })
    assert.equal(human.code, 2, port)
    assert.match(human.stderr, /--port/, port)
    assert.doesNotMatch(human.stderr, /options\.port|RangeError/)
    const json = await run(['serve', `--port=${port}`, '--json'], { root })
    assert.equal(json.code, 2)
    const error = (JSON.parse(json.stderr) as { error: { code: string, message: string } }).error
    assert.equal(error.code, 'ERR_USAGE')
    assert.match(error.message, /--port/)
  }
  // As two arguments, a negative number reads like an option: still a usage error about --port.
  const separate = await run(['serve', '--port', '-1', '--json'], { root })
  assert.equal(separate.code, 2)
  assert.match((JSON.parse(separate.stderr) as { error: { message: string } }).error.message, /--port/)
  assert.deepEqual(fs.readdirSync(root), [], 'nothing was created')
})

test('--store and serve migrate refuse what does not fit, as usage errors before anything listens or connects', async t => {
  const root = tempDir(t, 'sj-serve-')
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--store', '/var/lib/shares'], /--store must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [['serve', '--store', 'mysql://x/y'], /--store must be/],
    [['serve', '--store', 'postgres://u@h/d', '--dir', 'x'], /--dir or --store, not both/],
    [['serve', '--pool-size', '4'], /--pool-size is for --store/],
    [['serve', '--store', 'postgres://u@h/d', '--pool-size', '0'], /--pool-size must be a whole number from 1/],
    [['serve', 'backup'], /unknown action "backup"/],
    [['serve', '--from', 'x'], /--from is for serve migrate/],
    [['serve', 'migrate', '--from', 'x'], /give --from DIR and --to postgres/],
    [['serve', 'migrate', '--from', 'x', '--to', 'x'], /--to must be a postgres/],
    [['serve', 'migrate', '--from', 'x', '--to', 'postgres://u@h/d', '--port', '1'], /--port is for serve/],
  ]
  for (const [argv, message] of cases) {
    const answer = await run([...argv, '--json'], { root })
    assert.equal(answer.code, 2, argv.join(' '))
    const error = (JSON.parse(answer.stderr) as { error: { code: string, message: string } }).error
    assert.equal(error.code, 'ERR_USAGE')
    assert.match(error.message, message)
  }
  assert.deepEqual(fs.readdirSync(root), [], 'nothing was created')
  // A database that cannot be reached at start: exit 1 with the store's code; the operator sees why.
  const away = await run(['serve', '--port', '0', '--json', '--store', `postgres://postgres@/x?host=${path.join(root, 'no-socket')}`], { root })
  assert.equal(away.code, 1)
  const error = (JSON.parse(away.stderr) as { error: { code: string, message: string } }).error
  assert.equal(error.code, 'ERR_STORE_UNAVAILABLE')
  assert.match(error.message, /cannot be reached/)
})

test('serve --store (or SESSION_JOURNAL_SHARE_STORE) keeps shares in PostgreSQL; serve migrate copies a disk store there, once', async t => {
  const root = path.join(tempDir(t, 'sj-serve-'), 'journal')
  const database = await cluster.createDatabase()
  // A disk store with two shares, written by a disk server.
  const controller = new AbortController()
  let resolveUrl!: (url: string) => void
  const urlSeen = new Promise<string>(resolve => { resolveUrl = resolve })
  const disk = run(['serve', '--port', '0', '--json'], {
    root, signal: controller.signal, onStdout: all => { if (all.includes('\n')) resolveUrl((JSON.parse(all.split('\n')[0]!) as { url: string }).url) },
  })
  t.after(() => controller.abort())
  const diskUrl = await urlSeen
  const ids: string[] = []
  for (const title of ['one', 'two']) {
    const created = await fetch(`${diskUrl}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document(title)) })
    ids.push((await created.json() as { id: string }).id)
  }
  controller.abort()
  assert.equal((await disk).code, 0)

  const from = path.join(root, 'share-server')
  const first = await run(['serve', 'migrate', '--from', from, '--to', database], { root })
  assert.equal(first.code, 0, first.stderr)
  assert.equal(first.stdout, '2 shares found: 2 copied, 0 already there, 0 could not be read\n')
  fs.writeFileSync(path.join(from, 'AAAAAAAAAAAAAAAAAAAAAA.json'), 'not json', { mode: 0o600 })
  const again = await run(['serve', 'migrate', '--from', from, '--to', database, '--json'], { root })
  assert.equal(again.code, 1, 'a share could not be read')
  const report = JSON.parse(again.stdout) as { failed: Array<{ id: string, error: string }> }
  assert.deepEqual({ ...report, failed: report.failed.map(f => f.id) }, { found: 3, copied: 0, existing: 2, failed: ['AAAAAAAAAAAAAAAAAAAAAA'] })
  assert.match(report.failed[0]!.error, /not a readable record/)
  const human = await run(['serve', 'migrate', '--from', from, '--to', database], { root })
  assert.match(human.stderr, /^serve migrate: AAAAAAAAAAAAAAAAAAAAAA not copied: AAAAAAAAAAAAAAAAAAAAAA\.json is not a readable record/)

  // Served from the database, chosen by the environment.
  const pgController = new AbortController()
  let resolvePg!: (line: string) => void
  const pgSeen = new Promise<string>(resolve => { resolvePg = resolve })
  const served = run(['serve', '--port', '0', '--json'], {
    root, env: { SESSION_JOURNAL_SHARE_STORE: database }, signal: pgController.signal, onStdout: all => { if (all.includes('\n')) resolvePg(all.split('\n')[0]!) },
  })
  t.after(() => pgController.abort())
  const started = JSON.parse(await pgSeen) as { url: string, store: string }
  assert.equal(started.store, 'postgres')
  for (const [i, id] of ids.entries()) {
    const answer = await fetch(`${started.url}/api/share/${id}`)
    assert.equal(((await answer.json()) as { info: { title: string } }).info.title, ['one', 'two'][i])
  }
  pgController.abort()
  assert.equal((await served).code, 0)
})
