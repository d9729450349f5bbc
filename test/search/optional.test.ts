/**
 * better-sqlite3 is an optional dependency, loaded on the first search only: a host that
 * never searches never loads it, and where it is not installed search says so (naming the
 * package and how to install it) while everything else works. Both run in child processes:
 * the first with this repository's node_modules, the second with a copy of the built package
 * beside a node_modules that holds every dependency but better-sqlite3.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { repoRoot, tempDir } from '../helpers.js'

const run = async (script: string, cwd: string) => {
  const file = path.join(cwd, 'host.mjs')
  fs.writeFileSync(file, script)
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd, encoding: 'utf8' })
  return JSON.parse(stdout) as Record<string, unknown>
}

/** Writes, lists, reads and exports; says whether better-sqlite3 is loaded before and after a search. */
const host = (lib: string, root: string) => `
import { createRequire } from 'node:module'
import { Journal } from ${JSON.stringify(lib)}
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some(f => f.includes('better-sqlite3'))
const j = new Journal({ root: ${JSON.stringify(root)}, fsync: 'never' })
const s = await j.create({ project: ${JSON.stringify(path.join(root, 'work'))}, title: 'hello' })
await s.message({ role: 'user', parts: [{ type: 'text', text: 'hello world' }] })
await s.close()
await j.list(); await j.read(s.id); await j.export(s.id)
const before = loaded()
let hits = null, error = null
try { hits = (await j.search('world')).length } catch (e) { error = { code: e.code, message: e.message, kind: e.kind } }
process.stdout.write(JSON.stringify({ before, after: loaded(), hits, error, listed: (await j.list()).length }))
`

test('a host that never searches never loads better-sqlite3; the first search does', async t => {
  const dir = tempDir(t)
  const lib = new URL('../../lib/index.js', import.meta.url).href
  assert.deepEqual(await run(host(lib, path.join(dir, 'root')), dir), { before: false, after: true, hits: 1, error: null, listed: 1 })
})

test('without better-sqlite3 installed, search is ERR_SEARCH_UNAVAILABLE naming it; the rest works', async t => {
  const dir = tempDir(t)
  const pkg = path.join(dir, 'pkg')
  fs.cpSync(path.join(repoRoot, 'dist', 'lib'), path.join(pkg, 'dist', 'lib'), { recursive: true })
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'session-journal', type: 'module' }))
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  fs.mkdirSync(path.join(pkg, 'node_modules'))
  for (const name of Object.keys(dependencies)) {
    // Scoped packages (@scope/name) need their scope folder first.
    fs.mkdirSync(path.dirname(path.join(pkg, 'node_modules', name)), { recursive: true })
    fs.symlinkSync(fs.realpathSync(path.join(repoRoot, 'node_modules', name)), path.join(pkg, 'node_modules', name))
  }
  const result = await run(host('./dist/lib/index.js', path.join(dir, 'root')), pkg)
  const error = result.error as { code: string, message: string, kind: string }
  assert.equal(error.code, 'ERR_SEARCH_UNAVAILABLE')
  assert.equal(error.kind, 'failed')
  assert.match(error.message, /better-sqlite3/)
  assert.match(error.message, /npm install better-sqlite3/)
  assert.deepEqual({ ...result, error: null }, { before: false, after: false, hits: null, error: null, listed: 1 })
})
