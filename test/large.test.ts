/** One ~50 MB session through export (in memory and streamed) and import, both ways. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../lib/journal.js'
import { tempDir } from './helpers.js'
import { journalIn, TRICKY } from './sessions.js'

test('a ~50 MB session round-trips: export, streamed export, import with and without events', async t => {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project, title: `big ${TRICKY}` })
  const chunk = `${TRICKY} ${'lorem ipsum dolor sit amet '.repeat(360)}` // ~10 KB a part
  for (let i = 0; i < 3400; i++) {
    const id = await s.message({ role: i % 2 ? 'assistant' : 'user', parts: [{ type: 'text', text: `${i} ${chunk}` }] })
    if (i % 2) await s.part(id, { type: 'tool', tool: 'bash', input: { command: `cat file${i}` }, output: chunk })
    if (i % 500 === 0) await s.append('x.big.mark', { i })
  }
  await s.close()
  const size = fs.statSync(s.path).size
  assert.ok(size > 45e6, `log is ${size} bytes`)

  const original = await journal.read(s.id)
  const file = path.join(tempDir(t), 'big.json')
  const out = fs.createWriteStream(file)
  const written = await journal.exportTo(s.id, out, { events: true })
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  assert.equal(written.bytes, fs.statSync(file).size)
  const streamed = JSON.parse(fs.readFileSync(file, 'utf8'))
  assert.deepEqual(streamed, await journal.export(s.id, { events: true }))

  for (const events of [true, false]) {
    const other = new Journal({ root: path.join(tempDir(t), 'root'), fsync: 'never' })
    const { events: raw, ...folded } = streamed as unknown as Record<string, unknown>
    const doc = events ? { ...folded, events: raw } : folded
    assert.equal(await other.import(doc), s.id)
    assert.deepEqual(await other.read(s.id), original)
  }
})
