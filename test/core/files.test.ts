import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir } from '../helpers.js'
import { ensurePrivateDir, STALE_TEMP_MS, syncDir, writeCacheSync, writeFileAtomic, writeOnce } from '../../lib/core/files.js'
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

/** Sets a file's times `seconds` into the past. */
const age = (file: string, seconds: number) => {
  const then = new Date(Date.now() - seconds * 1000)
  fs.utimesSync(file, then, then)
}

test('writeFileAtomic: removes stale temp files of its own target only, and never a live writer\'s', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'session-journal.jsonc')
  fs.writeFileSync(file, 'old')
  const plant = (name: string, seconds: number) => {
    fs.writeFileSync(path.join(dir, name), 'half')
    age(path.join(dir, name), seconds)
  }
  plant('.session-journal.jsonc.0123456789ab.tmp', 3600) // a killed writer's: removed
  plant('.session-journal.jsonc.aaaaaaaaaaaa.tmp', 1) // young: perhaps a live writer's, kept
  plant('.other.json.0123456789ab.tmp', 3600) // another target's
  plant('.session-journal.jsonc.0123456789AB.tmp', 3600) // not our pattern (upper-case hex)
  plant('.session-journal.jsonc.0123456789a.tmp', 3600) // not our pattern (11 digits)
  plant('session-journal.jsonc.0123456789ab.tmp', 3600) // not our pattern (no dot in front)
  plant('.x.session-journal.jsonc.0123456789ab.tmp', 3600) // the temp of ".x.session-journal.jsonc"
  fs.mkdirSync(path.join(dir, '.session-journal.jsonc.bbbbbbbbbbbb.tmp')) // not a file
  age(path.join(dir, '.session-journal.jsonc.bbbbbbbbbbbb.tmp'), 3600)

  await writeFileAtomic(file, 'new')
  assert.equal(fs.readFileSync(file, 'utf8'), 'new')
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    '.other.json.0123456789ab.tmp',
    '.session-journal.jsonc.0123456789AB.tmp',
    '.session-journal.jsonc.0123456789a.tmp',
    '.session-journal.jsonc.aaaaaaaaaaaa.tmp',
    '.session-journal.jsonc.bbbbbbbbbbbb.tmp',
    '.x.session-journal.jsonc.0123456789ab.tmp',
    'session-journal.jsonc',
    'session-journal.jsonc.0123456789ab.tmp',
  ])
  // Once the young one is old too, the next write removes it.
  age(path.join(dir, '.session-journal.jsonc.aaaaaaaaaaaa.tmp'), STALE_TEMP_MS / 1000 + 1)
  await writeFileAtomic(file, 'newer')
  assert.equal(fs.existsSync(path.join(dir, '.session-journal.jsonc.aaaaaaaaaaaa.tmp')), false)
  assert.equal(fs.readFileSync(file, 'utf8'), 'newer')
})

test('writeFileAtomic: the temp file of a writer SIGKILLed mid-write is removed by the next write', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'config.jsonc')
  fs.writeFileSync(file, 'before')
  // The child kills itself as soon as its temp file exists: after open, before the rename
  // (which needs several more turns of its event loop: write, chmod, sync, close).
  const child = `
    import fs from 'node:fs'
    import { writeFileAtomic } from ${JSON.stringify(new URL('../../lib/core/files.js', import.meta.url).href)}
    const dir = ${JSON.stringify(dir)}
    const poll = () => fs.readdirSync(dir).some(n => n.endsWith('.tmp')) ? process.kill(process.pid, 'SIGKILL') : setImmediate(poll)
    setImmediate(poll)
    await writeFileAtomic(${JSON.stringify(file)}, Buffer.alloc(8 << 20, 120))
    console.log('renamed')`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' })
  assert.equal(result.signal, 'SIGKILL', result.stderr)
  assert.equal(fs.readFileSync(file, 'utf8'), 'before')
  const orphans = fs.readdirSync(dir).filter(n => n !== 'config.jsonc')
  assert.equal(orphans.length, 1)
  assert.match(orphans[0]!, /^\.config\.jsonc\.[0-9a-f]{12}\.tmp$/)
  age(path.join(dir, orphans[0]!), STALE_TEMP_MS / 1000 + 1)
  await writeFileAtomic(file, 'after')
  assert.deepEqual(fs.readdirSync(dir), ['config.jsonc'])
  assert.equal(fs.readFileSync(file, 'utf8'), 'after')
})

test('writeCacheSync: replaces the file whole (0600, a new inode), and a failed write leaves no temp file', t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'index.json')
  writeCacheSync(file, '{"a":1}')
  const first = fs.statSync(file)
  assert.equal(first.mode & 0o777, 0o600)
  writeCacheSync(file, '{"a":2,"__proto__":{"x":1}}')
  assert.equal(fs.readFileSync(file, 'utf8'), '{"a":2,"__proto__":{"x":1}}')
  assert.notEqual(fs.statSync(file).ino, first.ino)
  fs.mkdirSync(path.join(dir, 'taken'))
  fs.writeFileSync(path.join(dir, 'taken', 'x'), '')
  assert.throws(() => writeCacheSync(path.join(dir, 'taken'), 'data'), (e: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(e.code!))
  assert.throws(() => writeCacheSync(path.join(dir, 'missing', 'index.json'), 'data'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
  assert.deepEqual(fs.readdirSync(dir).sort(), ['index.json', 'taken'])
})
