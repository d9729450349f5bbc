import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { rejectsWith, tempDir, treeOf } from '../helpers.js'
import { ensureProject, readProjectPath } from '../../lib/core/projects.js'
import { Layout, projectIdOf } from '../../lib/core/paths.js'

const mode = (p: string) => fs.statSync(p).mode & 0o777

function setup(t: TestContext) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const projectPath = path.join(dir, 'work')
  const projectId = projectIdOf(projectPath)
  return { dir, root, projectPath, projectId, layout: new Layout(root), projectDir: path.join(root, 'projects', projectId) }
}

test('ensureProject: makes root/projects/<id>/sessions (0700 each) and project.json (0600); returns the sessions folder', async t => {
  const { root, projectPath, projectId, layout, projectDir } = setup(t)
  const before = Date.now()
  const sessions = await ensureProject(layout, projectId, projectPath)
  assert.equal(sessions, path.join(projectDir, 'sessions'))
  for (const d of [root, path.join(root, 'projects'), projectDir, sessions]) assert.equal(mode(d), 0o700, d)
  const record = path.join(projectDir, 'project.json')
  assert.equal(mode(record), 0o600)
  const text = fs.readFileSync(record, 'utf8')
  assert.ok(text.endsWith('}\n'))
  const parsed = JSON.parse(text) as { path: string, created: string }
  assert.deepEqual(Object.keys(parsed), ['path', 'created'])
  assert.equal(parsed.path, projectPath)
  assert.ok(Date.parse(parsed.created) >= before - 1000 && Date.parse(parsed.created) <= Date.now())
  assert.deepEqual(fs.readdirSync(projectDir).sort(), ['project.json', 'sessions'], 'no temp file is left beside it')
  assert.equal(readProjectPath(layout, projectId), projectPath)
})

test('ensureProject: the record is written once; a later call with another path keeps the first', async t => {
  const { dir, projectPath, projectId, layout } = setup(t)
  await ensureProject(layout, projectId, projectPath)
  const first = treeOf(dir)
  assert.equal(await ensureProject(layout, projectId, '/somewhere/else'), path.join(layout.sessionsDir(projectId)))
  assert.deepEqual(treeOf(dir), first, 'not a byte changed, no file added')
  assert.equal(readProjectPath(layout, projectId), projectPath)
  // Many at once: still one record, the first writer's.
  const other = projectIdOf('/other/project')
  await Promise.all(Array.from({ length: 8 }, (_, i) => ensureProject(layout, other, `/other/project/${i}`)))
  const record = JSON.parse(fs.readFileSync(layout.projectFile(other), 'utf8')) as { path: string }
  assert.match(record.path, /^\/other\/project\/\d$/)
  assert.deepEqual(fs.readdirSync(layout.projectDir(other)).sort(), ['project.json', 'sessions'])
})

test('ensureProject: a bad project id is ERR_INVALID_ID before anything is made', async t => {
  const { dir, projectPath, layout } = setup(t)
  const before = treeOf(dir)
  for (const bad of ['../../escaped', '../escaped-0123456789ab', 'Not A Project', '', 'a/b-0123456789ab']) {
    await rejectsWith(ensureProject(layout, bad, projectPath), 'ERR_INVALID_ID')
    assert.deepEqual(treeOf(dir), before, bad)
  }
})

test('ensureProject: a symlink planted for a project folder is refused, not written through', async t => {
  const { dir, projectPath, projectId, layout, projectDir } = setup(t)
  const elsewhere = path.join(dir, 'elsewhere')
  fs.mkdirSync(elsewhere)
  fs.mkdirSync(path.dirname(projectDir), { recursive: true })
  fs.symlinkSync(elsewhere, projectDir)
  await rejectsWith(ensureProject(layout, projectId, projectPath), 'ERR_CORRUPT_LOG')
  assert.deepEqual(fs.readdirSync(elsewhere), [])
})

test('readProjectPath: null for a missing, garbled or odd record, and for a bad id', async t => {
  const { projectPath, projectId, layout } = setup(t)
  assert.equal(readProjectPath(layout, projectId), null, 'no root at all')
  await ensureProject(layout, projectId, projectPath)
  const record = layout.projectFile(projectId)
  for (const text of ['', '{"path":', 'not json', 'null', '42', '"a string"', '[]', '{}', '{"path":5}', '{"path":null}', '{"path":["/x"]}']) {
    fs.writeFileSync(record, text)
    assert.equal(readProjectPath(layout, projectId), null, text)
  }
  fs.writeFileSync(record, '{"path":"/x/y","extra":true}')
  assert.equal(readProjectPath(layout, projectId), '/x/y')
  fs.rmSync(record)
  assert.equal(readProjectPath(layout, projectId), null, 'record removed')
  fs.mkdirSync(record)
  assert.equal(readProjectPath(layout, projectId), null, 'a folder where the record should be')
  assert.equal(readProjectPath(layout, '../../etc'), null)
})
