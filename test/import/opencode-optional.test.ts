/**
 * better-sqlite3 is optional: the OpenCode peer loads it only for a database. Without it, a
 * database is a failure naming the package (ERR_INVALID_IMPORT), while the storage tree and
 * export documents still import. Run in a child process over a copy of the built package
 * beside a node_modules that holds every dependency but better-sqlite3.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { fixture, repoRoot, tempDir } from '../helpers.js'

test('without better-sqlite3: opencode.db fails naming it, the storage tree beside it imports, the package is never loaded', async t => {
  const dir = tempDir(t, 'sj-opencode-optional-')
  const data = path.join(dir, 'opencode')
  fs.cpSync(fixture('import', 'opencode', 'storage'), path.join(data, 'storage'), { recursive: true })
  const db = new Database(path.join(data, 'opencode.db'))
  db.exec('CREATE TABLE session (id TEXT); CREATE TABLE message (id TEXT); CREATE TABLE part (id TEXT)')
  db.close()
  const pkg = path.join(dir, 'pkg')
  fs.cpSync(path.join(repoRoot, 'dist', 'lib'), path.join(pkg, 'dist', 'lib'), { recursive: true })
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'session-journal', type: 'module' }))
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  for (const name of Object.keys(dependencies)) {
    fs.mkdirSync(path.dirname(path.join(pkg, 'node_modules', name)), { recursive: true })
    fs.symlinkSync(fs.realpathSync(path.join(repoRoot, 'node_modules', name)), path.join(pkg, 'node_modules', name))
  }
  const script = `
import { createRequire } from 'node:module'
import { Journal } from './dist/lib/index.js'
const j = new Journal({ root: ${JSON.stringify(path.join(dir, 'root'))}, fsync: 'never' })
const r = await j.importFrom('opencode', [${JSON.stringify(data)}])
const loaded = Object.keys(createRequire(import.meta.url).cache).some(f => f.includes('better-sqlite3'))
process.stdout.write(JSON.stringify({ imported: r.imported.map(s => s.originId), failed: r.failed, loaded }))
`
  fs.writeFileSync(path.join(pkg, 'host.mjs'), script)
  const { stdout } = await promisify(execFile)(process.execPath, ['host.mjs'], { cwd: pkg, encoding: 'utf8' })
  const result = JSON.parse(stdout) as { imported: string[], failed: Array<{ path: string, code: string, message: string }>, loaded: boolean }
  assert.deepEqual(result.imported, ['ses_6f2a1c7e4ffeKp3Lm8Nq2Rs5Tv', 'ses_6f2a0e91bffeWx4Yz7Ab1Cd9Ef'])
  assert.deepEqual(result.failed.map(f => [f.path, f.code]), [[path.join(data, 'opencode.db'), 'ERR_INVALID_IMPORT']])
  assert.match(result.failed[0]!.message, /better-sqlite3.*npm install better-sqlite3/)
  assert.equal(result.loaded, false)
})
