/**
 * Several processes searching (and so catching the index up) at once while a writer appends,
 * one of them deleting the index half-way: no search fails, the writer is never refused, and
 * the index ends up sound and equal to the logs, each message in it once.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { openIndex, setup } from './helpers.js'

const lib = new URL('../../lib/index.js', import.meta.url).href

// The deletion retries: another searcher may create a file in the folder while it is emptied (ENOTEMPTY).
const SEARCHER = `
import fs from 'node:fs'
import { Journal } from ${JSON.stringify(lib)}
const [root, who, rounds] = process.argv.slice(2)
const j = new Journal({ root })
const errors = []
let hits = 0
for (let i = 0; i < Number(rounds); i++) {
  if (who === '0' && i === Math.floor(Number(rounds) / 2)) fs.rmSync(root + '/search', { recursive: true, force: true, maxRetries: 20, retryDelay: 10 })
  try { hits += (await j.search(i % 2 ? 'common' : 'word*')).length } catch (error) { errors.push(String(error?.stack ?? error)) }
}
process.stdout.write(JSON.stringify({ errors, hits }))
`

test('concurrent searchers and a writer: no failure, no block, and the index equals the logs afterwards', async t => {
  const { j, dir, root } = setup(t)
  const script = path.join(dir, 'searcher.mjs')
  fs.writeFileSync(script, SEARCHER)
  const sessions = await Promise.all([0, 1, 2].map(i => j.create({ project: path.join(dir, `p${i}`), title: `session ${i}` })))
  let expected = 0
  for (const s of sessions) {
    await s.message({ role: 'user', parts: [{ type: 'text', text: 'common start' }] })
    expected++
  }
  await j.search('common') // an index exists; the searchers catch it up at once

  const searchers = [0, 1, 2].map(who => promisify(execFile)(process.execPath, [script, root, String(who), '20'], { encoding: 'utf8' }))
  // The writer streams replies into every session meanwhile (paced, so the searchers run between its turns).
  const turns = 60
  for (let turn = 0; turn < turns; turn++) {
    for (const s of sessions) {
      const reply = await s.message({ role: 'assistant', parts: [] })
      for (let u = 1; u <= 5; u++) await s.part(reply, { id: 'a', type: 'text', text: `common word${turn} `.repeat(u) })
      expected++
    }
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  await Promise.all(sessions.map(s => s.close()))
  for (const result of await Promise.all(searchers)) {
    const { errors } = JSON.parse(result.stdout) as { errors: string[] }
    assert.deepEqual(errors, [])
  }

  const hits = await j.search('common', { limit: 1000 })
  assert.equal(hits.length, expected)
  assert.equal(new Set(hits.map(h => `${h.sessionId}/${h.messageId}`)).size, expected, 'each message once')
  assert.equal((await j.search(`word${turns - 1}`, { limit: 1000 })).length, 3)
  const db = openIndex(root, { readonly: false })
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
  db.prepare("INSERT INTO fts (fts) VALUES ('integrity-check')").run()
  assert.equal(db.prepare('SELECT count(*) FROM docs WHERE msg IS NOT NULL').pluck().get(), expected)
  db.close()
})

test('a first search waits while another process holds the new index file locked (switching to WAL answers busy at once)', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'waiting' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'patience' }] })
  await s.close()
  fs.mkdirSync(path.join(root, 'search'), { recursive: true, mode: 0o700 })
  const file = path.join(root, 'search', 'index.sqlite')
  // Another process in the middle of making the index: the file exists, locked, not yet WAL.
  const holder = `
import Database from ${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))}
const db = new Database(${JSON.stringify(file)})
db.exec('BEGIN IMMEDIATE') // a writer's reserved lock, as adopt() holds while it makes the schema
db.exec('CREATE TABLE pending (x)')
process.stdout.write('locked\\n')
setTimeout(() => { db.exec('ROLLBACK'); db.close() }, 400)
`
  const script = path.join(dir, 'holder.mjs')
  fs.writeFileSync(script, holder)
  const child = execFile(process.execPath, [script], { cwd: process.cwd() })
  const exited = new Promise(resolve => child.on('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (String(d).includes('locked')) resolve() })
    child.on('exit', code => reject(new Error(`the lock holder exited (${code}) before it held the lock`)))
  })
  const hits = await j.search('patience')
  assert.equal(hits.length, 1)
  assert.equal(await exited, 0)
})
