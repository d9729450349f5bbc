import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { countLogReadSyncs, tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'
import { isSessionId, newId } from '../../lib/core/ids.js'
import { Layout, projectIdOf } from '../../lib/core/paths.js'
import { listSessions } from '../../lib/core/list.js'
import { INDEX_VERSION } from '../../lib/core/list-cache.js'
import type { OpenSession, Session } from '../../lib/core/session.js'

function setup(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  return { root, dir, j: new Journal({ root, fsync: 'never' }) }
}

const at = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString()

/** Moves a session's `updated` to a chosen time: a host event stamped then. */
async function touch(s: Session, n: number): Promise<void> {
  await (s as OpenSession).record({ type: 'x.test.touch', data: null }, at(n))
}

/** Where a row's fields are in index.json's arrays (list-cache.ts). */
const INO = 0, BORN = 1, OFFSET = 2, TITLE = 4, UPDATED = 7

/** The rows: the index's first line (the second holds what extending a summary needs). */
function indexOf(root: string, projectId: string): { version: number, sessions: Record<string, unknown[]> } {
  return JSON.parse(firstLine(path.join(root, 'projects', projectId, 'index.json')))
}

function firstLine(file: string): string {
  return fs.readFileSync(file, 'utf8').split('\n')[0]!
}

/** Replaces the rows line, keeping the state line as it was. */
function writeRows(file: string, rows: unknown): void {
  const state = fs.readFileSync(file, 'utf8').split('\n')[1]!
  fs.writeFileSync(file, `${typeof rows === 'string' ? rows : JSON.stringify(rows)}\n${state}\n`)
}

test('list: a row has the folded title, times and message count (after reverts and repeated ids)', async t => {
  const { j, dir } = setup(t)
  const project = path.join(dir, 'p')
  const parent = newId()
  const s = await j.create({ project, title: 'first', parentId: parent })
  await s.message({ id: 'm1', role: 'user' })
  await s.message({ id: 'm2', role: 'assistant' })
  await s.message({ id: 'm3', role: 'user' })
  await s.revert('m2')
  await s.message({ id: 'm4', role: 'assistant' })
  await s.message({ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'edited' }] }) // replaces, not a new message
  await s.title('second')
  await (s as OpenSession).record({ type: 'share', url: 'https://s/x', shareId: 'x' })
  await touch(s, 100)
  await s.close()
  const history = await j.read(s.id)
  assert.deepEqual(await j.list(), [{
    id: s.id,
    projectId: projectIdOf(project),
    projectPath: project,
    title: 'second',
    parentId: parent,
    created: history.info.created,
    updated: at(100),
    titleFromPrompt: false,
    messages: 2,
    roles: { user: 1, assistant: 1, system: 0 },
    tools: Object.create(null),
    shared: true,
    damaged: false,
    firstPrompt: 'edited', lastPrompt: 'edited', usage: history.info.usage,
  }])
  assert.equal(history.messages.length, 2)
  // The same first prompt read() folds: the first user message's first text.
  assert.equal(history.messages.find(m => m.role === 'user')!.parts[0]!.text, 'edited')
})

test('list: newest updated first, ties broken by the larger id first; project filter; limit', async t => {
  const { j, dir } = setup(t)
  const p1 = path.join(dir, 'one')
  const p2 = path.join(dir, 'two')
  const a = await j.create({ project: p1 })
  const b = await j.create({ project: p2 })
  const c = await j.create({ project: p1 })
  const d = await j.create({ project: p2 })
  await touch(a, 30)
  await touch(b, 10)
  await touch(c, 20)
  await touch(d, 20) // ties with c; d's id is larger (made later)
  for (const s of [a, b, c, d]) await s.close()
  assert.ok(d.id > c.id)
  assert.deepEqual((await j.list()).map(r => r.id), [a.id, d.id, c.id, b.id])
  assert.deepEqual((await j.list({ project: p1 })).map(r => r.id), [a.id, c.id])
  assert.deepEqual((await j.list({ project: `${p2}/` })).map(r => r.id), [d.id, b.id])
  assert.deepEqual((await j.list({ project: path.join(dir, 'none') })), [])
  assert.deepEqual((await j.list({ limit: 2 })).map(r => r.id), [a.id, d.id])
  assert.deepEqual((await j.list({ limit: 0 })), [])
  assert.deepEqual((await j.list({ project: p2, limit: 1 })).map(r => r.id), [d.id])
})

test('list: an empty or missing root lists nothing', async t => {
  const { j } = setup(t)
  assert.deepEqual(await j.list(), [])
})

test('list: the index is used when the log is unchanged (a marker put into it shows)', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'real' })
  await s.close()
  assert.equal((await j.list())[0]!.title, 'real')
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  const index = indexOf(root, s.projectId)
  assert.equal(index.version, INDEX_VERSION)
  index.sessions[s.id]![TITLE] = 'MARKER'
  writeRows(indexFile, JSON.stringify(index))
  assert.equal((await j.list())[0]!.title, 'MARKER', 'the cached summary was used, the log not read')
})

test('list: after appends the cached summary is extended from where it stopped, not rebuilt', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'real' })
  await s.message({ id: 'm1', role: 'user' })
  await s.close()
  await j.list()
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  const index = indexOf(root, s.projectId)
  index.sessions[s.id]![TITLE] = 'MARKER'
  writeRows(indexFile, JSON.stringify(index))
  const r = await j.resume(s.id)
  await r.message({ id: 'm2', role: 'assistant' })
  await touch(r, 500)
  await r.close()
  const [row] = await j.list()
  assert.equal(row!.title, 'MARKER', 'the head of the log was not read again')
  assert.equal(row!.messages, 2)
  assert.equal(row!.updated, at(500))
  // ...and the extended summary was saved.
  assert.equal(indexOf(root, s.projectId).sessions[s.id]![TITLE], 'MARKER')
  const r2 = await j.resume(s.id)
  await r2.title('newer')
  await r2.close()
  assert.equal((await j.list())[0]!.title, 'newer')
})

test('list: a stale summary (log replaced: another inode; or shorter) is rebuilt from the log', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'real' })
  await s.close()
  await j.list()
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  const marked = indexOf(root, s.projectId)
  marked.sessions[s.id]![TITLE] = 'MARKER'
  writeRows(indexFile, JSON.stringify(marked))
  // Same bytes, new inode.
  fs.copyFileSync(s.path, `${s.path}.copy`)
  fs.renameSync(`${s.path}.copy`, s.path)
  assert.equal((await j.list())[0]!.title, 'real')
  // Same inode, fewer bytes than the summary read: rebuilt too.
  marked.sessions[s.id]![INO] = fs.statSync(s.path).ino
  marked.sessions[s.id]![BORN] = fs.statSync(s.path).birthtimeMs
  marked.sessions[s.id]![OFFSET] = fs.statSync(s.path).size + 100
  writeRows(indexFile, JSON.stringify(marked))
  assert.equal(indexOf(root, s.projectId).sessions[s.id]![TITLE], 'MARKER')
  assert.equal((await j.list())[0]!.title, 'real')
})

test('list: a garbled or foreign index.json still gives the right rows, and is rewritten', async t => {
  const { j, dir, root } = setup(t)
  const project = path.join(dir, 'p')
  const a = await j.create({ project, title: 'A' })
  await a.message({ role: 'user' })
  await touch(a, 2)
  await a.close()
  const b = await j.create({ project, title: 'B' })
  await touch(b, 1)
  await b.close()
  const expected = await j.list()
  assert.deepEqual(expected.map(r => [r.title, r.messages]), [['A', 1], ['B', 0]])
  const indexFile = path.join(root, 'projects', a.projectId, 'index.json')
  for (const garbage of [
    '{"version":1,"sessions":{', // cut short
    '\0\0\0\0',
    '[]',
    'null',
    `{"version":${INDEX_VERSION},"sessions":{}}`,
    JSON.stringify({ version: INDEX_VERSION, projectPath: null, sessions: { [a.id]: { title: 'no ino' }, [b.id]: 'x' } }),
  ]) {
    fs.writeFileSync(indexFile, garbage)
    assert.deepEqual(await j.list(), expected, garbage)
    assert.equal(indexOf(root, a.projectId).version, INDEX_VERSION)
  }
  fs.rmSync(indexFile)
  assert.deepEqual(await j.list(), expected)
})

test('list: share, unshare and repair do not move updated; an index of the older rule (version 1) is rebuilt, not trusted', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'talk' })
  await s.message({ role: 'user' })
  await touch(s, 50)
  await (s as OpenSession).record({ type: 'share', url: 'https://s/x', shareId: 'x' }, at(60))
  await (s as OpenSession).record({ type: 'unshare' }, at(70))
  await (s as OpenSession).record({ type: 'repair', offset: 1, length: 1, file: 'f' }, at(80))
  await s.close()
  const [row] = await j.list()
  assert.deepEqual([row!.updated, row!.shared], [at(50), false])
  assert.equal((await j.read(s.id)).info.updated, at(50), 'read() and list() agree')
  // What version 1 kept for this log: the same summary, but `updated` moved by the last event.
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  const old = JSON.parse(firstLine(indexFile)) as { version: number, sessions: Record<string, unknown[]> }
  old.version = 1
  old.sessions[s.id]![UPDATED] = at(80)
  writeRows(indexFile, JSON.stringify(old))
  assert.equal((await j.list())[0]!.updated, at(50))
  assert.equal(indexOf(root, s.projectId).version, INDEX_VERSION)
})

test('list: a damaged log is listed with damaged: true; the others are complete; a torn tail is not damage', async t => {
  const { j, dir } = setup(t)
  const project = path.join(dir, 'p')
  const good = await j.create({ project, title: 'good' })
  await good.message({ role: 'user' })
  await good.close()
  const bad = await j.create({ project, title: 'bad' })
  await bad.message({ role: 'user' })
  await bad.close()
  fs.appendFileSync(bad.path, 'garbage in the middle\n')
  const torn = await j.create({ project, title: 'torn' })
  await torn.close()
  fs.appendFileSync(torn.path, '{"seq":1,"ts"')
  const rows = new Map((await j.list()).map(r => [r.title, r]))
  assert.deepEqual([...rows.keys()].sort(), ['bad', 'good', 'torn'])
  assert.deepEqual([rows.get('good')!.damaged, rows.get('good')!.messages], [false, 1])
  assert.deepEqual([rows.get('bad')!.damaged, rows.get('bad')!.messages], [true, 1])
  assert.deepEqual([rows.get('torn')!.damaged, rows.get('torn')!.messages], [false, 0])
  // Damage found once stays known when the row comes from the index.
  assert.equal((await j.list()).find(r => r.id === bad.id)!.damaged, true)
})

test('list: a directory named like a log is one damaged row, never hiding the others; other names are ignored', async t => {
  const { j, dir } = setup(t)
  const project = path.join(dir, 'p')
  const s = await j.create({ project, title: 'real' })
  await s.close()
  const sessions = path.dirname(s.path)
  const dirId = newId()
  fs.mkdirSync(path.join(sessions, `${dirId}.ndjson`))
  fs.writeFileSync(path.join(sessions, 'notes.txt'), 'x')
  fs.writeFileSync(path.join(sessions, 'not-an-id.ndjson'), 'x')
  fs.writeFileSync(path.join(sessions, `${s.id}.ndjson.torn-10`), 'x')
  fs.mkdirSync(path.join(j.root, 'projects', 'Not A Project'))
  const rows = await j.list()
  assert.deepEqual(rows.map(r => [r.id, r.title, r.damaged]).sort(), [[dirId, null, true], [s.id, 'real', false]].sort())
  assert.equal(rows.find(r => r.id === dirId)!.projectPath, project)
})

test('list: deleted sessions disappear, from the rows and from the index', async t => {
  const { j, dir, root } = setup(t)
  const project = path.join(dir, 'p')
  const a = await j.create({ project })
  await a.close()
  const b = await j.create({ project })
  await b.close()
  const c = await j.create({ project })
  await c.close()
  assert.equal((await j.list()).length, 3)
  await j.delete(a.id)
  fs.rmSync(b.path) // removed behind the journal's back
  assert.deepEqual((await j.list()).map(r => r.id), [c.id])
  assert.deepEqual(Object.keys(indexOf(root, c.projectId).sessions), [c.id])
})

test('a torn tail is re-checked on every list but does not rewrite the index each time', async t => {
  const { j, dir, root } = setup(t)
  const project = path.join(dir, 'p')
  const s = await j.create({ project, title: 'torn' })
  await s.close()
  fs.appendFileSync(s.path, '{"seq":1,"ts":"2')
  const indexFile = path.join(root, 'projects', projectIdOf(project), 'index.json')
  assert.equal((await j.list())[0]!.title, 'torn')
  const first = fs.statSync(indexFile).ino
  assert.equal((await j.list())[0]!.title, 'torn')
  assert.equal(fs.statSync(indexFile).ino, first) // atomic rewrites would give a new inode
})

/**
 * list() reads a bounded number of bytes per session: with the index fresh it reads no log at
 * all (only each project's index.json), and after appends only the appended bytes; a cold
 * list reads every log exactly once. Counted through the FileHandle prototype and readSync
 * (the reader's only ways to read logs: large logs stream, small ones are read whole) and
 * readFileSync (the index's), not timed.
 */
test('list reads every log once when cold, no log bytes when the index is fresh, and only the appended bytes after appends', async t => {
  const { j, dir } = setup(t)
  const sessions: Session[] = []
  for (let i = 0; i < 12; i++) {
    const s = await j.create({ project: path.join(dir, `p${i % 3}`), title: `s${i}` })
    // Two logs past the size read synchronously (scan-pool.ts), so both ways are counted.
    for (let m = 0; m < (i % 6 === 0 ? 200 : 40); m++) await s.message({ role: 'user', parts: [{ type: 'text', text: 'x'.repeat(2000) }] })
    await s.close()
    sessions.push(s)
  }
  const totalLogBytes = sessions.reduce((n, s) => n + fs.statSync(s.path).size, 0)

  const counter = await readCounter(t, sessions[0]!.path)
  await j.list() // cold: builds the indexes, reading every log once
  assert.equal(counter.logBytes, totalLogBytes)
  const large = sessions.filter((_, i) => i % 6 === 0).reduce((n, s) => n + fs.statSync(s.path).size, 0)
  assert.equal(counter.streamedBytes, large, 'the two large logs streamed, the small ones were read whole')

  counter.logBytes = 0
  counter.indexBytes = 0
  const rows = await j.list()
  assert.equal(rows.length, 12)
  assert.equal(counter.logBytes, 0)
  assert.ok(counter.indexBytes > 0 && counter.indexBytes < 12 * 4096, `index reads: ${counter.indexBytes} bytes for 12 sessions`)

  const s = await j.resume(sessions[5]!.id)
  const before = fs.statSync(s.path).size
  await s.title('appended')
  await s.close()
  const appended = fs.statSync(s.path).size - before
  counter.logBytes = 0
  const after = await j.list()
  assert.equal(after.find(r => r.id === s.id)?.title, 'appended')
  assert.equal(counter.logBytes, appended)
})

/**
 * A warm list reads each index's first line (the rows), not the second (message ids, roles,
 * tool calls, usage buckets: what only extending a summary needs). Reads double from 4 KiB, so
 * at most about twice a project's rows are read, whatever the sessions' length; after an
 * append the state line is read and the summary extended from where it stopped.
 */
test('a warm list reads the rows of each index, not the state behind them; a grown log is extended from that state', async t => {
  const { j, dir, root } = setup(t)
  const sessions: Session[] = []
  for (let i = 0; i < 8; i++) {
    const s = await j.create({ project: path.join(dir, `p${i % 2}`), title: `s${i}` })
    for (let m = 0; m < 300; m++) await s.message({ role: m % 2 ? 'assistant' : 'user', parts: [{ type: 'text', text: `m${m}` }] })
    await s.close()
    sessions.push(s)
  }
  await j.list()
  const projects = [...new Set(sessions.map(s => s.projectId))]
  const lines = projects.map(p => fs.readFileSync(path.join(root, 'projects', p, 'index.json'), 'utf8').split('\n'))
  const rowBytes = lines.reduce((n, [rows]) => n + Buffer.byteLength(rows!) + 1, 0)
  const stateBytes = lines.reduce((n, [, state]) => n + Buffer.byteLength(state!), 0)
  assert.ok(stateBytes > 8 * rowBytes, `the message ids (${stateBytes} bytes) outweigh the rows (${rowBytes})`)
  const counter = await readCounter(t, sessions[0]!.path)
  const rows = await j.list()
  assert.equal(rows.length, 8)
  assert.ok(rows.every(r => r.messages === 300 && r.lastPrompt === 'm298'))
  assert.equal(counter.logBytes, 0)
  assert.ok(counter.indexBytes >= rowBytes && counter.indexBytes <= 2 * rowBytes + 4096 * projects.length,
    `index bytes read: ${counter.indexBytes}, rows ${rowBytes}, state ${stateBytes}`)

  const r = await j.resume(sessions[1]!.id)
  const before = fs.statSync(r.path).size
  await r.revert((await j.read(r.id)).messages[299]!.id)
  await r.message({ role: 'user', parts: [{ type: 'text', text: 'grown' }] })
  await r.close()
  counter.logBytes = 0
  const row = (await j.list()).find(x => x.id === r.id)!
  assert.equal(counter.logBytes, fs.statSync(r.path).size - before, 'only the appended bytes were read')
  assert.deepEqual([row.messages, row.roles, row.lastPrompt], [300, { user: 151, assistant: 149, system: 0 }, 'grown'])
  const folded = await j.read(r.id)
  assert.equal(folded.messages.length, 300)
})

/** Counts bytes read from logs (streamed through FileHandle.read, or whole through fs.readSync) and from index files (readSync of a file opened as index.json, readFileSync). */
async function readCounter(t: TestContext, anyFile: string): Promise<{ logBytes: number, streamedBytes: number, indexBytes: number }> {
  const probe = await fs.promises.open(anyFile, 'r')
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> }
  await probe.close()
  const originalRead = proto.read
  const originalReadSync = fs.readSync
  const originalReadFileSync = fs.readFileSync
  const originalOpenSync = fs.openSync
  const indexFds = new Set<number>()
  const counter = { logBytes: 0, streamedBytes: 0, indexBytes: 0 }
  ;(fs as { openSync: unknown }).openSync = (...args: Parameters<typeof fs.openSync>) => {
    const fd = originalOpenSync(...args)
    if (String(args[0]).endsWith('index.json')) indexFds.add(fd)
    else indexFds.delete(fd)
    return fd
  }
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const result = await originalRead.apply(this, args)
    counter.logBytes += result.bytesRead
    counter.streamedBytes += result.bytesRead
    return result
  }
  ;(fs as { readSync: unknown }).readSync = (...args: Parameters<typeof fs.readSync>) => {
    const bytesRead = originalReadSync(...args)
    if (indexFds.has(args[0])) counter.indexBytes += bytesRead
    else counter.logBytes += bytesRead
    return bytesRead
  }
  ;(fs as { readFileSync: unknown }).readFileSync = (...args: Parameters<typeof fs.readFileSync>) => {
    const out = originalReadFileSync(...args)
    counter.indexBytes += out.length
    return out
  }
  t.after(() => {
    proto.read = originalRead
    ;(fs as { readSync: unknown }).readSync = originalReadSync
    ;(fs as { readFileSync: unknown }).readFileSync = originalReadFileSync
    ;(fs as { openSync: unknown }).openSync = originalOpenSync
  })
  return counter
}

test('list: the digest is extended from the appended bytes alone (a new prompt, tool calls streamed); a revert of the last prompt reads the log again', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'digest' })
  for (let i = 0; i < 20; i++) await s.message({ role: 'user', parts: [{ type: 'text', text: `prompt ${i} ${'x'.repeat(1000)}` }] })
  const counter = await readCounter(t, s.path)
  await j.list()
  const appendedSince = async (step: () => Promise<unknown>) => {
    const before = fs.statSync(s.path).size
    await step()
    counter.logBytes = 0
    const [row] = await j.list()
    return { appended: fs.statSync(s.path).size - before, read: counter.logBytes, row: row! }
  }
  let r = await appendedSince(async () => {
    await s.message({ role: 'user', parts: [{ type: 'text', text: 'the last prompt' }] })
    const a = await s.message({ role: 'assistant', parts: [] })
    await s.part(a, { id: 'k', type: 'tool', tool: 'bash', state: { status: 'running' } })
    await s.part(a, { id: 'k', type: 'tool', tool: 'bash', state: { status: 'completed' } })
  })
  assert.equal(r.read, r.appended)
  assert.deepEqual([r.row.lastPrompt, { ...r.row.tools }, r.row.roles], ['the last prompt', { bash: 1 }, { user: 21, assistant: 1, system: 0 }])
  // A revert of the last prompt: only the log says which prompt came before it.
  const lastUser = (await j.read(s.id)).messages.at(-2)!.id
  r = await appendedSince(() => s.revert(lastUser))
  assert.ok(r.read > r.appended && r.read >= fs.statSync(s.path).size, `${r.read} bytes read`)
  assert.deepEqual([r.row.lastPrompt?.slice(0, 9), { ...r.row.tools }, r.row.messages], ['prompt 19', {}, 20])
  await s.close()
})

test('list: a summary of another file with the same inode (birth time differs) is rebuilt, not trusted', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'real' })
  await s.close()
  await j.list()
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  const index = indexOf(root, s.projectId)
  index.sessions[s.id]![TITLE] = 'MARKER'
  ;(index.sessions[s.id]![BORN] as number) -= 1000 // as if the log had been deleted and made again on a reused inode
  writeRows(indexFile, JSON.stringify(index))
  assert.equal((await j.list())[0]!.title, 'real')
})

test('list: the digest (roles, tools, last prompt, title from the prompt) follows appends, part updates and reverts, listed after each step as read() folds it', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p') })
  const tool = (id: string, status: string) => ({ id, type: 'tool', tool: 'bash', callID: id, state: { status, input: { command: 'ls' } } })
  const digest = async () => {
    const [row] = await j.list()
    return { title: row!.title, titleFromPrompt: row!.titleFromPrompt, roles: row!.roles, tools: { ...row!.tools }, firstPrompt: row!.firstPrompt, lastPrompt: row!.lastPrompt, messages: row!.messages }
  }
  assert.deepEqual(await digest(), { title: null, titleFromPrompt: false, roles: { user: 0, assistant: 0, system: 0 }, tools: {}, firstPrompt: null, lastPrompt: null, messages: 0 })
  const u1 = await s.message({ role: 'user', parts: [{ type: 'text', text: 'Why does   the build fail?' }] })
  const a1 = await s.message({ role: 'assistant', parts: [] })
  await s.part(a1, tool('k1', 'running'))
  assert.deepEqual(await digest(), { title: 'Why does the build fail?', titleFromPrompt: true, roles: { user: 1, assistant: 1, system: 0 }, tools: { bash: 1 }, firstPrompt: 'Why does the build fail?', lastPrompt: 'Why does the build fail?', messages: 2 })
  await s.part(a1, tool('k1', 'completed')) // the same call, updated: still one
  const u2 = await s.message({ role: 'user', parts: [{ type: 'text', text: 'And the tests?' }] })
  await s.message({ role: 'assistant', parts: [{ id: 'r', type: 'tool', tool: 'read' }] })
  assert.deepEqual((await digest()).tools, { bash: 1, read: 1 })
  assert.equal((await digest()).lastPrompt, 'And the tests?')
  // Cutting the last prompt needs an earlier user message: the cached summary is rebuilt from the log.
  await s.revert(u2)
  await s.title('Build failure')
  assert.deepEqual(await digest(), { title: 'Build failure', titleFromPrompt: false, roles: { user: 1, assistant: 1, system: 0 }, tools: { bash: 1 }, firstPrompt: 'Why does the build fail?', lastPrompt: 'Why does the build fail?', messages: 2 })
  await s.revert(u1)
  assert.deepEqual(await digest(), { title: 'Build failure', titleFromPrompt: false, roles: { user: 0, assistant: 0, system: 0 }, tools: {}, firstPrompt: null, lastPrompt: null, messages: 0 })
  await s.close()
  // An index of version 3 (no digest fields) is rebuilt, not shown without them.
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  const old = JSON.parse(firstLine(indexFile)) as { version: number, sessions: Record<string, unknown[]> }
  old.version = 3
  old.sessions[s.id]!.length = 13 // no prompts, no usage
  writeRows(indexFile, JSON.stringify(old))
  assert.deepEqual((await digest()).roles, { user: 0, assistant: 0, system: 0 })
  assert.equal(indexOf(root, s.projectId).version, INDEX_VERSION)
})

test('usage by day from the listing cache: a state line lost (another lister raced, or cut by hand) is read again from the log, the totals stay right', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p') })
  await (s as OpenSession).record({ type: 'usage', key: 'k1', model: 'm', input: 3, output: 4 }, '2026-03-28T10:00:00.000Z')
  await (s as OpenSession).record({ type: 'usage', key: 'k2', model: 'm', input: 5, output: 1 }, '2026-03-29T10:00:00.000Z')
  await s.close()
  const byDay = async () => (await j.usage({ by: 'day', timeZone: 'UTC' })).rows.map(r => [r.group, r.input])
  const expected = [['2026-03-28', 3], ['2026-03-29', 5]]
  assert.deepEqual(await byDay(), expected)
  const indexFile = path.join(root, 'projects', s.projectId, 'index.json')
  fs.writeFileSync(indexFile, `${firstLine(indexFile)}\n`)
  const counter = await readCounter(t, s.path)
  assert.equal((await j.list())[0]!.usage.input, 8, 'a plain list needs no state line')
  assert.equal(counter.logBytes, 0)
  assert.deepEqual(await byDay(), expected)
  assert.equal(counter.logBytes, fs.statSync(s.path).size, 'the log was read again, once')
  assert.ok(fs.readFileSync(indexFile, 'utf8').split('\n')[1]!.includes('"buckets":{'), 'and its state saved')
})

/** The folder marks (folder-mark.ts): listSessions with `racyMs: 0`, so a folder just changed can be marked. */
function marked(t: TestContext, options: { lockStaleMs?: number } = {}) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const j = new Journal({ root, fsync: 'never', ...options })
  const layout = new Layout(root)
  const list = (packAt?: number) => listSessions(layout, { racyMs: 0, ...(packAt === undefined ? {} : { packAt }) })
  const logStats = (): { files: string[] } => {
    const seen = { files: [] as string[] }
    const real = fs.statSync
    t.mock.method(fs, 'statSync', function (this: unknown, file: fs.PathLike, ...rest: unknown[]) {
      if (String(file).endsWith('.ndjson')) seen.files.push(path.basename(String(file), '.ndjson'))
      return (real as (...a: unknown[]) => unknown).call(fs, file, ...rest)
    })
    return seen
  }
  const indexFile = (project: string) => layout.indexFile(projectIdOf(project))
  const markOf = (project: string) => (JSON.parse(firstLine(indexFile(project))) as { mark: string | null }).mark
  return { j, dir, root, layout, list, logStats, markOf, indexFile }
}

/** A closed session and one held open in `project`, listed a tick later (the mark names the open one). */
async function quietAndLive(j: Journal, list: () => Promise<unknown>, project: string): Promise<{ quiet: Session, live: Session }> {
  const quiet = await j.create({ project, title: 'quiet' })
  await quiet.close()
  const live = await j.create({ project, title: 'live' })
  await tick()
  await list()
  return { quiet, live }
}

// A folder's ctime moves in ticks (a jiffy): changes a test must tell apart are a tick apart.
const tick = () => new Promise(resolve => setTimeout(resolve, 20))

test('list with a folder mark: a folder unchanged since its rows were made stats no log, and lists the same rows', async t => {
  const { j, dir, list, logStats, markOf } = marked(t)
  const project = path.join(dir, 'p')
  for (let i = 0; i < 3; i++) {
    const s = await j.create({ project, title: `s${i}` })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `prompt ${i}` }] })
    await s.close()
  }
  await tick()
  const first = await list()
  assert.equal(first.length, 3)
  assert.match(markOf(project)!, /^\d+:\d+$/, 'inode:ctime, no writer live')
  const stats = logStats()
  assert.deepEqual(await list(), first)
  assert.deepEqual(stats.files, [], 'no log stat\'ed')
})

test('list with a folder mark: a live writer\'s log is stat\'ed and its appends listed; when it closes the folder is walked again', async t => {
  const { j, dir, list, logStats, markOf } = marked(t)
  const project = path.join(dir, 'p')
  const { quiet, live } = await quietAndLive(j, list, project)
  assert.equal(markOf(project)!.split(' ')[1], live.id, 'the writer is in the mark')
  const stats = logStats()
  await live.message({ role: 'user', parts: [{ type: 'text', text: 'growing' }] })
  let rows = await list()
  assert.equal(rows.find(r => r.id === live.id)?.messages, 1)
  assert.deepEqual(stats.files, [live.id], 'only the live log')
  await tick()
  await live.message({ role: 'assistant', parts: [{ type: 'text', text: 'more' }] })
  await live.close()
  stats.files.length = 0
  rows = await list()
  assert.equal(rows.find(r => r.id === live.id)?.messages, 2)
  assert.deepEqual(stats.files.sort(), [quiet.id, live.id].sort(), 'the writer left: every log stat\'ed')
  assert.doesNotMatch(markOf(project)!, / /, 'and no writer in the new mark')
})

test('list with a folder mark: a log changed without the lock is seen once its folder changes (created, deleted, replaced logs always are)', async t => {
  const { j, dir, list, markOf } = marked(t)
  const project = path.join(dir, 'p')
  const s = await j.create({ project, title: 't' })
  await s.message({ id: 'm1', role: 'user' })
  await s.close()
  const head = fs.statSync(s.path).size
  const again = await j.resume(s.id)
  await again.message({ id: 'm2', role: 'user' })
  await again.close()
  const line = fs.readFileSync(s.path).subarray(head)
  fs.truncateSync(s.path, head) // in place: the folder does not change
  await tick()
  assert.equal((await list())[0]!.messages, 1)
  assert.ok(markOf(project))
  fs.appendFileSync(s.path, line) // by hand, no lock: the documented blind spot
  assert.equal((await list())[0]!.messages, 1)

  await tick()
  const other = await j.create({ project, title: 'other' })
  await other.close()
  let rows = await list()
  assert.equal(rows.find(r => r.id === s.id)?.messages, 2, 'seen once the folder changed')

  await tick()
  const copy = path.join(dir, 'copy.ndjson')
  fs.copyFileSync(s.path, copy)
  fs.truncateSync(copy, head)
  fs.renameSync(copy, s.path) // replaced: another inode in the folder
  rows = await list()
  assert.equal(rows.find(r => r.id === s.id)?.messages, 1)

  await tick()
  await j.delete(other.id)
  rows = await list()
  assert.deepEqual(rows.map(r => r.id), [s.id])
})

test('list with a folder mark: a folder with a staging file, an unreadable log, or changed moments ago gets no mark', async t => {
  const { j, dir, root, list, markOf } = marked(t)
  const project = path.join(dir, 'p')
  const s = await j.create({ project })
  await s.close()
  const sessions = path.dirname(s.path)
  const staged = newId()
  fs.writeFileSync(path.join(sessions, `.${staged}.ndjson.importing`), '')
  await tick()
  await list()
  assert.equal(markOf(project), null, 'a staging file (removed by this list: no importer holds it)')
  assert.equal(fs.existsSync(path.join(sessions, `.${staged}.ndjson.importing`)), false)
  await tick()
  await list()
  assert.ok(markOf(project), 'marked once it is gone')

  const odd = newId()
  fs.mkdirSync(path.join(sessions, `${odd}.ndjson`))
  await tick()
  const rows = await list()
  assert.deepEqual(rows.find(r => r.id === odd)?.damaged, true)
  // Not marked (a mark would leave it out of the rows next time: it has none in the index).
  assert.deepEqual((await list()).find(r => r.id === odd)?.damaged, true)
  assert.deepEqual((await list()).find(r => r.id === odd)?.damaged, true)

  // The default: a folder changed in the last few seconds is not marked (a change in the same tick could not be told).
  fs.rmdirSync(path.join(sessions, `${odd}.ndjson`))
  await (await j.create({ project })).close()
  assert.equal((await listSessions(new Layout(root))).length, 2)
  assert.equal(markOf(project), null)
})

type RowsLine = { version: number, projectPath: string | null, mark: string | null, sessions: Record<string, unknown[]> }

/** Rewrites an index's first line (the rows), keeping its state line. */
function editRows(file: string, edit: (rows: RowsLine) => void): void {
  const [first, ...rest] = fs.readFileSync(file, 'utf8').split('\n')
  const rows = JSON.parse(first!) as RowsLine
  edit(rows)
  fs.writeFileSync(file, [JSON.stringify(rows), ...rest].join('\n'))
}

/** A marked root with one closed session in project `p`, listed once (its index marked). */
async function oneMarked(t: TestContext) {
  const root = marked(t)
  const project = path.join(root.dir, 'p')
  const s = await root.j.create({ project, title: 'mine' })
  await s.close()
  await tick()
  await root.list()
  return { ...root, project, s }
}

test('list with a folder mark: an index naming a traversal as a session id opens nothing outside the root and lists no such row', async t => {
  const { dir, list, indexFile, project, s } = await oneMarked(t)
  // A log outside the root, three folders above sessions/ (root/projects/<id>/sessions).
  const outside = path.join(dir, 'outside')
  fs.mkdirSync(outside)
  const evil = '../../../../outside/x'
  fs.writeFileSync(path.join(outside, 'x.ndjson'), `${JSON.stringify({ seq: 0, ts: new Date().toISOString(), type: 'session', version: 1, id: evil, projectId: 'x', projectPath: '/elsewhere', title: 'SECRET', parentId: null, host: null })}\n`)
  editRows(indexFile(project), rows => {
    rows.sessions[evil] = rows.sessions[s.id]!
    rows.mark = `${rows.mark} ${evil}` // "a writer held it": stat it
  })
  const opened: string[] = []
  const open = fs.promises.open
  t.mock.method(fs.promises, 'open', (file: fs.PathLike, ...rest: unknown[]) => {
    opened.push(path.resolve(String(file)))
    return (open as (...a: unknown[]) => unknown)(file, ...rest)
  })
  const openSync = fs.openSync
  t.mock.method(fs, 'openSync', (file: fs.PathLike, ...rest: unknown[]) => {
    opened.push(path.resolve(String(file)))
    return (openSync as (...a: unknown[]) => unknown)(file, ...rest)
  })
  const rows = await list()
  assert.deepEqual({
    opened: opened.filter(file => file.startsWith(outside)),
    listed: rows.filter(r => !isSessionId(r.id)).map(r => [r.id, r.title, r.projectPath]),
  }, { opened: [], listed: [] }, 'no file outside the root opened, only session ids listed')
})

test('list with a folder mark: index keys that are no session ids (escapes, __proto__) are dropped, and the folder walked', async t => {
  const { list, indexFile, project, s } = await oneMarked(t)
  editRows(indexFile(project), rows => {
    rows.sessions['\u001b]0;owned\u0007'] = rows.sessions[s.id]!
  })
  // JSON.parse makes "__proto__" an own key (an assignment would set the prototype): written as text.
  const text = fs.readFileSync(indexFile(project), 'utf8')
  const row = JSON.stringify((JSON.parse(text.split('\n')[0]!) as RowsLine).sessions[s.id])
  fs.writeFileSync(indexFile(project), text.replace('"sessions":{', `"sessions":{"__proto__":${row},`))
  const ids = (await list()).map(r => r.id)
  assert.deepEqual(ids, [s.id], 'as a full walk would: only the logs there are')
})

/** A packed root (two projects), one of its entries edited as text, then a listing that packs again. */
async function repackAfter(t: TestContext, edit: (line: string, row: unknown[]) => string) {
  const { dir, j, list, layout } = marked(t)
  const make = async (name: string) => (await j.create({ project: path.join(dir, name), title: name })).close()
  await make('p0')
  await make('p1')
  await tick()
  await list(2)
  const text = fs.readFileSync(layout.packedIndexFile, 'utf8')
  const line = text.split('\n').find(l => l.startsWith(`${projectIdOf(path.join(dir, 'p0'))}\t`))!
  const row = Object.values((JSON.parse(line.slice(line.indexOf('\t') + 1)) as RowsLine).sessions)[0]!
  fs.writeFileSync(layout.packedIndexFile, text.replace(line, edit(line, row)))
  // Two new projects without an index: this listing packs again (p0's entry is carried over).
  await make('p2')
  await make('p3')
  await tick()
  return list(2)
}

test('packed index: a row whose usage is no usage (200,000 levels deep) is dropped, its project walked, and the next packing writes', async t => {
  // Valid JSON that JSON.parse reads but JSON.stringify cannot write back (the stack overflows).
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
  const rows = await repackAfter(t, (line, row) => line.replace(JSON.stringify(row), `${JSON.stringify(row.slice(0, 16)).slice(0, -1)},{"models":${deep}}]`))
  assert.equal(rows.length, 4)
})

test('packed index: a "__proto__" row is dropped and the next packing writes', async t => {
  const rows = await repackAfter(t, (line, row) => line.replace('"sessions":{', `"sessions":{"__proto__":${JSON.stringify(row)},`))
  assert.equal(rows.length, 4)
})

test('list with a folder mark: a live log that failed to be read once is listed again once it can be (the failure withholds the mark)', async t => {
  const { dir, j, list } = marked(t)
  const { live } = await quietAndLive(j, list, path.join(dir, 'p'))
  await live.message({ role: 'user', parts: [{ type: 'text', text: 'growing' }] })
  // One transient failure (EIO, EMFILE...) stat'ing the live log: that listing flags it damaged, fair enough.
  const statSync = fs.statSync
  let failed = false
  t.mock.method(fs, 'statSync', (file: fs.PathLike, ...rest: unknown[]) => {
    if (!failed && String(file) === live.path) {
      failed = true
      throw Object.assign(new Error(`EIO: i/o error, stat '${live.path}'`), { code: 'EIO' })
    }
    return (statSync as (...a: unknown[]) => unknown)(file, ...rest)
  })
  assert.equal((await list()).find(r => r.id === live.id)?.damaged, true)
  assert.ok(failed)
  // The failure is gone; the writer still holds the session, so the folder has not changed.
  const rows = await list()
  assert.equal(rows.find(r => r.id === live.id)?.messages, 1, 'the live session is listed again')
  await live.close()
})


/** A writer process that dies mid-line: its lock folder stays, its log ends in a torn line. */
function crashedWriter(root: string, project: string): string {
  const journal = fileURLToPath(new URL('../../lib/journal.js', import.meta.url))
  const script = `
    import fs from 'node:fs'
    const { Journal } = await import(${JSON.stringify(journal)})
    const s = await new Journal({ root: ${JSON.stringify(root)}, fsync: 'never' }).create({ project: ${JSON.stringify(project)}, title: 'crashed' })
    await s.message({ role: 'user', parts: [{ type: 'text', text: 'before the crash' }] })
    fs.appendFileSync(s.path, '{"seq":2,"type":"message","role":"us') // the write the crash cut short
    fs.writeSync(1, s.id)
    process.kill(process.pid, 'SIGKILL') // no exit handler runs: the lock folder stays`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.equal(child.signal, 'SIGKILL', child.stderr)
  return child.stdout
}

test('list with a folder mark: after each journal operation (create, live append, title, revert, import, a crashed writer, verify --repair, resume, delete) a marked listing equals one made from no cache', async t => {
  const { dir, root, list, indexFile, j } = marked(t, { lockStaleMs: 2000 })
  const project = path.join(dir, 'p')
  const check = async (step: string) => {
    await tick()
    const marked = await list()
    assert.ok(JSON.parse(firstLine(indexFile(project))).mark, `${step}: the listing before was marked`)
    fs.rmSync(indexFile(project))
    const truth = await list()
    assert.deepEqual(marked, truth, step)
    // The folder as it is now, marked: this listing trusts the mark (stats only the logs a writer holds).
    assert.ok(JSON.parse(firstLine(indexFile(project))).mark, `${step}: marked now`)
    assert.deepEqual(await list(), truth, `${step}, listed again under the new mark`)
  }
  const age = (id: string) => {
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(`${path.join(path.dirname(indexFile(project)), 'sessions', id)}.ndjson.lock`, old, old)
  }
  const a = await j.create({ project, title: 'a' })
  const first = await a.message({ role: 'user', parts: [{ type: 'text', text: 'first' }] })
  await a.close()
  await tick()
  await list()
  const b = await j.create({ project, title: 'b' })
  await check('create, held open')
  await b.message({ role: 'user', parts: [{ type: 'text', text: 'growing' }] })
  await check('append by a live writer')
  const a2 = await j.resume(a.id)
  await a2.title('renamed')
  await a2.revert(first)
  await a2.close()
  await check('resume, title, revert, close')
  await b.close()
  await check('close')
  await j.import(await j.export(a.id), { newId: true })
  await check('import')
  const crashed = crashedWriter(root, project)
  await check('a writer crashed mid-line (its lock left behind)')
  age(crashed)
  const report = await j.verify(crashed, { repair: true })
  assert.ok(report.repaired)
  await check('verify --repair of the crashed writer\'s log (stale lock taken over)')
  const again = crashedWriter(root, project)
  age(again)
  const resumed = await j.resume(again)
  await resumed.message({ role: 'assistant', parts: [{ type: 'text', text: 'after' }] })
  await check('resume after a crash, held open')
  await resumed.close()
  await j.delete(a.id)
  await check('close, delete')
})

/** `projects` projects of one closed session each (titled p0, p1…), listed once by `pack` a tick later. */
async function packedRoot(j: Journal, dir: string, projects: number, pack: () => Promise<unknown>): Promise<string[]> {
  const ids: string[] = []
  for (let p = 0; p < projects; p++) {
    const s = await j.create({ project: path.join(dir, `p${p}`), title: `p${p}` })
    await s.close()
    ids.push(s.id)
  }
  await tick()
  await pack()
  return ids
}

test('packed index: packed projects whose logs grow get their own index.json, even when as many as packAt grow at once', async t => {
  const { dir, j, list, layout, indexFile } = marked(t)
  const ids = await packedRoot(j, dir, 4, () => list(3))
  assert.ok(fs.existsSync(layout.packedIndexFile))
  for (const id of ids.slice(0, 3)) {
    const s = await j.resume(id)
    await s.message({ role: 'user', parts: [{ type: 'text', text: 'more' }] })
    await s.close()
  }
  await tick()
  await list(3)
  // Repacked instead, without states: each of these logs is read whole again at its next append, and again after.
  assert.deepEqual([0, 1, 2].map(p => fs.existsSync(indexFile(path.join(dir, `p${p}`)))), [true, true, true])
})

test('packed index: list({ project }) of a packed root: a grown packed project gets the right rows and its own index, the others stay packed', async t => {
  const { dir, j, list, layout, indexFile } = marked(t)
  const ids = await packedRoot(j, dir, 3, () => list(2))
  const packed = fs.readFileSync(layout.packedIndexFile, 'utf8')
  const s = await j.resume(ids[1]!)
  await s.title('renamed')
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'more' }] })
  await s.close()
  await tick()
  const one = await listSessions(layout, { projectId: projectIdOf(path.join(dir, 'p1')), racyMs: 0, packAt: 2 })
  assert.deepEqual(one.map(r => [r.id, r.title, r.messages]), [[ids[1], 'renamed', 1]])
  assert.ok(fs.existsSync(indexFile(path.join(dir, 'p1'))))
  assert.equal(fs.readFileSync(layout.packedIndexFile, 'utf8'), packed, 'the packed file is left as it was')
  const all = await list(2)
  assert.deepEqual(all.map(r => [r.id, r.title, r.messages]).sort(), [[ids[0], 'p0', 0], [ids[1], 'renamed', 1], [ids[2], 'p2', 0]].sort())
  assert.deepEqual([0, 2].map(p => fs.existsSync(indexFile(path.join(dir, `p${p}`)))), [false, false])
})

test('list opens no cache file that is not a regular file (a FIFO at index.json or packed-index.json would block a synchronous open forever)', async t => {
  const { dir, j, layout, indexFile } = marked(t)
  for (const name of ['p0', 'p1']) await (await j.create({ project: path.join(dir, name), title: name })).close()
  spawnSync('mkfifo', [layout.packedIndexFile, indexFile(path.join(dir, 'p1'))])
  assert.ok(fs.statSync(layout.packedIndexFile).isFIFO())
  // Stands in for the open that would never return (one without O_NONBLOCK): records it, and fails it instead of blocking the test.
  const blocking: string[] = []
  const guard = <F extends (...args: never[]) => unknown>(real: F) => (file: fs.PathLike | number, ...rest: unknown[]) => {
    const nonBlocking = typeof rest[0] === 'number' && (rest[0] & fs.constants.O_NONBLOCK) !== 0
    if (typeof file !== 'number' && !nonBlocking && fs.statSync(file, { throwIfNoEntry: false })?.isFIFO()) {
      blocking.push(path.basename(String(file)))
      throw Object.assign(new Error(`open ${String(file)} would block`), { code: 'EAGAIN' })
    }
    return (real as unknown as (...a: unknown[]) => unknown)(file, ...rest)
  }
  t.mock.method(fs, 'openSync', guard(fs.openSync))
  t.mock.method(fs, 'readFileSync', guard(fs.readFileSync))
  assert.deepEqual((await j.list()).map(r => r.title).sort(), ['p0', 'p1'])
  await j.usage({ by: 'day' }) // reads the state lines too: the same refusal
  assert.deepEqual(blocking, [], 'no FIFO opened')
})

test('list: a file where a project folder should be is no project (not an error)', async t => {
  const { dir, j, root } = marked(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'real' })
  await s.close()
  const fake = path.join(root, 'projects', projectIdOf(path.join(dir, 'q')))
  fs.writeFileSync(fake, 'not a folder')
  assert.deepEqual((await j.list()).map(r => r.title), ['real'])
})


/**
 * A cold list (no rows yet) takes each small log's key from the fstat of the open that reads it:
 * no stat of its own, and one read for a log read whole (it reads as far as that fstat's size,
 * not again to find the end). Counted through spies on the real fs.
 */
test('a cold list makes no stat of its own per log and one read per small log', async t => {
  const { j, dir, list, logStats } = marked(t)
  const sessions: Session[] = []
  for (let i = 0; i < 6; i++) {
    const s = await j.create({ project: path.join(dir, `p${i % 2}`), title: `s${i}` })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `prompt ${i}` }] })
    await s.close()
    sessions.push(s)
  }
  const stats = logStats()
  const { reads } = countLogReadSyncs(t)
  const rows = await list()
  assert.deepEqual(rows.map(r => r.messages), [1, 1, 1, 1, 1, 1])
  assert.deepEqual(stats.files, [], 'no stat of a log')
  assert.deepEqual(reads.sort(), sessions.map(s => s.id).sort(), 'one read per log')
  // The rows' keys are the files read: the next list trusts them without reading a log.
  reads.length = 0
  assert.deepEqual((await list()).map(r => r.id), rows.map(r => r.id))
  assert.deepEqual(reads, [])
})
