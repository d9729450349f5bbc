import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { loadCommands } from '../../lib/cli/commands.js'
import { Journal } from '../../lib/journal.js'
import type { OpenSession } from '../../lib/core/session.js'
import { displayWidth } from '../../lib/cli/text.js'
import { run } from './helpers.js'
import { tempDir } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'

const MISSING = '01ARZ3NDEKTSV4RRFFQ69G5FAV'

/** An ISO time as human output shows it in UTC: `2024-10-01 09:40:11 +00:00`. */
const localUTC = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} +00:00`

test('every command has --help on stdout, exit 0; help <command> is the same', async t => {
  const { root } = journalIn(t)
  const COMMANDS = await loadCommands()
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
    [['list', '--limit', 'many'], /^session-journal: list: --limit must be a whole number >= 0, got many\n/],
    [['list', '--all', '--project', '.'], /--project and --all cannot be used together/],
    [['list', 'extra'], /unexpected argument "extra"/],
    [['show'], /show: missing argument/],
    [['export', MISSING, '--frob'], /export: Unknown option '--frob'/],
    [['tail', MISSING, '-n', 'x'], /tail: --lines must be a whole number >= 0, got x\n/],
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

test('every numeric option of every command: a negative or huge value names the flag and what it takes', async t => {
  const { root } = journalIn(t)
  const cases: Array<[string[], string]> = [
    [['list', '-n', '-1'], 'list: --limit must be a whole number >= 0, got -1'],
    [['list', '--limit', '-1'], 'list: --limit must be a whole number >= 0, got -1'],
    [['list', '--limit=-1'], 'list: --limit must be a whole number >= 0, got -1'],
    [['list', '-n', '-0.5'], 'list: --limit must be a whole number >= 0, got -0.5'],
    [['list', '-n', '1.5'], 'list: --limit must be a whole number >= 0, got 1.5'],
    [['list', '-n', ''], 'list: --limit must be a whole number >= 0, got ""'],
    [['list', '-n', '99999999999999999999'], 'list: --limit must be a whole number >= 0, got 99999999999999999999 (too large)'],
    [['tail', MISSING, '-n', '-1'], 'tail: --lines must be a whole number >= 0, got -1'],
    [['tail', MISSING, '--lines', '-20', '--follow'], 'tail: --lines must be a whole number >= 0, got -20'],
    [['serve', '--port', '-1'], 'serve: --port must be a whole number from 0 to 65535, got -1'],
    [['serve', '--port', '70000'], 'serve: --port must be a whole number from 0 to 65535, got 70000 (too large)'],
  ]
  for (const [argv, message] of cases) {
    const r = await run(argv, { root })
    assert.deepEqual(r, { code: 2, stdout: '', stderr: `session-journal: ${message}\nRun 'session-journal ${argv[0]} --help' for usage.\n` }, argv.join(' '))
  }
  // A value that only looks like a flag is still missing when it is one.
  assert.match((await run(['list', '-n', '--json'], { root })).stderr, /argument missing|ambiguous/)
})

/** Display columns where a cell starts: after two spaces (or at 0), measured in terminal columns. */
function columnStarts(line: string): number[] {
  const starts: number[] = []
  let column = 0
  let spaces = 2
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(line)) {
    if (segment !== ' ' && spaces >= 2) starts.push(column)
    spaces = segment === ' ' ? spaces + 1 : 0
    column += displayWidth(segment)
  }
  return starts
}

/** A session of `project` with a title; `shared` records a share event, as journal.share() does. */
async function session(journal: Journal, project: string, title?: string, shared = false): Promise<string> {
  const s = await journal.create({ project, ...(title === undefined ? {} : { title }) })
  await s.message({ role: 'user', parts: [] })
  if (shared) await (s as OpenSession).record({ type: 'share', url: 'https://share.example/s/x', shareId: 'x' })
  await s.close()
  return s.id
}

test('list: every project by default, from any folder; --all is the same; --limit; TSV without header', async t => {
  const { journal, root, project } = journalIn(t)
  const elsewhere = path.join(tempDir(t), 'elsewhere')
  fs.mkdirSync(elsewhere)
  const a = await session(journal, project, 'tab\there')
  const b = await session(journal, elsewhere, 'in elsewhere')
  const neutral = tempDir(t)

  const plain = await run(['list'], { root, cwd: neutral })
  assert.equal(plain.code, 0)
  assert.equal(plain.stderr, '')
  const rows = plain.stdout.split('\n').filter(Boolean).map(line => line.split('\t'))
  assert.deepEqual(rows.map(r => r[0]), [b, a], 'every project, newest first')
  const row = (await journal.list({ project }))[0]!
  assert.deepEqual(rows[1], [a, project, 'tab here', localUTC(row.created), localUTC(row.updated), '1', ''])
  assert.deepEqual(await run(['list', '--all'], { root, cwd: neutral }), plain, '--all is a no-op alias')
  assert.deepEqual((await run(['list', '-n', '1'], { root })).stdout.split('\t')[0], b)
  assert.equal((await run(['list', '--limit', '0'], { root })).stdout, '')
})

test('list --project [DIR]: the project of DIR, walking up to the git root like config', async t => {
  const { journal, root } = journalIn(t)
  const top = tempDir(t)
  const webapp = path.join(top, 'projects', 'webapp')
  const pkg = path.join(webapp, 'packages', 'ui')
  const deep = path.join(webapp, 'src', 'auth')
  const bare = path.join(top, 'bare', 'sub')
  for (const dir of [path.join(webapp, '.git'), pkg, deep, bare]) fs.mkdirSync(dir, { recursive: true })
  const inWebapp = await session(journal, webapp, 'webapp')
  const inPkg = await session(journal, pkg, 'ui package')
  await session(journal, top, 'above the git root')
  const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as Array<{ id: string }>).map(x => x.id)

  assert.deepEqual(ids(await run(['list', '--project', '--json'], { root, cwd: deep })), [inWebapp], 'from src/auth: the git root')
  assert.deepEqual(ids(await run(['list', '--json', '--project'], { root, cwd: deep })), [inWebapp], '--project last')
  assert.deepEqual(ids(await run(['list', '--project', 'src/auth', '--json'], { root, cwd: webapp })), [inWebapp], 'relative DIR')
  assert.deepEqual(ids(await run(['list', '--project', path.join(pkg, 'x'), '--json'], { root })), [inPkg], 'the nearest folder with sessions')
  assert.deepEqual(ids(await run(['list', `--project=${webapp}`, '--json'], { root })), [inWebapp])
  const none = await run(['list', '--project', bare], { root })
  assert.deepEqual(none, { code: 0, stdout: '', stderr: `no sessions in the project of ${bare} (without --project: every project)\n` }, 'outside git: only DIR itself')
  fs.rmSync(path.join(webapp, '.git'), { recursive: true })
  fs.writeFileSync(path.join(webapp, '.git'), 'gitdir: /elsewhere\n') // a worktree's .git file
  assert.deepEqual(ids(await run(['list', '--project', '--json'], { root, cwd: deep })), [inWebapp])
  fs.rmSync(path.join(webapp, '.git'))
  const empty = await run(['list', '--project', '--json'], { root, cwd: deep })
  assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, '[]\n', ''], 'no git root: only src/auth, which has no sessions')
})

test('list --json is one JSON array, [] when nothing matches', async t => {
  const { journal, root, project } = journalIn(t)
  assert.deepEqual(await run(['list', '--json'], { root }), { code: 0, stdout: '[]\n', stderr: '' })
  assert.deepEqual(await run(['list'], { root }), { code: 0, stdout: '', stderr: 'no sessions\n' })
  assert.deepEqual(await run(['list'], { root, isTTY: true }), { code: 0, stdout: '', stderr: 'no sessions\n' })
  await session(journal, project, 'one')
  await session(journal, project, 'two')
  const r = await run(['list', '--json'], { root })
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(await journal.list())))
  assert.match(r.stdout, /^\[\n\{"id":.*\},\n\{"id":.*\}\n\]\n$/, 'one row per line')
})

test('list on a terminal: aligned by display width (CJK, emoji), with the flags column and local times', async t => {
  const { journal, root, project } = journalIn(t)
  const cjk = path.join(project, '漢字プロジェクト')
  fs.mkdirSync(cjk)
  await session(journal, project, 'plain', true)
  await session(journal, cjk, '修正: ログインのバグ 🙂👩🏽‍💻')
  const damaged = await session(journal, project)
  fs.appendFileSync((await journal.locate(damaged)).path, 'garbage\n')
  const tty = await run(['list'], { root, isTTY: true, timeZone: 'Asia/Kolkata' })
  const lines = tty.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^ID +UPDATED +CREATED +MSGS +FLAGS +TITLE +PROJECT$/)
  assert.equal(lines.length, 4)
  const [header, ...rows] = lines.map(columnStarts)
  assert.equal(header!.length, 7)
  const flags = header![4]!
  for (const [i, starts] of rows.entries()) {
    // The CJK row has no flags: its FLAGS cell is blank, every other column starts where the header's does.
    assert.deepEqual(starts, i === 1 ? header!.filter(c => c !== flags) : header, lines[i + 1])
  }
  assert.match(lines[1]!, /^\S+  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30  1 +damaged  \(untitled\)/)
  assert.match(lines[3]!, /  1 +shared +plain +/)
  assert.match((await run(['list'], { root })).stdout, /\tdamaged\n.*\tshared\n$/s)
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

test('show: a failed tool call shows its error text under it, in the shapes hosts write', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  const m = await s.message({ role: 'assistant', parts: [] })
  await s.part(m, { id: 'a', type: 'tool', tool: 'bash', state: { status: 'error', input: { command: 'npm test' }, error: 'Error: 2 tests failed\n  at run (test.js:1)' } })
  await s.part(m, { id: 'b', type: 'tool-call', toolName: 'read', args: { path: 'a.txt' }, error: { message: 'ENOENT: a.txt' } })
  await s.part(m, { id: 'c', type: 'tool', tool: 'ls', status: 'completed', output: 'x' })
  await s.close()
  const r = await run(['show', s.id], { root })
  assert.equal(r.code, 0)
  assert.ok(r.stdout.endsWith([
    '  [bash] npm test -> error',
    '    Error: 2 tests failed',
    '      at run (test.js:1)',
    '  [read] a.txt -> error',
    '    ENOENT: a.txt',
    '  [ls] -> completed, 1 line(s) of output',
    '    x',
    '',
  ].join('\n')), r.stdout)
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

test('list: an untitled session shows its first prompt in quotes on a terminal; TSV keeps the title exact, --json flags the stand-in', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'Why does\nthe date\ttest fail?' }] })
  await s.close()
  const tty = await run(['list'], { root, isTTY: true })
  assert.match(tty.stdout.split('\n')[1]!, /  “Why does the date test fail\?”  /)
  assert.equal((await run(['list'], { root })).stdout.split('\t')[2], '', 'TSV: the title field stays empty')
  const [row] = JSON.parse((await run(['list', '--json'], { root })).stdout) as Array<{ title: string | null, titleFromPrompt: boolean, firstPrompt: string | null }>
  assert.deepEqual([row!.title, row!.titleFromPrompt, row!.firstPrompt], ['Why does the date test fail?', true, 'Why does the date test fail?'])
})
