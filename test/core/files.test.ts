import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir } from '../helpers.js'
import { ensurePrivateDir, syncDir, writeFileAtomic, writeOnce } from '../../lib/core/files.js'
import { JournalError } from '../../lib/core/errors.js'

const mode = (p: string) => fs.statSync(p).mode & 0o777

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof JournalError && e.code === code)
}

test('ensurePrivateDir: creates every level 0700 and returns the deepest', async t => {
  const root = path.join(tempDir(t), 'root')
  const dir = await ensurePrivateDir(root, 'projects', 'p', 'sessions')
  assert.equal(dir, path.join(root, 'projects', 'p', 'sessions'))
  for (const d of [root, path.join(root, 'projects'), path.join(root, 'projects', 'p'), dir]) assert.equal(mode(d), 0o700, d)
  assert.equal(await ensurePrivateDir(root, 'projects', 'p', 'sessions'), dir, 'existing folders are fine')
})

test('ensurePrivateDir: refuses a symlink planted below the root, and writes nothing through it', async t => {
  const base = tempDir(t)
  const root = path.join(base, 'root')
  const elsewhere = path.join(base, 'elsewhere')
  fs.mkdirSync(elsewhere)
  fs.mkdirSync(path.join(root, 'projects'), { recursive: true })
  fs.symlinkSync(elsewhere, path.join(root, 'projects', 'p'))
  await rejectsWith(ensurePrivateDir(root, 'projects', 'p', 'sessions'), 'ERR_CORRUPT_LOG')
  assert.deepEqual(fs.readdirSync(elsewhere), [])
  // A symlink to a file, and a plain file, are refused too.
  fs.writeFileSync(path.join(base, 'f'), 'x')
  fs.symlinkSync(path.join(base, 'f'), path.join(root, 'projects', 'q'))
  await rejectsWith(ensurePrivateDir(root, 'projects', 'q'), 'ERR_CORRUPT_LOG')
  fs.writeFileSync(path.join(root, 'projects', 'r'), 'x')
  await rejectsWith(ensurePrivateDir(root, 'projects', 'r', 'sessions'), 'ERR_CORRUPT_LOG')
})

test('writeOnce: creates the file 0600 with the data; never overwrites; leaves no temp files', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'project.json')
  assert.equal(await writeOnce(file, 'first'), true)
  assert.equal(fs.readFileSync(file, 'utf8'), 'first')
  assert.equal(mode(file), 0o600)
  assert.equal(await writeOnce(file, 'second'), false)
  assert.equal(fs.readFileSync(file, 'utf8'), 'first')
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => writeOnce(path.join(dir, 'race'), `w${i}`)))
  assert.equal(results.filter(Boolean).length, 1, 'exactly one of racing writers wins')
  assert.equal(fs.readFileSync(path.join(dir, 'race'), 'utf8'), `w${results.indexOf(true)}`)
  assert.deepEqual(fs.readdirSync(dir).sort(), ['project.json', 'race'])
})

test('writeFileAtomic: replaces the whole content, 0600, and leaves no temp files', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'index.json')
  await writeFileAtomic(file, 'one')
  assert.equal(fs.readFileSync(file, 'utf8'), 'one')
  assert.equal(mode(file), 0o600)
  await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, `v${i}`.repeat(1000))))
  assert.match(fs.readFileSync(file, 'utf8'), /^(v\d+)\1*$/, 'one writer\'s whole content, never a mix')
  assert.deepEqual(fs.readdirSync(dir), ['index.json'])
})

test('writeFileAtomic: a failed rename removes its temp file and throws', async t => {
  const dir = tempDir(t)
  const target = path.join(dir, 'is-a-dir')
  fs.mkdirSync(path.join(target, 'full'), { recursive: true })
  await assert.rejects(writeFileAtomic(target, 'x'))
  assert.deepEqual(fs.readdirSync(dir), ['is-a-dir'])
})

test('syncDir: syncs an existing folder; a missing one is an error', async t => {
  const dir = tempDir(t)
  await syncDir(dir)
  await assert.rejects(syncDir(path.join(dir, 'missing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
})
