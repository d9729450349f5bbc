import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { codeOf, logLines, rejectsWith, tempDir } from '../helpers.js'
import { newHeader } from '../../lib/core/create.js'
import { LogStore } from '../../lib/core/log-store.js'
import { newId } from '../../lib/core/ids.js'
import { projectIdOf } from '../../lib/core/paths.js'
import type { HeaderEvent } from '../../lib/core/types.js'
import { nodeIO } from '../../lib/core/writer-io.js'

function setup(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const store = new LogStore({ root, fsync: 'always', batchMs: 50, maxLineBytes: 1024 * 1024, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  return { dir, root, store, project: path.join(dir, 'work') }
}

function header(id: string, projectPath: string): Omit<HeaderEvent, 'seq'> {
  return { ts: '2024-05-01T10:00:00.000Z', type: 'session', version: 1, id, projectId: projectIdOf(projectPath), projectPath, title: 'T', parentId: null, host: null }
}

/** Every name under `root` that mentions `id`. */
function namesOf(root: string, id: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter(name => name.includes(id)).sort()
}

test('newHeader: a fresh id, the project resolved; a bad call is refused before anything', () => {
  const h = newHeader({ project: 'rel/work', title: 't', host: { name: 'h', version: '2' } })
  assert.deepEqual([h.projectPath, h.projectId, h.title, h.parentId, h.host], [path.resolve('rel/work'), projectIdOf(path.resolve('rel/work')), 't', null, { name: 'h', version: '2' }])
  assert.notEqual(newHeader({ project: '/w' }).id, h.id)
  assert.equal(codeOf(() => newHeader({ project: '' })), 'ERR_USAGE')
  assert.equal(codeOf(() => newHeader({ project: '/w', parentId: '../x' })), 'ERR_INVALID_ID')
})

test('importLog: the log is invisible while it is written, then appears whole under its id', async t => {
  const { root, store, project } = setup(t)
  const id = newId()
  const projectId = projectIdOf(project)
  const staging = path.join(root, 'projects', projectId, 'sessions', `.${id}.ndjson.importing`)
  await store.importLog(header(id, project), async session => {
    await session.title('one')
    await rejectsWith(store.locate(id), 'ERR_SESSION_NOT_FOUND')
    assert.deepEqual(await store.list(), [])
    assert.equal(session.path, staging)
    await session.title('two')
  })
  const { path: file } = await store.locate(id)
  assert.deepEqual(logLines(file).map(l => [l.seq, l.type, l.title]), [[0, 'session', 'T'], [1, 'title', 'one'], [2, 'title', 'two']])
  assert.deepEqual(namesOf(root, id), [`ids/${id}`, `projects/${projectId}/sessions/${id}.ndjson`])
  await rejectsWith(store.importLog(header(id, `${project}2`), async () => assert.fail('not called')), 'ERR_SESSION_EXISTS')
})

test('importLog: a fill that fails leaves nothing of the id behind, and its error comes through', async t => {
  const { root, store, project } = setup(t)
  const id = newId()
  await assert.rejects(store.importLog(header(id, project), async session => {
    await session.title('half')
    throw new Error('source went away')
  }), /source went away/)
  assert.deepEqual(namesOf(root, id), [])
  await store.importLog(header(id, project), async () => {})
  assert.equal((await store.locate(id)).projectId, projectIdOf(project))
})

test('createLog: a taken id is refused in any project; a failed create gives its claim back', async t => {
  const { root, dir, store, project } = setup(t)
  const first = await store.create({ project })
  await first.close()
  await rejectsWith(store.createLog(header(first.id, path.join(dir, 'other'))), 'ERR_SESSION_EXISTS')
  const id = newId()
  const blocked = path.join(dir, 'blocked')
  fs.mkdirSync(path.join(root, 'projects', projectIdOf(blocked)), { recursive: true })
  fs.symlinkSync(dir, path.join(root, 'projects', projectIdOf(blocked), 'sessions'))
  await rejectsWith(store.createLog(header(id, blocked)), 'ERR_CORRUPT_LOG')
  assert.deepEqual(namesOf(path.join(root, 'ids'), id), [])
  const s = await store.createLog(header(id, project))
  await s.close()
  assert.equal(fs.readFileSync(path.join(root, 'ids', id), 'utf8'), `${projectIdOf(project)}\n`)
})

test('importLog: a log that appeared under the id meanwhile (by hand, an older version) is never overwritten', async t => {
  const { root, store, project } = setup(t)
  const id = newId()
  const target = path.join(root, 'projects', projectIdOf(project), 'sessions', `${id}.ndjson`)
  await rejectsWith(store.importLog(header(id, project), async session => {
    await session.title('mine')
    fs.writeFileSync(target, 'theirs\n')
  }), 'ERR_SESSION_EXISTS')
  assert.equal(fs.readFileSync(target, 'utf8'), 'theirs\n')
  assert.deepEqual(namesOf(root, id), [`projects/${projectIdOf(project)}/sessions/${id}.ndjson`], 'no staging file, claim or lock left')
})
