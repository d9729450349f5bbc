/**
 * Ids and paths: anything that is not a session id is refused with ERR_INVALID_ID before
 * the file system is touched, and symlinks planted inside the root are never written through.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal } from '../../lib/index.js'
import { projectIdOf } from '../../lib/core/paths.js'
import { tempDir } from '../helpers.js'

const badIds: unknown[] = [
  '../../etc/passwd', '/etc/passwd', '..', '.', '', 'a\0b', '01JABCDEFGHJKMNPQRSTVWXYZ\0', '..\\..\\windows\\win.ini',
  '01JABCDEFGHJKMNPQRSTVWXYZ0/../../x', '01JABCDEFGHJKMNPQRSTVWXYZ0\\..', 'x'.repeat(100_000),
  '01jabcdefghjkmnpqrstvwxyz0', '01JABCDEFGHJKMNPQRSTVWXYZ', '01JABCDEFGHJKMNPQRSTVWXYZ00', '81JABCDEFGHJKMNPQRSTVWXYZ0',
  '01JABCDEFGHJKMNPQRSTVWXYZO', ' 01JABCDEFGHJKMNPQRSTVWXYZ0', '01JABCDEFGHJKMNPQRSTVWXYZ0\n', 42, null, undefined, {}, ['x'],
]

test('traversal, absolute, NUL, backslash, overlong and non-string ids get ERR_INVALID_ID before any fs access', async t => {
  // The root is a regular file: any fs access under it would fail with ENOTDIR, not ERR_INVALID_ID.
  const root = path.join(tempDir(t), 'root-is-a-file')
  fs.writeFileSync(root, 'not a folder')
  const journal = new Journal({ root })
  const calls: Array<[string, (id: never) => Promise<unknown>]> = [
    ['resume', id => journal.resume(id)],
    ['read', id => journal.read(id)],
    ['events', async id => { for await (const _ of journal.events(id)) { /* drain */ } }],
    ['delete', id => journal.delete(id)],
    ['locate', id => journal.locate(id)],
    ['create parentId', id => journal.create({ project: '/tmp/p', parentId: id })],
  ]
  for (const id of badIds) {
    for (const [name, call] of calls) {
      // No parentId at all is a session without a parent: valid.
      if (id === undefined && name === 'create parentId') continue
      await assert.rejects(call(id as never), { code: 'ERR_INVALID_ID' }, `${name}(${JSON.stringify(id)?.slice(0, 40)})`)
    }
  }
  assert.equal(fs.readFileSync(root, 'utf8'), 'not a folder')
  // A valid id does reach the file system, which is how the test above knows it did not.
  await assert.rejects(journal.read('01JABCDEFGHJKMNPQRSTVWXYZ0'), (e: NodeJS.ErrnoException) => e.code !== 'ERR_INVALID_ID')
})

test('a symlink planted for projects/, a project folder or its sessions/ folder is refused for writes, nothing lands elsewhere', async t => {
  const dir = tempDir(t)
  const project = path.join(dir, 'work')
  const projectId = projectIdOf(project)
  for (const planted of ['projects', `projects/${projectId}`, `projects/${projectId}/sessions`]) {
    const root = path.join(dir, `root-${planted.split('/').length}`)
    const elsewhere = path.join(dir, `elsewhere-${planted.split('/').length}`)
    fs.mkdirSync(elsewhere)
    fs.mkdirSync(path.dirname(path.join(root, planted)), { recursive: true })
    fs.symlinkSync(elsewhere, path.join(root, planted))
    await assert.rejects(new Journal({ root }).create({ project }), { code: 'ERR_CORRUPT_LOG' }, planted)
    assert.deepEqual(fs.readdirSync(elsewhere), [], `nothing written through ${planted}`)
  }
})

test('a log replaced by a symlink is not resumed through; delete removes the link, not its target', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const journal = new Journal({ root })
  const session = await journal.create({ project: path.join(dir, 'work') })
  await session.close()
  const target = path.join(dir, 'precious.ndjson')
  fs.copyFileSync(session.path, target)
  fs.rmSync(session.path)
  fs.symlinkSync(target, session.path)
  const before = fs.readFileSync(target)
  await assert.rejects(journal.resume(session.id), { code: 'ERR_CORRUPT_LOG' })
  assert.deepEqual(fs.readFileSync(target), before)
  await journal.delete(session.id)
  assert.equal(fs.existsSync(session.path), false)
  assert.deepEqual(fs.readFileSync(target), before)
})

test('a symlink planted at the torn side file\'s name is not written through; the torn bytes go beside it', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const journal = new Journal({ root })
  const session = await journal.create({ project: path.join(dir, 'work') })
  await session.close()
  const size = fs.statSync(session.path).size
  fs.appendFileSync(session.path, '{"seq":1,"ts":"torn')
  const target = path.join(dir, 'target')
  fs.writeFileSync(target, 'untouched')
  fs.symlinkSync(target, `${session.path}.torn-${size}`)
  const resumed = await journal.resume(session.id)
  await resumed.close()
  assert.equal(fs.readFileSync(target, 'utf8'), 'untouched')
  assert.equal(fs.readFileSync(`${session.path}.torn-${size}.1`, 'utf8'), '{"seq":1,"ts":"torn')
})

test('an index.json planted as a symlink is replaced, not written through', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const journal = new Journal({ root })
  const session = await journal.create({ project: path.join(dir, 'work') })
  await session.close()
  const target = path.join(dir, 'target')
  fs.writeFileSync(target, 'untouched')
  const index = path.join(root, 'projects', session.projectId, 'index.json')
  fs.rmSync(index, { force: true })
  fs.symlinkSync(target, index)
  assert.deepEqual((await journal.list()).map(r => r.id), [session.id])
  assert.equal(fs.readFileSync(target, 'utf8'), 'untouched')
  assert.equal(fs.lstatSync(index).isSymbolicLink(), false)
})
