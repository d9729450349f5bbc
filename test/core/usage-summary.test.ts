import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'

const usage = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  model: fc.constantFrom('m1', 'm2'),
  input: fc.nat(5000), output: fc.nat(5000),
  cacheWrite: fc.option(fc.nat(100), { nil: undefined }),
  cost: fc.option(fc.integer({ min: 0, max: 64 }).map(c => c / 4), { nil: undefined }),
}).map(e => JSON.parse(JSON.stringify(e)) as { key: string, model: string, input: number, output: number })

test('listing totals equal read()\'s, the cache extended between appends (repeated keys across resumes count once)', async t => {
  const dir = tempDir(t)
  let n = 0
  await fc.assert(fc.asyncProperty(fc.array(fc.array(usage, { maxLength: 6 }), { minLength: 1, maxLength: 4 }), async chunks => {
    const j = new Journal({ root: path.join(dir, `r${n++}`), fsync: 'never' })
    const project = path.join(dir, 'app')
    const first = await j.create({ project })
    const id = first.id
    await first.close()
    for (const chunk of chunks) {
      const s = await j.resume(id)
      for (const e of chunk) await s.usage(e)
      await s.close()
      // Each list() extends the cached summary by what was appended since (hash mode).
      const [row] = await j.list()
      assert.deepEqual(row!.usage, (await j.read(id)).info.usage)
    }
  }), { numRuns: 25 })
})

test('a deleted index is rebuilt with the same totals; index.json keeps 8 characters per key, not the keys', async t => {
  const dir = tempDir(t)
  const j = new Journal({ root: path.join(dir, 'root'), fsync: 'never' })
  const s = await j.create({ project: path.join(dir, 'app') })
  const longKey = 'req_' + 'x'.repeat(200)
  await s.usage({ key: longKey, model: 'm', input: 3, output: 4 })
  await s.usage({ key: longKey, model: 'm', input: 3, output: 4 })
  await s.close()
  const before = (await j.list())[0]!.usage
  const index = path.join(dir, 'root', 'projects', s.projectId, 'index.json')
  const text = fs.readFileSync(index, 'utf8')
  assert.ok(!text.includes(longKey))
  // The keys are on the index's second line, with what else only extending a summary needs.
  assert.equal((JSON.parse(text.split('\n')[1]!).sessions[s.id].keys as string).length, 8)
  fs.rmSync(index)
  assert.deepEqual((await j.list())[0]!.usage, before)
  assert.equal(before.events, 1)
})
