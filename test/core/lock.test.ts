import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir, rejectsWith } from '../helpers.js'
import { acquireLock, isLocked } from '../../lib/core/lock.js'


/** Plants `<file>.lock` as a holder would, with its mtime `ageMs` in the past. */
function plantLock(file: string, ageMs: number): void {
  fs.mkdirSync(`${file}.lock`)
  const when = new Date(Date.now() - ageMs)
  fs.utimesSync(`${file}.lock`, when, when)
}

test('acquireLock: creates <file>.lock, release removes it; the file itself need not exist', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  const release = await acquireLock(file)
  assert.equal(fs.statSync(`${file}.lock`).isDirectory(), true)
  assert.equal(await isLocked(file), true)
  await release()
  assert.equal(fs.existsSync(`${file}.lock`), false)
  assert.equal(await isLocked(file), false)
  const again = await acquireLock(file)
  await again()
})

test('acquireLock: a held lock is ERR_SESSION_LOCKED, carrying the id and path', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  const release = await acquireLock(file)
  const error = await rejectsWith(acquireLock(file, { id: 'S1' }), 'ERR_SESSION_LOCKED')
  assert.equal(error.id, 'S1')
  assert.equal(error.path, file)
  await release()
})

test('acquireLock: a fresh lock of another holder is not taken over', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  plantLock(file, 1000)
  await rejectsWith(acquireLock(file, { staleMs: 10_000 }), 'ERR_SESSION_LOCKED')
  assert.equal(fs.existsSync(`${file}.lock`), true)
})

test('acquireLock: a stale lock (mtime older than staleMs) is taken over', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  plantLock(file, 60_000)
  assert.equal(await isLocked(file, 10_000), false)
  const release = await acquireLock(file, { staleMs: 10_000 })
  const mtime = fs.statSync(`${file}.lock`).mtimeMs
  assert.ok(mtime > Date.now() - 10_000, 'the lock is ours now: fresh')
  assert.equal(fs.existsSync(`${file}.takeover.lock`), false, 'the takeover guard is let go')
  await rejectsWith(acquireLock(file, { staleMs: 10_000 }), 'ERR_SESSION_LOCKED')
  await release()
  assert.equal(fs.existsSync(`${file}.lock`), false)
})

test('acquireLock: staleMs below 2 s counts as 2 s, so a live holder is never judged dead too soon', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  plantLock(file, 1000)
  await rejectsWith(acquireLock(file, { staleMs: 1 }), 'ERR_SESSION_LOCKED')
})

test('acquireLock: a held lock whose holder is busy taking it over is not stolen', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  plantLock(file, 60_000)
  fs.mkdirSync(`${file}.takeover.lock`) // another process judges the lock right now
  await rejectsWith(acquireLock(file, { staleMs: 10_000 }), 'ERR_SESSION_LOCKED')
  assert.equal(fs.existsSync(`${file}.lock`), true)
})

test('acquireLock waitMs: waits for the holder to release, then gets the lock', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  const release = await acquireLock(file)
  let got = false
  const waiting = acquireLock(file, { waitMs: 60_000 }).then(r => { got = true; return r })
  await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(got, false, 'still waiting')
  await release()
  const second = await waiting
  assert.equal(fs.existsSync(`${file}.lock`), true)
  await second()
})

test('acquireLock waitMs: gives up with ERR_SESSION_LOCKED when the holder stays', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  const release = await acquireLock(file)
  await rejectsWith(acquireLock(file, { waitMs: 150 }), 'ERR_SESSION_LOCKED')
  await release()
})

test('isLocked: a lock older than staleMs does not count', async t => {
  const file = path.join(tempDir(t), 'a.ndjson')
  assert.equal(await isLocked(file), false)
  plantLock(file, 5000)
  assert.equal(await isLocked(file, 10_000), true)
  assert.equal(await isLocked(file, 1000), false)
})
