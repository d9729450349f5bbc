/**
 * The freshness check of a warm search: projects whose sessions folder is unchanged since the
 * last search are not walked again; only logs a writer holds are stat'ed. Counted (calls to
 * statSync), not timed. Folders changed in the last 3 s are always walked, so this test waits
 * once for its folders to age.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { setup } from './helpers.js'

test('a warm search stats one folder per project and the logs being written, and still sees every change', async t => {
  const { j, dir } = setup(t)
  const projects = [0, 1, 2].map(i => path.join(dir, `p${i}`))
  const quiet = []
  for (const project of projects) {
    for (let k = 0; k < 4; k++) {
      const s = await j.create({ project, title: 'quiet' })
      await s.message({ role: 'user', parts: [{ type: 'text', text: 'steady' }] })
      await s.close()
      quiet.push(s)
    }
  }
  const live = await j.create({ project: projects[0]!, title: 'live' })
  await new Promise(resolve => setTimeout(resolve, 3200))
  assert.equal((await j.search('steady')).length, 12) // walks every project, keeps their marks

  const original = fs.statSync
  let stats = 0
  ;(fs as { statSync: unknown }).statSync = (...args: Parameters<typeof fs.statSync>) => { stats++; return original(...args) }
  t.after(() => { (fs as { statSync: unknown }).statSync = original })
  assert.equal((await j.search('steady')).length, 12)
  assert.equal(stats, 3 + 1 + 1, 'a folder per project, the live log, the index file')

  await live.message({ role: 'assistant', parts: [{ type: 'text', text: 'lively' }] })
  assert.deepEqual((await j.search('lively')).map(h => h.sessionId), [live.id])

  // A log appended by something that takes no lock is not seen while its folder is unchanged...
  const line = { seq: 2, ts: new Date().toISOString(), type: 'message', id: 'hand', role: 'user', parts: [{ id: 'p', type: 'text', text: 'handmade' }] }
  fs.appendFileSync(quiet[0]!.path, `${JSON.stringify(line)}\n`)
  assert.deepEqual(await j.search('handmade'), [])
  // ...and is once any session of the project is created, deleted, opened or closed.
  await live.close()
  assert.deepEqual((await j.search('handmade')).map(h => h.sessionId), [quiet[0]!.id])
  await j.delete(quiet[5]!.id)
  assert.equal((await j.search('steady')).length, 11)
})
