import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { claimAll, Locator } from '../../lib/core/locate.js'
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

/** A root of `projects` projects, one session each, whose claims are gone (as in a root from before claims). */
async function unclaimedRoot(t: import('node:test').TestContext, projects: number): Promise<{ root: string, ids: string[], projectOf: Map<string, string> }> {
  const root = path.join(tempDir(t), 'root')
  const journal = new Journal({ root, fsync: 'never' })
  const projectOf = new Map<string, string>()
  for (let i = 0; i < projects; i++) {
    const s = await journal.create({ project: path.join(root, '..', `p${i}`) })
    await s.close()
    projectOf.set(s.id, s.projectId)
  }
  fs.rmSync(path.join(root, 'ids'), { recursive: true })
  return { root, ids: [...projectOf.keys()], projectOf }
}

/** The project folders looked into while `fn` runs, through a spy on the real fs. */
async function probed(t: import('node:test').TestContext, root: string, fn: () => Promise<unknown>): Promise<number> {
  const projectsDir = path.join(root, 'projects') + path.sep
  const folders = new Set<string>()
  const note = (file: unknown) => {
    const rest = String(file).startsWith(projectsDir) ? String(file).slice(projectsDir.length) : ''
    if (rest) folders.add(rest.split(path.sep)[0]!)
  }
  const spies = [t.mock.method(fs, 'existsSync'), t.mock.method(fs, 'statSync'), t.mock.method(fs, 'readdirSync'), t.mock.method(fs.promises, 'readdir'), t.mock.method(fs.promises, 'stat')]
  try {
    await fn()
    for (const spy of spies) for (const call of spy.mock.calls) note(call.arguments[0])
  } finally {
    for (const spy of spies) spy.mock.restore()
  }
  return folders.size
}

test('an id never located costs one project probe however many projects there are, once a walk has healed the claims', async t => {
  const counts: number[] = []
  for (const projects of [4, 40]) {
    const { root, ids } = await unclaimedRoot(t, projects)
    // The first look walks (no claim anywhere) and claims every log of the root on the way.
    assert.equal(await probed(t, root, () => new Locator(new Layout(root)).find(ids[1]!)), projects)
    assert.deepEqual(fs.readdirSync(path.join(root, 'ids')).sort(), [...ids].sort())
    for (const id of ids) assert.equal(fs.statSync(path.join(root, 'ids', id)).mode & 0o777, 0o600)
    // Another process (a fresh Journal) reading or resuming an id it never saw: one probe.
    const journal = new Journal({ root, fsync: 'never' })
    counts.push(await probed(t, root, () => journal.locate(ids[projects - 1]!)))
    counts.push(await probed(t, root, async () => (await journal.resume(ids[0]!)).close()))
    counts.push(await probed(t, root, () => journal.read(ids[2]!)))
  }
  assert.deepEqual(counts, [1, 1, 1, 1, 1, 1])
})

test('a walk that finds a log rewrites a wrong claim; a claim whose log is gone is ignored; an absent id still walks', async t => {
  const { root, ids, projectOf: projects } = await unclaimedRoot(t, 3)
  const layout = new Layout(root)
  const [a, b] = ids as [string, string]
  fs.mkdirSync(layout.idsDir)
  const projectOf = (id: string) => projects.get(id)!
  fs.writeFileSync(layout.claimFile(a), `${projectOf(b)}\n`) // names a project without a's log
  assert.equal((await new Locator(layout).find(a)).projectId, projectOf(a))
  assert.equal(fs.readFileSync(layout.claimFile(a), 'utf8'), `${projectOf(a)}\n`)
  // A deleted log's leftover claim: not found, and nothing is claimed for it.
  const gone = '01JABCDEFGHJKMNPQRSTVWXYZ0'
  fs.writeFileSync(layout.claimFile(gone), `${projectOf(a)}\n`)
  await rejectsWith(new Locator(layout).find(gone), 'ERR_SESSION_NOT_FOUND')
  assert.equal(await probed(t, root, () => rejectsWith(new Locator(layout).find('01JABCDEFGHJKMNPQRSTVWXYZ1'), 'ERR_SESSION_NOT_FOUND')), 3)
})

test('claimAll: create-once, so a creator\'s claim written meanwhile stands; hostile names in the folders are skipped', async t => {
  const { root, ids, projectOf: projects } = await unclaimedRoot(t, 3)
  const layout = new Layout(root)
  const [a, b, c] = ids as [string, string, string]
  const journal = new Journal({ root, fsync: 'never' })
  const projectOf = (id: string) => projects.get(id)!
  fs.mkdirSync(layout.idsDir)
  fs.writeFileSync(layout.claimFile(a), `${projectOf(b)}\n`)
  const sessions = layout.sessionsDir(projectOf(c))
  for (const name of ['__proto__.ndjson', '..ndjson', `${c}.ndjson.importing`, 'x'.repeat(200), '\u001b[31m.ndjson']) fs.writeFileSync(path.join(sessions, name), '{}\n')
  fs.mkdirSync(path.join(root, 'projects', '__proto__'))
  // Creators at work while the index is rebuilt: every claim ends up naming its own log's project.
  const made = Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const s = await journal.create({ project: path.join(root, '..', `p${i % 3}`) })
    await s.close()
    return s
  }))
  const [written, created] = await Promise.all([claimAll(layout), made])
  assert.ok(written === 2, `claimed ${written}`) // b and c; a's claim stands until a walk finds it wrong
  assert.equal(fs.readFileSync(layout.claimFile(a), 'utf8'), `${projectOf(b)}\n`)
  for (const s of created) assert.equal(fs.readFileSync(layout.claimFile(s.id), 'utf8'), `${s.projectId}\n`)
  assert.deepEqual(fs.readdirSync(layout.idsDir).filter(name => !/^[0-9A-Z]{26}$/.test(name)), [])
})

test('healing the claims is best effort: a root whose ids folder cannot be written is still read', async t => {
  const { root, ids } = await unclaimedRoot(t, 2)
  fs.writeFileSync(path.join(root, 'ids'), 'not a folder')
  const journal = new Journal({ root, fsync: 'never' })
  assert.equal((await journal.read(ids[0]!)).info.id, ids[0])
  assert.equal(fs.readFileSync(path.join(root, 'ids'), 'utf8'), 'not a folder')
})
