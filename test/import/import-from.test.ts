import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { LogStore } from '../../lib/core/log-store.js'
import { nodeIO } from '../../lib/core/writer-io.js'
import { importFrom, type ImportFromOptions } from '../../lib/import/import-from.js'
import { Journal } from '../../lib/journal.js'
import { logLines, rejectsWith, tempDir, treeOf } from '../helpers.js'
import { msg, toyLines, toyPeer } from './toy-peer.js'

function setup(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const src = path.join(dir, 'src')
  fs.mkdirSync(src)
  const store = new LogStore({ root, fsync: 'never', batchMs: 5, maxLineBytes: 1024 * 1024, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  const journal = new Journal({ root, fsync: 'never' })
  const run = (sources?: string[], options: ImportFromOptions = {}) => importFrom(store, toyPeer, sources ?? [src], options)
  return { dir, root, src, store, journal, run }
}

const T0 = '2025-03-01T10:00:00.000Z'
const at = (minute: number) => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`

function writeToy(file: string, id: string, events: Array<{ ts: string, body: Record<string, unknown> }>, extra: Record<string, unknown> = {}) {
  fs.writeFileSync(file, toyLines({ id, project: '/work/app', title: `title ${id}`, created: T0, version: '1.2.3', ...extra }, events))
}

/** Every log under the root: path -> bytes. */
function logs(root: string): Record<string, string> {
  return Object.fromEntries(Object.entries(treeOf(root)).filter(([p]) => p.endsWith('.ndjson')))
}

test('a new session: header with host and project, x.import.origin, then the events at their own times', async t => {
  const { src, journal, run } = setup(t)
  const file = path.join(src, 'a.toy.jsonl')
  writeToy(file, 'orig-a', [msg(at(1), 'm1', 'user', 'hi'), msg(at(2), 'm2', 'assistant', 'hello'),
    { ts: at(2), body: { type: 'x.codex.note', data: { n: 1 } } }])
  const result = await run()
  assert.equal(result.imported.length, 1)
  assert.deepEqual([result.updated, result.skipped, result.failed, result.problems], [[], [], [], []])
  const { id } = result.imported[0]!
  assert.deepEqual(result.imported[0], { id, originId: 'orig-a', path: file, events: 3 })
  const lines = logLines((await journal.locate(id)).path)
  assert.deepEqual(lines[0], {
    seq: 0, ts: T0, type: 'session', version: 1, id, projectId: lines[0]!.projectId, projectPath: '/work/app',
    title: 'title orig-a', parentId: null, host: { name: 'codex', version: '1.2.3' },
  })
  const fingerprint = (await toyPeer.discover([file]))[0]!.fingerprint
  assert.deepEqual(lines[1], { seq: 1, ts: T0, type: 'x.import.origin', data: { tool: 'codex', id: 'orig-a', path: file, version: '1.2.3', fingerprint } })
  assert.deepEqual(lines.slice(2).map(l => [l.ts, l.type, l.id ?? null]), [[at(1), 'message', 'm1'], [at(2), 'message', 'm2'], [at(2), 'x.codex.note', null]])
  const history = await journal.read(id)
  assert.deepEqual(history.messages.map(m => [m.id, m.role, m.created, m.parts[0]!.text]), [['m1', 'user', at(1), 'hi'], ['m2', 'assistant', at(2), 'hello']])
  // The cache is private.
  const cache = path.join(journal.root, 'imports', 'codex.json')
  assert.equal(fs.statSync(cache).mode & 0o777, 0o600)
  assert.equal(fs.statSync(path.dirname(cache)).mode & 0o777, 0o700)
})

test('re-importing an unchanged tree writes zero bytes, with the cache and after losing it', async t => {
  const { root, src, run } = setup(t)
  writeToy(path.join(src, 'a.toy.jsonl'), 'orig-a', [msg(at(1), 'm1', 'user', 'hi')])
  writeToy(path.join(src, 'b.toy.jsonl'), 'orig-b', [msg(at(1), 'm1', 'user', 'yo'), { ts: at(2), body: { type: 'usage', key: 'k1', model: 'toy-1', input: 5, output: 7 } }])
  const first = await run()
  assert.equal(first.imported.length, 2)
  const before = treeOf(root)
  const again = await run()
  assert.deepEqual([again.imported, again.updated, again.failed], [[], [], []])
  assert.deepEqual(again.skipped.map(s => s.originId).sort(), ['orig-a', 'orig-b'])
  assert.deepEqual(treeOf(root), before, 'nothing under the root changed, not even the cache')
  // Without the cache every source is read again, found in the logs, and compared: still no byte on any log.
  fs.rmSync(path.join(root, 'imports'), { recursive: true })
  const logsBefore = logs(root)
  const rebuilt = await run()
  assert.deepEqual([rebuilt.imported, rebuilt.updated, rebuilt.failed], [[], [], []])
  assert.deepEqual(rebuilt.skipped.map(s => s.id).sort(), first.imported.map(s => s.id).sort())
  assert.deepEqual(logs(root), logsBefore)
})

test('a grown source appends only the new messages, a changed one replaces, a vanished one is reverted', async t => {
  const { src, journal, run } = setup(t)
  const file = path.join(src, 'a.toy.jsonl')
  const base = [msg(at(1), 'm1', 'user', 'hi'), msg(at(2), 'm2', 'assistant', 'hello'), msg(at(3), 'm3', 'user', 'more')]
  writeToy(file, 'orig-a', base)
  const { id } = (await run()).imported[0]!
  const log = (await journal.locate(id)).path
  const size = fs.statSync(log).size
  // Grown: two messages, a usage, a new title.
  const grown = [...base, msg(at(4), 'm4', 'assistant', 'sure'), { ts: at(4), body: { type: 'usage', key: 'k4', model: 'toy-1', input: 10, output: 2 } }]
  writeToy(file, 'orig-a', grown, { title: 'renamed' })
  const result = await run()
  assert.deepEqual(result.updated.map(u => [u.id, u.events]), [[id, 3]])
  const appended = logLines(log).filter((_, i, all) => i >= all.length - 4)
  assert.deepEqual(appended.map(l => [l.type, l.ts]), [['message', at(4)], ['title', at(4)], ['usage', at(4)], ['x.import.origin', at(4)]])
  assert.ok(fs.statSync(log).size > size)
  // m2 edited in place, m3 gone: m2 rewritten under its id, m3 cut with a revert, m5 appended.
  writeToy(file, 'orig-a', [base[0]!, msg(at(2), 'm2', 'assistant', 'hello again'), msg(at(5), 'm5', 'user', 'other branch')], { title: 'renamed' })
  const third = await run()
  assert.equal(third.updated.length, 1)
  const history = await journal.read(id)
  assert.deepEqual(history.messages.map(m => [m.id, m.parts[0]!.text]), [['m1', 'hi'], ['m2', 'hello again'], ['m5', 'other branch']])
  assert.equal(history.info.title, 'renamed')
  assert.equal(history.info.usage.input, 10, 'the usage stays: it was spent')
  const tail = logLines(log).slice(-4)
  assert.deepEqual(tail.map(l => l.type), ['revert', 'message', 'message', 'x.import.origin'])
  assert.equal(tail[0]!.messageId, 'm3')
  // And now it is unchanged again.
  const bytes = fs.readFileSync(log)
  fs.rmSync(path.join(journal.root, 'imports'), { recursive: true })
  assert.equal((await run()).skipped.length, 1)
  assert.deepEqual(fs.readFileSync(log), bytes)
})

test('a file that is not the format fails alone, with path and line, and nothing of it is written', async t => {
  const { root, src, run } = setup(t)
  fs.writeFileSync(path.join(src, 'bad.toy.jsonl'), '{"hello":"world"}\n')
  fs.writeFileSync(path.join(src, 'empty.toy.jsonl'), '')
  writeToy(path.join(src, 'good.toy.jsonl'), 'orig-g', [msg(at(1), 'm1', 'user', 'hi')])
  const result = await run()
  assert.equal(result.imported.length, 1)
  assert.deepEqual(result.failed.map(f => [path.basename(f.path), f.code, f.line]),
    [['bad.toy.jsonl', 'ERR_INVALID_IMPORT', 1], ['empty.toy.jsonl', 'ERR_INVALID_IMPORT', 1]])
  assert.equal(Object.keys(logs(root)).length, 1)
})

test('damage inside a source: imported as far as it goes, each problem with path and line', async t => {
  const { src, journal, run } = setup(t)
  const file = path.join(src, 'a.toy.jsonl')
  writeToy(file, 'orig-a', [msg(at(1), 'm1', 'user', 'hi')])
  fs.appendFileSync(file, 'not json\n{"what":1}\n' + JSON.stringify(msg(at(2), 'm2', 'user', 'after')) + '\n{"ts":"2025-03-01T10:03')
  const result = await run()
  assert.equal(result.imported.length, 1)
  const problems = result.problems.sort((a, b) => a.line! - b.line!)
  assert.deepEqual(problems.map(p => [p.line, p.path === file]), [[3, true], [4, true], [6, true]])
  assert.match(problems[0]!.message, /not JSON/)
  assert.match(problems[2]!.message, /cut short/)
  assert.deepEqual((await journal.read(result.imported[0]!.id)).messages.map(m => m.id), ['m1', 'm2'])
})

test('events the journal cannot hold are left out and named; the rest of the session imports', async t => {
  const { src, journal, run } = setup(t)
  let deep: unknown = 'bottom'
  for (let i = 0; i < 1200; i++) deep = { d: deep }
  writeToy(path.join(src, 'a.toy.jsonl'), 'orig-a', [
    msg(at(1), 'm1', 'user', 'hi'),
    { ts: at(2), body: { type: 'message', id: 'm2', role: 'assistant', parts: [{ id: 'p', type: 'tool', input: deep }] } },
    { ts: at(2), body: { type: 'message', role: 'user', parts: [] } },
    { ts: at(2), body: { type: 'message', id: 'm3', role: 'user', parts: [{ type: 'text', text: 'no part id' }] } },
    { ts: at(2), body: { type: 'message', id: 'm4', role: 'wizard', parts: [] } },
    { ts: at(2), body: { type: 'usage', key: 'k', model: 'x', input: -1, output: 0 } },
    { ts: at(2), body: { type: 'delete-everything' } },
    { ts: 'yesterday', body: { type: 'message', id: 'm5', role: 'user', parts: [{ id: 'p', type: 'text', text: '\u001b[31mred\u2028' }] } },
    { ts: at(3), body: { type: 'x.codex.big', data: 'x'.repeat(2 * 1024 * 1024) } },
  ])
  const result = await run()
  assert.equal(result.imported.length, 1)
  assert.equal(result.problems.length, 7)
  assert.match(result.problems[0]!.message, /event 2 left out: .*deeper than 1000/)
  assert.match(result.problems[6]!.message, /event 9 left out: .*exceeds maxLineBytes/)
  const history = await journal.read(result.imported[0]!.id)
  assert.deepEqual(history.messages.map(m => [m.id, m.created]), [['m1', at(1)], ['m5', at(1)]])
  assert.equal(history.messages[1]!.parts[0]!.text, '\u001b[31mred\u2028')
  // Re-importing it is still a no-op: the same events are left out the same way.
  assert.equal((await run()).skipped.length, 1)
})

test('children get their parent\'s journal id, whichever file comes first; a missing parent is a problem', async t => {
  const { src, journal, run } = setup(t)
  writeToy(path.join(src, 'a-child.toy.jsonl'), 'orig-child', [msg(at(2), 'c1', 'user', 'sub task')], { parent: 'orig-parent' })
  writeToy(path.join(src, 'b-parent.toy.jsonl'), 'orig-parent', [msg(at(1), 'p1', 'user', 'main')])
  writeToy(path.join(src, 'c-orphan.toy.jsonl'), 'orig-orphan', [msg(at(1), 'o1', 'user', 'lost')], { parent: 'never-seen' })
  const result = await run()
  const byOrigin = new Map(result.imported.map(r => [r.originId, r.id]))
  assert.equal(byOrigin.size, 3)
  assert.equal((await journal.read(byOrigin.get('orig-child')!)).info.parentId, byOrigin.get('orig-parent'))
  assert.equal((await journal.read(byOrigin.get('orig-orphan')!)).info.parentId, null)
  assert.deepEqual(result.problems.map(p => p.message), ['session orig-orphan: its parent never-seen was not imported; imported without a parent'])
  // A parent imported in an earlier run is found too.
  writeToy(path.join(src, 'd-late.toy.jsonl'), 'orig-late', [msg(at(3), 'l1', 'user', 'later')], { parent: 'orig-parent' })
  const later = await run()
  assert.equal((await journal.read(later.imported[0]!.id)).info.parentId, byOrigin.get('orig-parent'))
})

test('a session a host is writing is failed with ERR_SESSION_LOCKED when it changed; the others go on', async t => {
  const { src, journal, run } = setup(t)
  const a = path.join(src, 'a.toy.jsonl')
  const b = path.join(src, 'b.toy.jsonl')
  writeToy(a, 'orig-a', [msg(at(1), 'm1', 'user', 'hi')])
  writeToy(b, 'orig-b', [msg(at(1), 'm1', 'user', 'yo')])
  const first = await run()
  const idA = first.imported.find(r => r.originId === 'orig-a')!.id
  const held = await journal.resume(idA)
  t.after(() => held.close())
  // Unchanged: skipped without taking the lock.
  assert.equal((await run()).skipped.length, 2)
  writeToy(a, 'orig-a', [msg(at(1), 'm1', 'user', 'hi'), msg(at(2), 'm2', 'user', 'new')])
  writeToy(b, 'orig-b', [msg(at(1), 'm1', 'user', 'yo'), msg(at(2), 'm2', 'user', 'new')])
  const result = await run()
  assert.deepEqual(result.failed.map(f => [f.code, f.originId, f.path]), [['ERR_SESSION_LOCKED', 'orig-a', a]])
  assert.deepEqual(result.updated.map(u => u.originId), ['orig-b'])
  // The failed unit is not remembered as done: once the host lets go, it is brought up to date.
  await held.close()
  const after = await run()
  assert.deepEqual([after.updated.map(u => u.originId), after.skipped.map(u => u.originId)], [['orig-a'], ['orig-b']])
})

test('a deleted copy is imported again; a damaged or hostile cache is ignored', async t => {
  const { root, src, journal, run } = setup(t)
  writeToy(path.join(src, 'a.toy.jsonl'), 'orig-a', [msg(at(1), 'm1', 'user', 'hi')])
  const first = (await run()).imported[0]!
  await journal.delete(first.id)
  const again = await run()
  assert.equal(again.imported.length, 1)
  assert.notEqual(again.imported[0]!.id, first.id)
  const cache = path.join(root, 'imports', 'codex.json')
  for (const text of ['{not json', '[]', 'null', JSON.stringify({ version: 1, tool: 'codex', origins: [{ id: '__proto__', session: '../../etc' }, null, 5], units: [{ key: '__proto__', fingerprint: 1, origins: [{}] }, null] })]) {
    fs.writeFileSync(cache, text)
    const before = logs(root)
    const result = await run()
    assert.deepEqual([result.imported, result.failed], [[], []], text)
    assert.equal(result.skipped.length, 1)
    assert.deepEqual(logs(root), before)
  }
})

test('sources: default location under home, files, folders, globs; missing paths are nothing', async t => {
  const { dir, src, run } = setup(t)
  const home = path.join(dir, 'home')
  fs.mkdirSync(path.join(home, '.toy', 'deep'), { recursive: true })
  writeToy(path.join(home, '.toy', 'deep', 'h.toy.jsonl'), 'orig-h', [msg(at(1), 'm1', 'user', 'home')])
  writeToy(path.join(src, 'x.toy.jsonl'), 'orig-x', [msg(at(1), 'm1', 'user', 'x')])
  writeToy(path.join(src, 'y.toy.jsonl'), 'orig-y', [msg(at(1), 'm1', 'user', 'y')])
  fs.writeFileSync(path.join(src, 'ignored.txt'), 'not mine')
  assert.deepEqual((await importFrom(setup(t).store, toyPeer, undefined, { home })).imported.map(r => r.originId), ['orig-h'])
  assert.deepEqual((await run(['x.toy.jsonl', 'nowhere/*.jsonl', 'missing.toy.jsonl'], { cwd: src })).imported.map(r => r.originId), ['orig-x'])
  assert.deepEqual((await run([path.join(src, '*.toy.jsonl')])).imported.map(r => r.originId), ['orig-y'])
  const progress: string[] = []
  await run([src], { onProgress: p => progress.push(`${p.done}/${p.total} ${path.basename(p.path)}`) })
  assert.deepEqual(progress, ['0/2 x.toy.jsonl', '1/2 y.toy.jsonl', '2/2 '])
})

test('journal.importFrom: an unknown tool is ERR_USAGE', async t => {
  const { journal } = setup(t)
  await rejectsWith(journal.importFrom('word-perfect'), 'ERR_USAGE')
  await rejectsWith(journal.importFrom('__proto__'), 'ERR_USAGE')
})

test('one import per tool and root at a time: a second one meanwhile is ERR_SESSION_LOCKED, and writes nothing', async t => {
  const { root, src, run } = setup(t)
  writeToy(path.join(src, 'a.toy.jsonl'), 'orig-a', [msg(at(1), 'm1', 'user', 'hi')])
  const results = await Promise.allSettled([run(), run()])
  const failed = results.filter(r => r.status === 'rejected') as PromiseRejectedResult[]
  assert.equal(failed.length, 1)
  assert.equal(failed[0]!.reason.code, 'ERR_SESSION_LOCKED')
  assert.match(failed[0]!.reason.message, /another import from codex into this journal is under way/)
  assert.equal(Object.keys(logs(root)).length, 1, 'one copy, not two')
  assert.ok(!fs.readdirSync(path.join(root, 'imports')).some(name => name.endsWith('.lock')), 'the lock is let go')
  assert.equal((await run()).skipped.length, 1)
})

test('the same session in two sources (a backup beside the original): the first read is kept, the copy named', async t => {
  const { root, src, journal, run } = setup(t)
  fs.mkdirSync(path.join(src, 'b-backup'))
  writeToy(path.join(src, 'a.toy.jsonl'), 'orig-a', [msg(at(1), 'm1', 'user', 'hi'), msg(at(2), 'm2', 'assistant', 'newer')])
  writeToy(path.join(src, 'b-backup', 'a.toy.jsonl'), 'orig-a', [msg(at(1), 'm1', 'user', 'hi')])
  const first = await run()
  assert.equal(first.imported.length, 1)
  assert.deepEqual(first.problems.map(p => p.message), [`session orig-a was read from ${path.join(src, 'a.toy.jsonl')} already; this copy is left out`])
  assert.deepEqual((await journal.read(first.imported[0]!.id)).messages.map(m => m.id), ['m1', 'm2'])
  const before = logs(root)
  fs.rmSync(path.join(root, 'imports'), { recursive: true })
  const again = await run()
  assert.deepEqual([again.updated, again.failed], [[], []])
  assert.deepEqual(logs(root), before, 'the older copy never undoes the newer')
})
