/**
 * Permissions: every folder the journal makes is 0700 and every file 0600 even under
 * umask 0 (logs, side files, index, project record, the lock folder), and an existing root
 * with wider modes is reported by journal.permissions() without being changed.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal } from '../../lib/index.js'
import { tempDir } from '../helpers.js'

/** Every entry under `dir` (the dir included) with its permission bits. */
function modes(dir: string): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = []
  const walk = (p: string) => {
    const st = fs.lstatSync(p)
    out.push([p, st.isDirectory() ? 'dir' : 'file', st.mode & 0o777])
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name))
  }
  walk(dir)
  return out
}

test('under umask 0 every folder is 0700 and every file 0600, the lock folder and torn side files included', async t => {
  const root = path.join(tempDir(t), 'root')
  const old = process.umask(0)
  try {
    const journal = new Journal({ root })
    const first = await journal.create({ project: path.join(root, '..', 'work') })
    await first.message({ role: 'user', parts: [{ type: 'text', text: 'hello' }] })
    await first.close()
    // A torn tail, so resume makes a side file.
    fs.appendFileSync(first.path, '{"seq":2,"ts":')
    const session = await journal.resume(first.id)
    await journal.list()
    // While the session is held its lock folder exists: it is checked too.
    const entries = modes(root)
    await session.close()
    assert.ok(entries.some(([p]) => p.endsWith('.lock')), 'the lock folder was there to check')
    assert.ok(entries.some(([p]) => p.includes('.torn-')), 'the side file was there to check')
    assert.ok(entries.some(([p]) => p.endsWith('index.json')))
    for (const [p, kind, mode] of entries) assert.equal(mode, kind === 'dir' ? 0o700 : 0o600, `${p} (${kind})`)
    assert.deepEqual(await journal.permissions(), [])
  } finally {
    process.umask(old)
  }
})

test('journal.permissions() reports folders and files of an existing root that others can reach, and changes nothing', async t => {
  const root = path.join(tempDir(t), 'root')
  fs.mkdirSync(root, { mode: 0o755 })
  fs.chmodSync(root, 0o755)
  const journal = new Journal({ root })
  const session = await journal.create({ project: path.join(root, '..', 'work') })
  await session.close()
  const sessionsDir = path.dirname(session.path)
  fs.chmodSync(sessionsDir, 0o750)
  fs.chmodSync(session.path, 0o644)
  const claim = path.join(root, 'ids', session.id)
  fs.chmodSync(claim, 0o640)

  const warnings = await journal.permissions()
  assert.deepEqual(warnings.map(w => [w.path, w.mode, w.expected]), [
    [root, 0o755, 0o700],
    [claim, 0o640, 0o600],
    [sessionsDir, 0o750, 0o700],
    [session.path, 0o644, 0o600],
  ])
  assert.equal(fs.statSync(root).mode & 0o777, 0o755, 'check() only reports')

  fs.chmodSync(root, 0o700)
  fs.chmodSync(sessionsDir, 0o700)
  fs.chmodSync(session.path, 0o600)
  fs.chmodSync(claim, 0o600)
  assert.deepEqual(await journal.permissions(), [])
  assert.deepEqual(await new Journal({ root: path.join(root, 'not-there') }).permissions(), [])
})
