/** export, import, tail and verify through main(). */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { ndjsonLines, run, watcher } from './helpers.js'
import { tempDir } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'
import type { History } from '../../lib/core/types.js'

/** What an imported copy of a shared session reads as: the share was the original's (docs/format.md). */
const unshared = (h: History): History => ({ ...h, info: { ...h.info, share: null } })

test('export: pretty JSON on stdout equal to journal.export(); --events, --redact; status only on stderr with --out', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const r = await run(['export', id], { root })
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.equal(r.stdout, `${JSON.stringify(await journal.export(id), null, 2)}\n`)
  const e = await run(['export', id, '--events', '--redact'], { root })
  assert.deepEqual(JSON.parse(e.stdout), await journal.export(id, { events: true, redact: true }))
  const dir = tempDir(t)
  const o = await run(['export', id, '--out', 'doc.json', '--events'], { root, cwd: dir })
  assert.equal(o.code, 0)
  assert.equal(o.stdout, '')
  assert.match(o.stderr, new RegExp(`exported session ${id} to ${path.join(dir, 'doc.json')}: 3 message\\(s\\), 14 event\\(s\\), \\d+ bytes`))
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'doc.json'), 'utf8')), await journal.export(id, { events: true }))
  assert.equal(fs.statSync(path.join(dir, 'doc.json')).mode & 0o777, 0o600)
  const j = await run(['export', id, '--out', path.join(dir, 'j.json'), '--json'], { root })
  const status = JSON.parse(j.stdout)
  assert.deepEqual(Object.keys(status), ['id', 'file', 'messages', 'events', 'bytes'])
  assert.equal(status.bytes, fs.statSync(path.join(dir, 'j.json')).size)
  assert.deepEqual(fs.readdirSync(dir).sort(), ['doc.json', 'j.json'], 'no temporary file left')
  const bad = await run(['export', id, '--out', path.join(dir, 'missing-dir', 'x.json')], { root })
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /ENOENT/)
})

test('import: a file, stdin, or a raw NDJSON log; prints the new id', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const dir = tempDir(t)
  const file = path.join(dir, 'doc.json')
  assert.equal((await run(['export', id, '--out', file], { root })).code, 0)
  const root2 = path.join(dir, 'root2')
  const r = await run(['import', file], { root: root2 })
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${id}\n`, ''])
  const other = new Journal({ root: root2 })
  assert.deepEqual(await other.read(id), unshared(await journal.read(id)))

  const again = await run(['import', file, '--json'], { root: root2 })
  assert.equal(again.code, 1)
  assert.equal(JSON.parse(again.stderr).error.code, 'ERR_SESSION_EXISTS')
  assert.equal(again.stdout, '')

  const fromStdin = await run(['import', '-', '--new-id', '--project', 'moved', '--json'], { root: root2, cwd: dir, stdin: fs.readFileSync(file, 'utf8') })
  const newId = JSON.parse(fromStdin.stdout).id as string
  assert.notEqual(newId, id)
  assert.equal((await other.read(newId)).info.projectPath, path.join(dir, 'moved'))

  // A raw log: the same events, read as NDJSON.
  const log = fs.readFileSync((await journal.locate(id)).path, 'utf8')
  const root3 = path.join(dir, 'root3')
  const raw = await run(['import', '-'], { root: root3, stdin: log })
  assert.equal(raw.stdout, `${id}\n`)
  const copied = fs.readFileSync((await new Journal({ root: root3 }).locate(id)).path, 'utf8')
  assert.ok(copied.startsWith(log))
  assert.equal(JSON.parse(copied.slice(log.length)).type, 'import', 'then one closing import line: the copy is not shared')
})

test('import errors: missing file, not JSON, invalid document, bad event stream', async t => {
  const { root } = journalIn(t)
  const dir = tempDir(t)
  const write = (name: string, text: string) => { fs.writeFileSync(path.join(dir, name), text); return path.join(dir, name) }
  const cases: Array<[string, string, RegExp]> = [
    [path.join(dir, 'nope.json'), 'ENOENT', /nope\.json/],
    [write('text.json', 'hello'), 'ERR_INVALID_EXPORT', /text\.json is not JSON/],
    [write('bad.json', JSON.stringify({ format: 'session-journal', version: 1, info: {}, messages: [] })), 'ERR_INVALID_EXPORT', /info\.id is required/],
    [write('bad.ndjson', '{"seq":0,"ts":"t","type":"session","version":1,"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV","projectId":"p-0123456789ab","projectPath":"/p","title":null,"parentId":null,"host":null}\n{"seq":1,"ts":"t","type":"message"}\n'),
      'ERR_INVALID_EXPORT', /event stream line 2: message lacks id, role or parts/],
    [write('torn.ndjson', '{"seq":0,"ts":"t","type":"session","version":1,"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV","projectId":"p-0123456789ab","projectPath":"/p","title":null,"parentId":null,"host":null}\n{"seq":1,'),
      'ERR_INVALID_EXPORT', /event stream is not NDJSON: Could not parse row/],
  ]
  for (const [file, code, message] of cases) {
    const r = await run(['import', file], { root })
    assert.equal(r.code, 1, file)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, message)
    assert.equal(r.stderr.trimEnd().split('\n').length, 1)
    assert.equal(JSON.parse((await run(['import', file, '--json'], { root })).stderr).error.code, code)
  }
})

test('tail: the last N events in aligned columns, tool parts with name and status; NDJSON', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const events = []
  for await (const e of journal.events(id)) events.push(e)
  const r = await run(['tail', id], { root })
  const lines = r.stdout.trimEnd().split('\n')
  assert.equal(lines.length, 10)
  assert.match(lines[0]!, new RegExp(`^ ${events.length - 10}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+00:00  `))
  assert.match(lines.at(-1)!, new RegExp(`^${events.length - 1}  [^a-z]+  x\\.test\\.end +\\{"data":null\\}$`))
  assert.match(r.stdout, /  title +second title multi line/)
  // seq right-aligned, time, type padded: every summary starts in the same column.
  const starts = lines.map(line => /^( *\d+  \S+ \S+ \S+  \S+ *  )\S/.exec(line)?.[1]!.length)
  assert.deepEqual(new Set(starts).size, 1, r.stdout)
  const all = (await run(['tail', id, '-n', '100'], { root })).stdout
  assert.match(all, / part +\S+ \[bash\] ls -la -> done, 3 line\(s\) of output\n/)
  assert.match(all, / part +\S+ text: answer multi line/)
  assert.deepEqual(ndjsonLines((await run(['tail', id, '-n', '3', '--json'], { root })).stdout), JSON.parse(JSON.stringify(events.slice(-3))))
  assert.equal(ndjsonLines((await run(['tail', id, '-n', '100', '--json'], { root })).stdout).length, events.length)
  assert.equal((await run(['tail', id, '-n', '0'], { root })).stdout, '')
})

test('tail: a message of tool parts shows the tool; a failed one its error', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.message({ role: 'assistant', parts: [{ id: 't', type: 'tool', tool: 'bash', state: { status: 'error', input: { command: 'npm test' }, error: 'exit 1' } }] })
  await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'done' }, { type: 'tool', tool: 'edit', status: 'completed' }] })
  await s.close()
  const lines = (await run(['tail', s.id, '-n', '2'], { root })).stdout.split('\n')
  assert.match(lines[0]!, /  message  assistant: \[bash\] npm test -> error: exit 1$/)
  assert.match(lines[1]!, /  message  assistant: done \(\+1 part\(s\)\)$/)
})

test('tail --follow prints appended events, waits for a torn line to be completed, stops on abort', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'before' }] })
  const file = (await journal.locate(s.id)).path
  const controller = new AbortController()
  let seen = ''
  let waiting: { pattern: RegExp, resolve: () => void } | undefined
  const until = (pattern: RegExp) => new Promise<void>(resolve => {
    if (pattern.test(seen)) resolve()
    else waiting = { pattern, resolve }
  })
  const done = run(['tail', s.id, '--follow', '--json'], {
    root,
    signal: controller.signal,
    onStdout: all => {
      seen = all
      if (waiting?.pattern.test(all)) { waiting.resolve(); waiting = undefined }
    },
  })
  await until(/"before"/)
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'after' }] })
  await s.close()
  await until(/"after"/)
  // A writer cut off mid-line: the follower must wait for the newline, never print half.
  const line = JSON.stringify({ seq: 3, ts: new Date().toISOString(), type: 'x.test.late', data: 'é🙂'.repeat(1000) })
  const bytes = Buffer.from(`${line}\n`)
  fs.appendFileSync(file, bytes.subarray(0, 1001)) // cuts inside a multi-byte character
  fs.appendFileSync(file, bytes.subarray(1001))
  await until(/x\.test\.late/)
  controller.abort()
  const r = await done
  assert.equal(r.code, 0)
  const events = ndjsonLines(r.stdout)
  assert.deepEqual(events.map(e => e.seq), [0, 1, 2, 3])
  assert.equal(events[3]!.data, 'é🙂'.repeat(1000))
  assert.equal(r.stderr, '')
})

test('tail --follow, like tail -F: a truncated log, then one replaced by rename, are said so and followed from their start', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'before' }] })
  const file = (await journal.locate(s.id)).path
  const header = fs.readFileSync(file, 'utf8').split('\n')[0]!
  const controller = new AbortController()
  const out = watcher()
  const err = watcher()
  const done = run(['tail', s.id, '--follow', '--json'], { root, signal: controller.signal, onStdout: out.update, onStderr: err.update })
  await out.until(/"before"/)

  fs.truncateSync(file, 0)
  // The notice first: a follower that has not looked yet cannot tell a shrunk file from a grown one.
  await err.until(/was truncated/)
  for (let i = 1; i <= 5; i++) await s.message({ role: 'user', parts: [{ type: 'text', text: `truncated ${i}` }] })
  await out.until(/"truncated 5"/)
  await s.close()

  const tmp = `${file}.new`
  fs.writeFileSync(tmp, `${header}\n`)
  fs.renameSync(tmp, file)
  await err.until(/was replaced/)
  const again = await journal.resume(s.id)
  for (let i = 1; i <= 5; i++) await again.message({ role: 'user', parts: [{ type: 'text', text: `replaced ${i}` }] })
  await again.close()
  await out.until(/"replaced 5"/)
  controller.abort()
  const r = await done
  assert.equal(r.code, 0)
  const texts = ndjsonLines(r.stdout).map(e => e.type === 'message' ? (e.parts as Array<{ text: string }>)[0]!.text : e.type)
  assert.deepEqual(texts, ['session', 'before', ...[1, 2, 3, 4, 5].map(i => `truncated ${i}`), 'session', ...[1, 2, 3, 4, 5].map(i => `replaced ${i}`)])
  const notices = r.stderr.split('\n').filter(line => line.startsWith('tail: '))
  assert.deepEqual(notices.map(line => line.replace(/\d+ byte/, 'N byte').replace(/\(\d+ had/, '(M had')), [
    `tail: the log of session ${s.id} was truncated to N byte(s) (M had been read); following it from its start`,
    `tail: the log of session ${s.id} was replaced by a new file; following the new file from its start`,
  ])
  // What a writer appended to a cut log has no header: reported, and printed all the same.
  assert.match(r.stderr, /warning: session \S+ line 1 \(byte 0\): bad-header/)
})

test('verify: ok, damage with id, file, line and offset, --repair of a torn tail, --all with progress', async t => {
  const { journal, root, project } = journalIn(t)
  const good = await journal.create({ project })
  await good.close()
  const ok = await run(['verify', good.id], { root })
  assert.deepEqual([ok.code, ok.stdout], [0, `ok ${good.id}\n`])

  const bad = await journal.create({ project })
  await bad.message({ role: 'user', parts: [] })
  await bad.close()
  const file = (await journal.locate(bad.id)).path
  const size = fs.statSync(file).size
  fs.appendFileSync(file, 'not json\n{"seq":2,"ts":"t","type":"x.a","data":1}\n{"seq":5,"ts":"t","type":"x.a","data":1}\n{"seq":6,"ts"')
  const r = await run(['verify', bad.id], { root })
  assert.equal(r.code, 5, 'damaged')
  const lines = r.stdout.trimEnd().split('\n')
  assert.equal(lines[0], `${bad.id} ${file}:3 (byte ${size}) bad-json: not JSON: ${lines[0]!.split('not JSON: ')[1]}`)
  assert.match(lines[1]!, new RegExp(`^${bad.id} ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5 \\(byte \\d+\\) seq-gap: seq jumps from 2 to 5`))
  assert.match(lines[2]!, /:6 \(byte \d+\) torn-tail: /)
  const j = ndjsonLines((await run(['verify', bad.id, '--json'], { root })).stdout)
  assert.deepEqual(j[0]!.damage, (await journal.read(bad.id)).damage)
  assert.equal(j[0]!.ok, false)

  const repaired = await run(['verify', bad.id, '--repair'], { root })
  assert.equal(repaired.code, 5, 'damage inside the log remains')
  assert.match(repaired.stdout, new RegExp(`^repaired ${bad.id}: torn tail of 13 byte\\(s\\)`))
  assert.ok(!repaired.stdout.includes('torn-tail'))
  assert.equal(fs.readdirSync(path.dirname(file)).filter(n => n.includes('.torn-')).length, 1)

  const torn = await journal.create({ project })
  await torn.close()
  fs.appendFileSync((await journal.locate(torn.id)).path, '{"seq":1')
  const fixed = await run(['verify', torn.id, '--repair', '--json'], { root })
  assert.equal(fixed.code, 0)
  const report = JSON.parse(fixed.stdout)
  assert.equal(report.ok, true)
  assert.equal(report.repaired.kind, 'torn-tail')
  assert.equal((await run(['verify', torn.id], { root })).code, 0)

  const all = await run(['verify', '--all'], { root, stderrIsTTY: true })
  assert.equal(all.code, 5)
  assert.equal(all.stdout.split('\n').filter(l => l.startsWith('ok ')).length, 2)
  assert.match(all.stderr, /\r\[#+\.*\] 1\/3 verifying/)
  assert.match(all.stderr, /\r\[#{30}\] 3\/3 verifying/)
  assert.match(all.stderr, /3 session\(s\) checked, 1 with damage\n$/)
  const quiet = await run(['verify', '--all'], { root })
  assert.ok(!quiet.stderr.includes('verifying'), 'no progress bar when stderr is not a terminal')
})

test('verify --repair of a session a writer holds: its unfinished last line is a write in progress, not damage', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  fs.appendFileSync(s.path, '{"seq":1')
  const r = await run(['verify', s.id, '--repair'], { root })
  assert.equal(r.code, 0, r.stdout)
  assert.equal(r.stdout, `ok ${s.id} (being written: 8 byte(s) of its last line so far)\n`)
  const json = JSON.parse((await run(['verify', s.id, '--json'], { root })).stdout)
  assert.deepEqual([json.ok, json.damage, json.writing.kind, json.writing.length], [true, [], 'torn-tail', 8])
  await s.close().catch(() => {})
})

test('import: a glob expands (fast-glob) to every matching file, imported in name order', async t => {
  const { journal, root, project } = journalIn(t)
  const a = await richSession(journal, project)
  const b = await richSession(journal, project)
  const dir = tempDir(t)
  fs.mkdirSync(path.join(dir, 'exports'))
  assert.equal((await run(['export', a, '--out', path.join(dir, 'exports', '1.json')], { root })).code, 0)
  assert.equal((await run(['export', b, '--out', path.join(dir, 'exports', '2.json')], { root })).code, 0)
  fs.writeFileSync(path.join(dir, 'exports', 'notes.txt'), 'not an export')
  const root2 = path.join(dir, 'root2')
  const r = await run(['import', 'exports/*.json', '--json'], { root: root2, cwd: dir })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.stdout.trimEnd().split('\n').map(line => JSON.parse(line)), [
    { id: a, source: 'exports/1.json' },
    { id: b, source: 'exports/2.json' },
  ])
  assert.deepEqual(await new Journal({ root: root2 }).read(b), unshared(await journal.read(b)))
  const none = await run(['import', 'nothing/*.json', '--json'], { root: root2, cwd: dir })
  assert.equal(none.code, 2)
  assert.equal(JSON.parse(none.stderr).error.code, 'ERR_USAGE')
  assert.equal(JSON.parse((await run(['import', '-', 'exports/1.json', '--json'], { root: root2, cwd: dir })).stderr).error.code, 'ERR_USAGE')
})

test('import - of a raw log with a duplicated line skips it, as read() does', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const lines = fs.readFileSync((await journal.locate(id)).path, 'utf8').split('\n').filter(Boolean)
  const log = [...lines.slice(0, 3), lines[2]!, ...lines.slice(3)].join('\n') + '\n' // line 3 twice
  const root2 = path.join(tempDir(t), 'root2')
  const r = await run(['import', '-'], { root: root2, stdin: log })
  assert.equal(r.code, 0, r.stderr)
  const other = new Journal({ root: root2 })
  const { damage: _a, ...copy } = await other.read(id)
  const { damage: _b, ...original } = await journal.read(id)
  assert.deepEqual(copy, { ...original, info: { ...original.info, share: null } })
  assert.ok(fs.readFileSync((await other.locate(id)).path, 'utf8').startsWith(`${lines.join('\n')}\n`), 'the same lines, the repeat dropped')
})
