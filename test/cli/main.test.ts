import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { COMMANDS } from '../../lib/cli/commands.js'
import { Journal } from '../../lib/journal.js'
import { ndjsonLines, run } from './helpers.js'
import { tempDir } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'

const MISSING = '01ARZ3NDEKTSV4RRFFQ69G5FAV'

test('every command has --help on stdout, exit 0; help <command> is the same', async t => {
  const { root } = journalIn(t)
  for (const command of COMMANDS) {
    const r = await run([command.name, '--help'], { root })
    assert.equal(r.code, 0, command.name)
    assert.match(r.stdout, new RegExp(`^Usage: session-journal ${command.name}`))
    assert.match(r.stdout, /--json/)
    assert.equal(r.stderr, '')
    assert.equal((await run(['help', command.name], { root })).stdout, r.stdout)
  }
  const general = await run(['--help'], { root })
  assert.equal(general.code, 0)
  for (const command of COMMANDS) assert.match(general.stdout, new RegExp(`\\n  ${command.name} `))
  const none = await run([], { root })
  assert.equal(none.code, 2)
  assert.equal(none.stdout, '')
  assert.match(none.stderr, /^Usage:/)
  assert.match((await run(['--version'], { root })).stdout, /^\d+\.\d+\.\d+\n$/)
  assert.equal(fs.existsSync(root), false, 'help never creates the root')
})

test('unknown commands and flags: what is wrong, a --help hint, exit 2, nothing on stdout', async t => {
  const { root } = journalIn(t)
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"\nRun 'session-journal --help'/],
    [['help', 'frobnicate'], /unknown command "frobnicate"/],
    [['list', '--bogus'], /list: Unknown option '--bogus'\nRun 'session-journal list --help' for usage/],
    [['list', '--limit'], /list: Option '-n, --limit <value>' argument missing/],
    [['list', '--limit', 'many'], /--limit must be a whole number/],
    [['list', '--all', '--project', '.'], /--project and --all cannot be used together/],
    [['list', 'extra'], /unexpected argument "extra"/],
    [['show'], /show: missing argument/],
    [['export', MISSING, '--frob'], /export: Unknown option '--frob'/],
    [['tail', MISSING, '-n', 'x'], /tail: --lines must be a whole number >= 0, got "x"/],
    [['verify'], /give a session id or --all/],
    [['verify', MISSING, '--all'], /give a session id or --all/],
    [['import'], /import: missing argument/],
    [['delete', 'a', 'b'], /unexpected argument "b"/],
  ]
  for (const [argv, expected] of cases) {
    const r = await run(argv, { root })
    assert.equal(r.code, 2, argv.join(' '))
    assert.equal(r.stdout, '', argv.join(' '))
    assert.match(r.stderr, expected, argv.join(' '))
    const j = await run([...argv, '--json'], { root })
    assert.equal(j.code, 2)
    assert.equal(j.stdout, '')
    const parsed = JSON.parse(j.stderr) as { error: { code: string, message: string } }
    assert.deepEqual(Object.keys(parsed.error), ['code', 'message'])
    assert.equal(parsed.error.code, 'ERR_USAGE', argv.join(' '))
  }
})

test('a missing or invalid session id is one line naming it, exit 3 or 2, for every command taking one', async t => {
  const { root } = journalIn(t)
  for (const argv of [['show'], ['tail'], ['export'], ['verify'], ['delete'], ['export', '--out', path.join(tempDir(t), 'x.json')]]) {
    const [name, ...rest] = argv
    for (const [id, code] of [[MISSING, 'ERR_SESSION_NOT_FOUND'], ['not-an-id', 'ERR_INVALID_ID']] as const) {
      const r = await run([name!, id, ...rest], { root })
      assert.equal(r.code, code === 'ERR_SESSION_NOT_FOUND' ? 3 : 2, `${name} ${id}`)
      assert.equal(r.stdout, '')
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr)
      assert.ok(r.stderr.includes(id), r.stderr)
      const j = await run([name!, id, ...rest, '--json'], { root })
      assert.equal(JSON.parse(j.stderr).error.code, code)
      assert.equal(j.stdout, '')
    }
  }
})

test('list: current folder by default, --project, --all, --limit; TSV, table on a TTY, NDJSON', async t => {
  const { journal, root, project } = journalIn(t)
  const other = path.join(project, 'other')
  const a = await journal.create({ project, title: 'tab\there' })
  await a.message({ role: 'user', parts: [] })
  await a.close()
  const b = await journal.create({ project: other, title: 'in other' })
  await b.close()
  const c = await journal.create({ project })
  await c.close()

  const plain = await run(['list'], { root, cwd: project })
  assert.equal(plain.code, 0)
  const rows = plain.stdout.split('\n').filter(Boolean).map(line => line.split('\t'))
  assert.deepEqual(rows.map(r => r[0]), [c.id, a.id]) // newest first, this project only
  assert.deepEqual(rows[1], [a.id, project, 'tab here', rows[1]![3], rows[1]![4], '1', ''])
  assert.equal(rows[1]!.length, 7)

  assert.deepEqual(ndjsonLines((await run(['list', '--project', other, '--json'], { root })).stdout).map(r => r.id), [b.id])
  assert.deepEqual(ndjsonLines((await run(['list', '--project', 'other', '--json'], { root, cwd: project })).stdout).map(r => r.id), [b.id])
  const all = ndjsonLines((await run(['list', '--all', '--json'], { root })).stdout)
  assert.deepEqual(all.map(r => r.id), [c.id, b.id, a.id])
  assert.deepEqual(all[2], { ...(await journal.list({ project }))[1] })
  assert.equal(ndjsonLines((await run(['list', '--all', '--limit', '2', '--json'], { root })).stdout).length, 2)

  const tty = await run(['list', '--all'], { root, isTTY: true })
  const lines = tty.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^ID +UPDATED +CREATED +MSGS +TITLE +PROJECT$/)
  assert.equal(lines.length, 4)
  for (const header of ['UPDATED', 'CREATED', 'MSGS', 'TITLE']) {
    const at = lines[0]!.indexOf(header)
    for (const line of lines) assert.match(line.slice(at - 2, at + 1), /^  \S$/, `column ${header} is aligned in ${line}`)
  }
  assert.ok(lines.some(l => l.includes('(untitled)')))

  const empty = await run(['list'], { root, cwd: tempDir(t), isTTY: true })
  assert.equal(empty.stdout, '')
  assert.match(empty.stderr, /no sessions in .*--all/)
  assert.equal((await run(['list'], { root, cwd: tempDir(t) })).stdout, '')
})

test('list marks damaged sessions', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.close()
  fs.appendFileSync((await journal.locate(s.id)).path, 'garbage\n')
  assert.match((await run(['list'], { root, cwd: project, isTTY: true })).stdout, /\[damaged\]/)
  assert.match((await run(['list'], { root, cwd: project })).stdout, /\tdamaged\n$/)
})

test('show: a readable transcript; --json is the folded history', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const r = await run(['show', id], { root })
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.match(r.stdout, /^second title multi line "quoted" +sep +para/)
  assert.ok(!r.stdout.includes('\u2028'), 'separators in text become newlines')
  assert.match(r.stdout, new RegExp(`id       ${id}`))
  assert.match(r.stdout, /shared   https:\/\/share\.example\/s\/abc/)
  assert.match(r.stdout, /── user · .*──\nreplaced first message/)
  assert.match(r.stdout, /── assistant · .*──\nanswer multi\nline "quoted" \n sep \n para/)
  assert.match(r.stdout, /  \[bash\] ls -la -> done, 3 line\(s\) of output/)
  assert.match(r.stdout, /── system · .*──\n\(empty\)/)
  assert.ok(!r.stdout.includes('to be reverted'))
  const j = await run(['show', id, '--json'], { root })
  assert.deepEqual(JSON.parse(j.stdout), JSON.parse(JSON.stringify(await journal.read(id))))
  fs.appendFileSync((await journal.locate(id)).path, '{"broken\n')
  assert.match((await run(['show', id], { root })).stderr, new RegExp(`warning: session ${id} has 1 damaged line`))
})

test('delete: removes the session; a held session is refused', async t => {
  const { journal, root, project } = journalIn(t)
  const held = await journal.create({ project })
  const r = await run(['delete', held.id, '--json'], { root })
  assert.equal(r.code, 4, 'locked')
  assert.equal(JSON.parse(r.stderr).error.code, 'ERR_SESSION_LOCKED')
  await held.close()
  const ok = await run(['delete', held.id], { root })
  assert.deepEqual([ok.code, ok.stdout], [0, `deleted ${held.id}\n`])
  await assert.rejects(new Journal({ root }).locate(held.id), { code: 'ERR_SESSION_NOT_FOUND' })
  const s = await journal.create({ project })
  await s.close()
  assert.deepEqual(JSON.parse((await run(['delete', s.id, '--json'], { root })).stdout), { id: s.id, deleted: true })
})
