import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { REDACTED } from '../../lib/export/redact.js'
import { tempDir } from '../helpers.js'
import { journalIn, richSession, TRICKY } from '../sessions.js'

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function streamed(run: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  await run(out)
  out.end()
  return Buffer.concat(chunks).toString('utf8')
}

test('export holds exactly what read() folds, with the fixed top-level keys', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = await journal.export(id)
  const { info, messages } = await journal.read(id)
  assert.deepEqual(Object.keys(doc), ['format', 'version', 'info', 'messages'])
  assert.equal(doc.format, 'session-journal')
  assert.equal(doc.version, 1)
  assert.deepEqual(doc.info, info)
  assert.deepEqual(doc.messages, messages)
  assert.deepEqual(Object.keys(doc.info), ['id', 'projectId', 'projectPath', 'title', 'parentId', 'created', 'updated', 'share', 'meta'])
  assert.deepEqual(Object.keys(doc.messages[1]!), ['id', 'role', 'created', 'parts', 'meta'])
  assert.equal(doc.info.title, `second title ${TRICKY}`)
  assert.deepEqual(doc.messages.map(m => m.role), ['user', 'assistant', 'system'])
  assert.equal(doc.info.meta.events.length, 2)
})

test('export with events adds the raw log events, header first', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = await journal.export(id, { events: true })
  const raw = []
  for await (const e of journal.events(id)) raw.push(e)
  assert.deepEqual(Object.keys(doc), ['format', 'version', 'info', 'messages', 'events'])
  assert.deepEqual(doc.events, raw)
  assert.equal(doc.events![0]!.type, 'session')
})

test('exportToStream writes JSON.stringify(export(), null, 2) byte for byte', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const empty = await journal.create({ project })
  await empty.close()
  for (const [sid, options] of [[id, {}], [id, { events: true }], [id, { events: true, redact: true }], [empty.id, {}], [empty.id, { events: true }]] as const) {
    const text = await streamed(out => journal.exportTo(sid, out, options))
    assert.equal(text, JSON.stringify(await journal.export(sid, options), null, 2) + '\n')
  }
})

test('exportToStream reports what it wrote and waits for a slow reader', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const file = path.join(tempDir(t), 'out.json')
  const out = fs.createWriteStream(file, { highWaterMark: 16 })
  const result = await journal.exportTo(id, out, { events: true })
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  assert.equal(result.bytes, fs.statSync(file).size)
  assert.equal(result.messages, 3)
  assert.equal(result.events, [...(await journal.export(id, { events: true })).events!].length)
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), await journal.export(id, { events: true }))
})

test('the streamed events stop where the fold stopped, even if a writer appends meanwhile', async t => {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project })
  // Larger than the 64 KiB write buffer, so the writer blocks in the messages, before the events pass.
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'one'.repeat(40_000) }] })
  // A slow destination: the first write blocks until we have appended more.
  const out = new PassThrough({ highWaterMark: 1 })
  const chunks: Buffer[] = []
  const done = journal.exportTo(s.id, out, { events: true })
  await new Promise(resolve => out.once('readable', resolve))
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'two' }] })
  out.on('data', (c: Buffer) => chunks.push(c))
  await done
  await s.close()
  assert.equal([...await collect(journal.events(s.id))].length, 3)
  const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  assert.equal(doc.messages.length, 1)
  assert.equal(doc.events.length, 2)
})

test('redact applies to every string of the document, never to the log', async t => {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project, title: 'key sk-abcdefghijklmnopqrstuvwx' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'my key is sk-abcdefghijklmnopqrstuvwx ok' }] })
  await s.message({ role: 'assistant', parts: [{ type: 'tool', tool: 'curl', output: 'HTTP/1.1 200\nAuthorization: Bearer abc.def.ghi\n' }] })
  await s.close()
  const doc = await journal.export(s.id, { redact: true, events: true })
  const text = JSON.stringify(doc)
  assert.ok(!text.includes('sk-abcdefghijklmnopqrstuvwx'))
  assert.ok(!text.includes('abc.def.ghi'))
  assert.equal(doc.messages[0]!.parts[0]!.text, `my key is ${REDACTED} ok`)
  assert.equal(doc.info.title, `key ${REDACTED}`)
  const upper = await journal.export(s.id, { redact: text => text.toUpperCase() })
  assert.equal(upper.messages[0]!.parts[0]!.type, 'TEXT')
  assert.equal(upper.info.id, s.id) // ULIDs are upper case already
  // The log is untouched.
  assert.match(fs.readFileSync((await journal.locate(s.id)).path, 'utf8'), /sk-abcdefghijklmnopqrstuvwx/)
})

test('export of a missing or invalid id fails with the journal codes', async t => {
  const { journal } = journalIn(t)
  await assert.rejects(journal.export('01ARZ3NDEKTSV4RRFFQ69G5FAV'), { code: 'ERR_SESSION_NOT_FOUND' })
  await assert.rejects(journal.export('../etc/passwd'), { code: 'ERR_INVALID_ID' })
})
