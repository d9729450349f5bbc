import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { rejectsWith, tempDir } from '../helpers.js'
import { Claims } from '../../lib/core/claims.js'
import { newId } from '../../lib/core/ids.js'
import { Locator } from '../../lib/core/locate.js'
import { acquireLock } from '../../lib/core/lock.js'
import { Layout, projectIdOf } from '../../lib/core/paths.js'

function setup(t: TestContext) {
  const root = path.join(tempDir(t), 'root')
  const layout = new Layout(root)
  const claims = new Claims(layout, new Locator(layout), { lockStaleMs: 10_000, lockWaitMs: 0 })
  const p = projectIdOf('/work/p')
  const q = projectIdOf('/work/q')
  return { root, layout, claims, p, q }
}

const claimOf = (layout: Layout, id: string) => fs.readFileSync(layout.claimFile(id), 'utf8')

/** A log of `id` in `projectId`, as a writer would have left it (the bytes do not matter here). */
function logIn(layout: Layout, projectId: string, id: string): string {
  fs.mkdirSync(layout.sessionsDir(projectId), { recursive: true })
  fs.writeFileSync(layout.sessionFile(projectId, id), '{}\n')
  return layout.sessionFile(projectId, id)
}

test('take: writes <root>/ids/<id> naming the project; kept once created, removed when given up; the lock is let go', async t => {
  const { layout, claims, p } = setup(t)
  const id = newId()
  const claim = await claims.take(id, p)
  assert.equal(claimOf(layout, id), `${p}\n`)
  assert.equal(fs.statSync(layout.claimFile(id)).mode & 0o777, 0o600)
  await rejectsWith(claims.take(id, p), 'ERR_SESSION_EXISTS') // its lock is held until done()
  await claim.done(false)
  assert.equal(fs.existsSync(layout.claimFile(id)), false)
  const again = await claims.take(id, p)
  logIn(layout, p, id)
  await again.done(true)
  assert.equal(claimOf(layout, id), `${p}\n`)
  assert.deepEqual(fs.readdirSync(layout.idsDir), [id], 'no lock folder, no temp file left')
})

test('take: ERR_SESSION_EXISTS when the claimed log exists, in any project', async t => {
  const { layout, claims, p, q } = setup(t)
  const id = newId()
  const claim = await claims.take(id, p)
  logIn(layout, p, id)
  await claim.done(true)
  const error = await rejectsWith(claims.take(id, q), 'ERR_SESSION_EXISTS')
  assert.equal(error.path, layout.sessionFile(p, id))
  await rejectsWith(claims.take(id, p), 'ERR_SESSION_EXISTS')
})

test('take: a claim whose log is gone (a crash before the log was in place) is free again, its staging file removed', async t => {
  const { layout, claims, p, q } = setup(t)
  const id = newId()
  fs.mkdirSync(layout.idsDir, { recursive: true })
  fs.writeFileSync(layout.claimFile(id), `${p}\n`)
  fs.mkdirSync(layout.sessionsDir(p), { recursive: true })
  fs.writeFileSync(layout.stagingFile(p, id), 'half an import')
  const claim = await claims.take(id, q)
  assert.equal(claimOf(layout, id), `${q}\n`)
  assert.equal(fs.existsSync(layout.stagingFile(p, id)), false)
  await claim.done(false)
})

test('take: no claim, or a wrong one, is never trusted: the projects are walked and the log found gets its claim', async t => {
  const { layout, claims, p, q } = setup(t)
  const id = newId()
  logIn(layout, p, id) // a root written before claims
  await rejectsWith(claims.take(id, q), 'ERR_SESSION_EXISTS')
  assert.equal(claimOf(layout, id), `${p}\n`)
  fs.writeFileSync(layout.claimFile(id), `${q}\n`) // a claim that names the wrong project
  await rejectsWith(claims.take(id, q), 'ERR_SESSION_EXISTS')
  assert.equal(claimOf(layout, id), `${p}\n`)
})

test('take: an id another process is claiming (its lock held) is ERR_SESSION_EXISTS; with lockWaitMs it waits and judges', async t => {
  const { root, layout, claims, p } = setup(t)
  const id = newId()
  fs.mkdirSync(layout.idsDir, { recursive: true })
  const release = await acquireLock(layout.claimFile(id))
  await rejectsWith(claims.take(id, p), 'ERR_SESSION_EXISTS')
  const patient = new Claims(layout, new Locator(layout), { lockStaleMs: 10_000, lockWaitMs: 60_000 })
  const waiting = patient.take(id, p)
  logIn(layout, p, id) // what the other process made while it held the lock
  await release()
  await rejectsWith(waiting, 'ERR_SESSION_EXISTS')
  assert.ok(fs.existsSync(root))
})

test('fresh: one create-once file, no lock; drop removes a claim only while it names that project', async t => {
  const { layout, claims, p, q } = setup(t)
  const id = newId()
  const claim = await claims.fresh(id, p)
  assert.equal(claimOf(layout, id), `${p}\n`)
  await rejectsWith(claims.fresh(id, p), 'ERR_SESSION_EXISTS')
  await claim.done(true)
  await claims.drop(id, q)
  assert.equal(claimOf(layout, id), `${p}\n`)
  await claims.drop(id, p)
  assert.equal(fs.existsSync(layout.claimFile(id)), false)
  await (await claims.fresh(id, p)).done(false)
  assert.equal(fs.existsSync(layout.claimFile(id)), false)
})
