import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'
import { walkLogs, type ProjectLogs } from '../../lib/core/log-files.js'
import { Layout } from '../../lib/core/paths.js'
import { LogStore } from '../../lib/core/log-store.js'
import { nodeIO } from '../../lib/core/writer-io.js'

function setup(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  return { root, dir, layout: new Layout(root), j: new Journal({ root, fsync: 'never' }) }
}

const byProject = (walk: ProjectLogs[]) => new Map(walk.map(p => [p.projectId, p]))
const marksOf = (walk: ProjectLogs[]) => new Map(walk.flatMap(p => (p.mark === null ? [] : [[p.projectId, p.mark] as [string, string]])))

test('walkLogs: every log of every project with inode, birth time and size; other names are not logs', async t => {
  const { j, dir, layout, root } = setup(t)
  const a = await j.create({ project: path.join(dir, 'a') })
  await a.message({ role: 'user', parts: [{ type: 'text', text: 'hello' }] })
  await a.close()
  const b = await j.create({ project: path.join(dir, 'b') })
  await b.close()
  const sessions = path.dirname(a.path)
  fs.writeFileSync(`${a.path}.torn-12`, 'torn')
  fs.writeFileSync(path.join(sessions, 'notes.txt'), 'x')
  fs.mkdirSync(path.join(sessions, '01J00000000000000000000000.ndjson')) // a folder with a log's name
  fs.mkdirSync(path.join(root, 'projects', 'empty-000000000000'))

  const walk = byProject(await walkLogs(layout))
  assert.deepEqual([...walk.keys()].sort(), [a.projectId, b.projectId, 'empty-000000000000'].sort())
  assert.deepEqual(walk.get('empty-000000000000'), { projectId: 'empty-000000000000', mark: null, complete: true, logs: [] })
  const stat = fs.statSync(a.path)
  assert.deepEqual(walk.get(a.projectId)!.logs, [{ id: a.id, projectId: a.projectId, path: a.path, ino: stat.ino, born: stat.birthtimeMs, size: stat.size }])
  assert.equal(walk.get(a.projectId)!.complete, true)
  assert.equal(walk.get(b.projectId)!.logs[0]!.id, b.id)
})

test('walkLogs: a folder changed in the last seconds gets no mark (a change in the same tick could not be told)', async t => {
  const { j, dir, layout } = setup(t)
  const s = await j.create({ project: path.join(dir, 'a') })
  await s.close()
  const [project] = await walkLogs(layout)
  assert.equal(project!.mark, null)
  assert.equal(project!.complete, true)
})

test('walkLogs with marks: an unchanged project lists only logs a writer holds; any entry made or removed walks it again', async t => {
  const { j, dir, layout } = setup(t)
  const walk = (marks: Map<string, string>) => walkLogs(layout, marks, 0)
  const quiet = await j.create({ project: path.join(dir, 'a') })
  await quiet.close()
  let marks = marksOf(await walk(new Map()))

  // Unchanged: nothing is stat'ed (no writer was live).
  let [p] = await walk(marks)
  assert.deepEqual({ complete: p!.complete, logs: p!.logs }, { complete: false, logs: [] })

  // A writer opens (its lock folder is an entry): the project is walked again, and its log marked live.
  const live = await j.create({ project: path.join(dir, 'a') })
  ;[p] = await walk(marks)
  assert.equal(p!.complete, true)
  assert.deepEqual(p!.logs.map(l => l.id).sort(), [quiet.id, live.id].sort())
  marks = marksOf([p!])

  // While it writes, only its log is looked at, with its new size.
  await live.message({ role: 'user', parts: [{ type: 'text', text: 'growing' }] })
  ;[p] = await walk(marks)
  assert.equal(p!.complete, false)
  assert.deepEqual(p!.logs.map(l => [l.id, l.size]), [[live.id, fs.statSync(live.path).size]])

  // It closes: walked again, and then quiet.
  await live.close()
  ;[p] = await walk(marks)
  assert.equal(p!.complete, true)
  marks = marksOf([p!])
  ;[p] = await walk(marks)
  assert.deepEqual({ complete: p!.complete, logs: p!.logs }, { complete: false, logs: [] })

  // A log deleted: walked again, without it.
  await j.delete(quiet.id)
  ;[p] = await walk(marks)
  assert.equal(p!.complete, true)
  assert.deepEqual(p!.logs.map(l => l.id), [live.id])
})

test('LogStore.scanFrom: the events after a position, and where the scan stopped', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'a'), title: 't' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'one' }] })
  const store = new LogStore({ root, fsync: 'never', batchMs: 0, maxLineBytes: 1 << 20, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  const first: string[] = []
  const middle = await store.scanFrom(s, { offset: 0, lines: 0, lastSeq: -1 }, events => first.push(...events.map(e => e.type)))
  assert.deepEqual(first, ['session', 'message'])
  assert.deepEqual(middle.position, { offset: fs.statSync(s.path).size, lines: 2, lastSeq: 1 })
  await s.title('two')
  await s.close()
  const rest: string[] = []
  const end = await store.scanFrom(s, middle.position, events => rest.push(...events.map(e => e.type)))
  assert.deepEqual(rest, ['title'])
  assert.deepEqual(end.position, { offset: fs.statSync(s.path).size, lines: 3, lastSeq: 2 })
})
