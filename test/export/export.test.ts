import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { test, type TestContext } from 'node:test'
import { MAX_JSON_DEPTH } from '../../lib/core/event.js'
import { REDACTED } from '../../lib/export/redact.js'
import { MAX_EXPORT_DEPTH } from '../../lib/export/validate.js'
import type { Journal } from '../../lib/journal.js'
import { run } from '../cli/helpers.js'
import { rejectsWith, tempDir } from '../helpers.js'
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
  assert.deepEqual(Object.keys(doc.info), ['id', 'projectId', 'projectPath', 'title', 'parentId', 'created', 'updated', 'share', 'usage', 'meta'])
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

/** `levels` nested arrays around 1, as JSON text (JSON.stringify itself overflows past ~4000). */
const deepJson = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`

/** A value nested `levels` levels (arrays and objects alternating), built in a loop. */
function nested(levels: number): any {
  let value: any = 1
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value }
  return value
}

/** A closed session with one message, plus `lines` appended by hand as another tool would write them. */
async function withRawLines(t: TestContext, ...lines: string[]): Promise<{ journal: Journal, id: string, dir: string }> {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', id: 'm1', parts: [{ type: 'text', text: 'hi' }] })
  let seq = s.nextSeq
  await s.close()
  for (const fields of lines) fs.appendFileSync(s.path, `{"seq":${seq++},"ts":"2030-01-01T00:00:00.000Z",${fields}}\n`)
  return { journal, id: s.id, dir: tempDir(t) }
}

/** exportTo into a stream that counts what reached it. */
function streamedBytes(journal: Journal, id: string, options: object): { result: Promise<unknown>, bytes: () => number } {
  const out = new PassThrough()
  let bytes = 0
  out.on('data', (c: Buffer) => { bytes += c.length })
  return { result: journal.exportTo(id, out, options), bytes: () => bytes }
}

const ALL_OPTIONS = [{}, { events: true }, { redact: true }, { events: true, redact: true }]

test('everything the journal accepts exports and imports back: content at MAX_JSON_DEPTH in every place', async t => {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project })
  const m = await s.message({ role: 'user', parts: [{ type: 'tool', input: nested(999) }], meta: { v: nested(999) } })
  await s.part(m, { type: 'tool', output: nested(999) })
  await s.append('x.deep', nested(MAX_JSON_DEPTH))
  await s.close()
  for (const options of ALL_OPTIONS) {
    const doc = await journal.export(s.id, options)
    assert.equal(await streamed(out => journal.exportTo(s.id, out, options)), JSON.stringify(doc, null, 2) + '\n')
  }
  const copy = await journal.import(await journal.export(s.id, { events: true }), { newId: true })
  assert.deepEqual((await journal.read(copy)).messages, (await journal.read(s.id)).messages)
})

test('a log holding an event nested too deep for a document: ERR_INVALID_EXPORT, nothing written, never a RangeError', async t => {
  for (const levels of [10, 1000, 1001, 10_000, 100_000]) {
    // Host data (kept in info.meta.events, 5 levels down) and a message's part (4 levels down).
    for (const [fields, at, limit] of [
      [`"type":"x.deep","data":${deepJson(levels)}`, 'info', MAX_EXPORT_DEPTH - 5],
      [`"type":"message","id":"m2","role":"user","parts":[{"id":"p","type":"t","v":${deepJson(levels)}}]`, 'messages[1]', MAX_EXPORT_DEPTH - 5],
    ] as const) {
      const { journal, id } = await withRawLines(t, fields)
      for (const options of ALL_OPTIONS) {
        if (levels <= limit) {
          assert.deepEqual(JSON.parse(await streamed(out => journal.exportTo(id, out, options))), await journal.export(id, options))
          continue
        }
        const error = await rejectsWith(journal.export(id, options), 'ERR_INVALID_EXPORT')
        assert.equal(error.id, id)
        assert.equal(error.message, `session ${id} cannot be exported: ${at} nests deeper than an export document may (1005 levels from its top)`)
        const stream = streamedBytes(journal, id, options)
        await rejectsWith(stream.result, 'ERR_INVALID_EXPORT')
        assert.equal(stream.bytes(), 0, `${levels} ${at} ${JSON.stringify(options)}`)
      }
    }
  }
})

test('an event too deep that only `events` carries (a reverted message) fails only with events, before any byte', async t => {
  const { journal, id } = await withRawLines(t,
    `"type":"message","id":"m2","role":"user","parts":[{"id":"p","type":"t","v":${deepJson(100_000)}}]`,
    '"type":"revert","messageId":"m2"')
  assert.equal((await journal.export(id)).messages.length, 1)
  for (const options of [{ events: true }, { events: true, redact: true }]) {
    const error = await rejectsWith(journal.export(id, options), 'ERR_INVALID_EXPORT')
    assert.match(error.message, /: events\[2\] nests deeper/)
    const stream = streamedBytes(journal, id, options)
    await rejectsWith(stream.result, 'ERR_INVALID_EXPORT')
    assert.equal(stream.bytes(), 0)
  }
})

test('session-journal export --out of a too-deep log fails with ERR_INVALID_EXPORT and leaves no file, not even a temp one', async t => {
  const { journal, id, dir } = await withRawLines(t, `"type":"x.deep","data":${deepJson(100_000)}`)
  const r = await run(['export', id, '--out', path.join(dir, 'out.json'), '--events'], { root: journal.root })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /ERR_INVALID_EXPORT|nests deeper/)
  assert.deepEqual(fs.readdirSync(dir), [])
})
