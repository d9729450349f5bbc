import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { rejectsWith, tempDir, treeOf } from '../helpers.js'
import { createLogFile, openLogFile, type LogFileSettings, type OpenLog } from '../../lib/core/log-file.js'
import { toLine } from '../../lib/core/event.js'
import { newId } from '../../lib/core/ids.js'
import { Layout, projectIdOf } from '../../lib/core/paths.js'
import { ensureProject } from '../../lib/core/projects.js'
import type { HeaderEvent } from '../../lib/core/types.js'

const settings: LogFileSettings = { sync: false, maxLineBytes: 1024 * 1024, lockStaleMs: 10_000, lockWaitMs: 0 }
const TS = '2024-05-01T10:00:00.000Z'
const mode = (p: string) => fs.statSync(p).mode & 0o777

function setup(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const projectPath = path.join(dir, 'work')
  return { dir, root, projectPath, projectId: projectIdOf(projectPath), layout: new Layout(root) }
}

function header(id: string, projectPath: string, extra: Partial<Omit<HeaderEvent, 'seq'>> = {}): Omit<HeaderEvent, 'seq'> {
  return { ts: TS, type: 'session', version: 1, id, projectId: projectIdOf(projectPath), projectPath, title: 'T', parentId: null, host: { name: 'h' }, ...extra }
}

/** A log made by createLogFile and closed again, with `more` raw bytes appended after its header. */
async function closedLog(layout: Layout, projectPath: string, more = ''): Promise<{ id: string, projectId: string, path: string }> {
  const log = await createLogFile(layout, header(newId(), projectPath), settings)
  await log.close()
  fs.appendFileSync(log.path, more)
  return { id: log.id, projectId: log.projectId, path: log.path }
}

test('createLogFile: writes exactly the header line, file 0600 in 0700 folders, and holds the lock until close', async t => {
  const { root, projectPath, projectId, layout } = setup(t)
  const id = newId()
  const h = header(id, projectPath, { parentId: newId() })
  const log = await createLogFile(layout, h, settings)
  const file = path.join(root, 'projects', projectId, 'sessions', `${id}.ndjson`)
  const expected = Buffer.from(`${JSON.stringify({ seq: 0, ...h })}\n`)
  assert.deepEqual(fs.readFileSync(file), expected)
  assert.deepEqual([log.id, log.projectId, log.projectPath, log.path, log.size, log.nextSeq],
    [id, projectId, projectPath, file, expected.length, 1])
  assert.equal(mode(file), 0o600)
  for (const d of [root, path.join(root, 'projects'), path.join(root, 'projects', projectId), path.dirname(file)]) assert.equal(mode(d), 0o700, d)
  assert.equal(JSON.parse(fs.readFileSync(path.join(root, 'projects', projectId, 'project.json'), 'utf8')).path, projectPath)
  assert.equal(fs.statSync(`${file}.lock`).isDirectory(), true)
  await log.close()
  assert.equal(fs.existsSync(`${file}.lock`), false)
  assert.deepEqual(fs.readFileSync(file), expected, 'close adds nothing')
})

test('createLogFile: ERR_SESSION_EXISTS on an existing log, with nothing changed and no lock left behind', async t => {
  const { dir, projectPath, layout } = setup(t)
  const first = await createLogFile(layout, header(newId(), projectPath), settings)
  await first.close()
  const before = treeOf(dir)
  const error = await rejectsWith(createLogFile(layout, header(first.id, projectPath, { title: 'another', ts: new Date().toISOString() }), settings), 'ERR_SESSION_EXISTS')
  assert.equal(error.path, first.path)
  assert.deepEqual(treeOf(dir), before)
  // The lock was let go: the log can be opened for writing.
  const { log } = await openLogFile(layout, first, settings)
  await log.close()
})

test('createLogFile: a bad project or session id is ERR_INVALID_ID and creates nothing under or beside the root', async t => {
  const { dir, root, projectPath, layout } = setup(t)
  const bad: Array<Partial<Omit<HeaderEvent, 'seq'>>> = [
    { projectId: '../../escaped' },
    { projectId: '../escaped-0123456789ab' },
    { projectId: 'Not A Project' },
    { projectId: '' },
    { id: 'not-a-ulid' },
    { id: '../../../escaped' },
    { id: newId().toLowerCase() },
  ]
  const check = async () => {
    const before = treeOf(dir)
    for (const extra of bad) {
      await rejectsWith(createLogFile(layout, header(newId(), projectPath, extra), settings), 'ERR_INVALID_ID')
      assert.deepEqual(treeOf(dir), before, JSON.stringify(extra))
    }
  }
  await check() // the root does not exist yet: it must not be made either
  assert.equal(fs.existsSync(root), false)
  await (await createLogFile(layout, header(newId(), projectPath), settings)).close()
  await check() // nor may anything be added once it does
})

test('openLogFile: a whole log opens with nothing to write first, size and seq where it stopped', async t => {
  const { projectPath, layout } = setup(t)
  const more = toLine({ seq: 1, ts: TS, type: 'title', title: 'x' }) + toLine({ seq: 2, ts: TS, type: 'x.host.note', data: null })
  const located = await closedLog(layout, projectPath, more)
  const bytes = fs.readFileSync(located.path)
  const { log, first } = await openLogFile(layout, located, settings)
  assert.deepEqual(first, [])
  assert.deepEqual([log.size, log.nextSeq, log.projectPath], [bytes.length, 3, projectPath])
  await log.close()
  assert.deepEqual(fs.readFileSync(located.path), bytes)
})

test('openLogFile: a torn tail is set aside raw into <log>.torn-<offset>, the log cut back, and a repair body returned', async t => {
  const { projectPath, layout } = setup(t)
  const good = toLine({ seq: 1, ts: TS, type: 'title', title: 'x' })
  const torn = Buffer.from('{"seq":2,"ts":"2024-05-01T10:00:01.000Z","type":"title","title":"日本🚀', 'utf8')
  const located = await closedLog(layout, projectPath, good)
  const whole = fs.readFileSync(located.path)
  fs.appendFileSync(located.path, torn)
  const { log, first } = await openLogFile(layout, located, settings)
  const side = `${located.path}.torn-${whole.length}`
  assert.deepEqual(first, [{ type: 'repair', offset: whole.length, length: torn.length, file: path.basename(side) }])
  assert.deepEqual(fs.readFileSync(side), torn)
  assert.equal(mode(side), 0o600)
  assert.deepEqual(fs.readFileSync(located.path), whole, 'the log ends at its last newline again')
  assert.deepEqual([log.size, log.nextSeq], [whole.length, 2])
  await log.close()
})

test('openLogFile: an empty log returns a header body to write first (project path from the record)', async t => {
  const { projectPath, projectId, layout } = setup(t)
  const located = await closedLog(layout, projectPath)
  fs.truncateSync(located.path, 0)
  const { log, first } = await openLogFile(layout, located, settings)
  assert.deepEqual(first, [{ type: 'session', version: 1, id: located.id, projectId, projectPath, title: null, parentId: null, host: null }])
  assert.deepEqual([log.size, log.nextSeq, log.projectPath], [0, 0, projectPath])
  await log.close()
  assert.equal(fs.statSync(located.path).size, 0, 'opening writes nothing itself')
})

test('openLogFile: a log whose header names another session is ERR_CORRUPT_LOG; nothing changes and the lock is let go', async t => {
  const { dir, projectPath, layout } = setup(t)
  const located = await closedLog(layout, projectPath)
  fs.writeFileSync(located.path, toLine({ seq: 0, ...header(newId(), projectPath) }) + '{"seq":1,"torn')
  const before = treeOf(dir)
  const error = await rejectsWith(openLogFile(layout, located, settings), 'ERR_CORRUPT_LOG')
  assert.deepEqual([error.path, error.line, error.offset], [located.path, 1, 0])
  assert.deepEqual(treeOf(dir), before, 'the torn tail was not set aside either')
})

test('openLogFile: a directory where the log should be is ERR_CORRUPT_LOG, and the lock is let go', async t => {
  const { dir, projectPath, projectId, layout } = setup(t)
  await ensureProject(layout, projectId, projectPath)
  const id = newId()
  const file = layout.sessionFile(projectId, id)
  fs.mkdirSync(file)
  const before = treeOf(dir)
  await rejectsWith(openLogFile(layout, { id, projectId, path: file }, settings), 'ERR_CORRUPT_LOG')
  assert.deepEqual(treeOf(dir), before)
})

test('openLogFile: a symlink where the log should be is ERR_CORRUPT_LOG, never followed', async t => {
  const { dir, projectPath, layout } = setup(t)
  const located = await closedLog(layout, projectPath, '{"seq":1,"torn') // a real log with a torn tail to tempt a repair
  const elsewhere = path.join(dir, 'elsewhere.ndjson')
  fs.renameSync(located.path, elsewhere)
  fs.symlinkSync(elsewhere, located.path)
  const before = treeOf(dir)
  await rejectsWith(openLogFile(layout, located, settings), 'ERR_CORRUPT_LOG')
  assert.deepEqual(treeOf(dir), before, 'the target was not repaired through the link')
})

test('openLogFile: the lock is held until close(): a second open is ERR_SESSION_LOCKED, and succeeds after', async t => {
  const { projectPath, layout } = setup(t)
  const located = await closedLog(layout, projectPath)
  const { log } = await openLogFile(layout, located, settings)
  assert.equal(fs.statSync(`${located.path}.lock`).isDirectory(), true)
  const error = await rejectsWith(openLogFile(layout, located, settings), 'ERR_SESSION_LOCKED')
  assert.equal(error.id, located.id)
  await rejectsWith(createLogFile(layout, header(located.id, projectPath), settings), 'ERR_SESSION_LOCKED')
  await log.close()
  assert.equal(fs.existsSync(`${located.path}.lock`), false)
  const again = await openLogFile(layout, located, settings)
  await again.log.close()
})

test('openLogFile: a lock lost before anyone watched is reported to watchLock at once', async t => {
  const { projectPath, layout } = setup(t)
  const located = await closedLog(layout, projectPath)
  // The lock's refresh runs on a timer (every second at the least): mock it instead of waiting.
  t.mock.timers.enable({ apis: ['setTimeout'] })
  let log: OpenLog | undefined
  try {
    log = (await openLogFile(layout, located, settings)).log
    fs.rmdirSync(`${located.path}.lock`) // another writer judged us dead and took it
    t.mock.timers.tick(settings.lockStaleMs)
    // The refresh finds the lock gone on a real stat: give that a few turns of the loop.
    for (const until = Date.now() + 50; Date.now() < until;) await new Promise(resolve => setImmediate(resolve))
    const lost: Error[] = []
    log.watchLock(cause => lost.push(cause))
    assert.equal(lost.length, 1, 'called before watchLock returned')
    assert.equal((lost[0] as NodeJS.ErrnoException).code, 'ECOMPROMISED')
  } finally {
    t.mock.timers.reset()
    await log?.close()
  }
  // Closing after a loss does not throw, and the log is free again.
  const again = await openLogFile(layout, located, settings)
  await again.log.close()
})
