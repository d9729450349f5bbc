import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { Locator } from '../../lib/core/locate.js'
import { Layout } from '../../lib/core/paths.js'
import { rejectsWith, tempDir } from '../helpers.js'

test('find: the project holding a session, among several; stray folders are ignored', async t => {
  const root = path.join(tempDir(t), 'root')
  const journal = new Journal({ root, fsync: 'never' })
  const a = await journal.create({ project: path.join(root, '..', 'a') })
  const b = await journal.create({ project: path.join(root, '..', 'b') })
  await a.close()
  await b.close()
  fs.mkdirSync(path.join(root, 'projects', 'Not A Project'))
  const locator = new Locator(new Layout(root))
  assert.deepEqual(await locator.find(b.id), { id: b.id, projectId: b.projectId, path: b.path })
  assert.deepEqual(await locator.find(a.id), { id: a.id, projectId: a.projectId, path: a.path })
})

test('a remembered location is checked again: a moved session is found where it went', async t => {
  const root = path.join(tempDir(t), 'root')
  const journal = new Journal({ root, fsync: 'never' })
  const s = await journal.create({ project: path.join(root, '..', 'a') })
  const other = await journal.create({ project: path.join(root, '..', 'b') })
  await s.close()
  await other.close()
  const locator = new Locator(new Layout(root))
  await locator.find(s.id)
  const moved = path.join(path.dirname(other.path), path.basename(s.path))
  fs.renameSync(s.path, moved)
  assert.equal((await locator.find(s.id)).path, moved)
  fs.rmSync(moved)
  await rejectsWith(locator.find(s.id), 'ERR_SESSION_NOT_FOUND')
})

test('an invalid id is refused before any path is built, and a missing root finds nothing', async t => {
  const root = path.join(tempDir(t), 'does-not-exist')
  const locator = new Locator(new Layout(root))
  await rejectsWith(locator.find('../../etc/passwd'), 'ERR_INVALID_ID')
  await rejectsWith(locator.find('01JABCDEFGHJKMNPQRSTVWXYZ0'), 'ERR_SESSION_NOT_FOUND')
  assert.equal(fs.existsSync(root), false)
})

test('the id\'s claim is a hint: where it points is checked, and a wrong or missing claim falls back to the walk', async t => {
  const root = path.join(tempDir(t), 'root')
  const journal = new Journal({ root, fsync: 'never' })
  const s = await journal.create({ project: path.join(root, '..', 'a') })
  const other = await journal.create({ project: path.join(root, '..', 'b') })
  await s.close()
  await other.close()
  const claim = path.join(root, 'ids', s.id)
  assert.equal(fs.readFileSync(claim, 'utf8'), `${s.projectId}\n`)
  assert.equal((await new Locator(new Layout(root)).find(s.id)).projectId, s.projectId)
  fs.writeFileSync(claim, `${other.projectId}\n`)
  assert.equal((await new Locator(new Layout(root)).find(s.id)).projectId, s.projectId)
  fs.writeFileSync(claim, '../../elsewhere\n')
  assert.equal((await new Locator(new Layout(root)).find(s.id)).projectId, s.projectId)
  fs.rmSync(claim)
  assert.equal((await new Locator(new Layout(root)).find(s.id)).projectId, s.projectId)
})
