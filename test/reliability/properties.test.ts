/**
 * Property tests (fast-check): random operation sequences written through a session read
 * back as a small model fold written here; random byte corruption of a log never makes a
 * lenient read throw, never drops a line silently, and strict mode throws ERR_CORRUPT_LOG
 * exactly when the damage is more than a torn tail.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import fc from 'fast-check'
import { Journal, type JournalError, type Session } from '../../lib/index.js'
import { tempDir } from '../helpers.js'
import { FIXTURE_ID, fixtureBytes, installLog } from './util.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
interface ModelPart { id: string, type: string, text: string, [key: string]: Json }
interface ModelMessage { id: string, role: 'user' | 'assistant' | 'system', parts: ModelPart[], meta?: { [key: string]: Json } }
type Op =
  | { kind: 'message', message: ModelMessage }
  | { kind: 'part', messageId: string, part: ModelPart }
  | { kind: 'title', title: string }
  | { kind: 'revert', messageId: string }
  | { kind: 'custom', type: string, data: Json }

/** The fold's rules, restated as simply as possible. */
function model(ops: Op[]) {
  let messages: ModelMessage[] = []
  let title: string | null = null
  const events: Array<{ type: string, data: Json }> = []
  for (const op of ops) {
    switch (op.kind) {
      case 'message': {
        const copy = structuredClone(op.message)
        const at = messages.findIndex(m => m.id === copy.id)
        if (at === -1) messages.push(copy)
        else messages[at] = copy
        break
      }
      case 'part': {
        const target = messages.find(m => m.id === op.messageId)
        if (!target) break
        const at = target.parts.findIndex(p => p.id === op.part.id)
        if (at === -1) target.parts.push(op.part)
        else target.parts[at] = op.part
        break
      }
      case 'title': title = op.title; break
      case 'revert': {
        const at = messages.findIndex(m => m.id === op.messageId)
        if (at !== -1) messages = messages.slice(0, at)
        break
      }
      case 'custom': events.push({ type: op.type, data: op.data })
    }
  }
  return { messages, title, events }
}

// Text from all of Unicode, plus the characters that trouble line-oriented formats.
const tricky = fc.constantFrom('\n', '\r\n', '\r', '\u2028', '\u2029', '\0', '"', '\\', '\ud800', '\udfff', '\ufeff', '🚀', 'é', '\u{10ffff}')
const text = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), tricky), { maxLength: 6 }).map(a => a.join(''))
const messageId = fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4')
const partId = fc.constantFrom('p0', 'p1', 'p2', 'p3')
const part = fc.record({ id: partId, type: fc.constantFrom('text', 'reasoning', 'tool'), text })
// JSON as it reads back: -0 and the like become what JSON.parse makes of them.
const json = fc.jsonValue({ maxDepth: 3 }).map(v => JSON.parse(JSON.stringify(v)) as Json)
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    id: messageId,
    role: fc.constantFrom('user', 'assistant', 'system'),
    parts: fc.uniqueArray(part, { selector: p => p.id, maxLength: 3 }),
    meta: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }), { nil: undefined }),
  }, { requiredKeys: ['id', 'role', 'parts'] }).map(message => ({ kind: 'message' as const, message: message as ModelMessage })) },
  { weight: 3, arbitrary: fc.record({ messageId, part }).map(({ messageId, part }) => ({ kind: 'part' as const, messageId, part })) },
  { weight: 1, arbitrary: text.map(title => ({ kind: 'title' as const, title })) },
  { weight: 1, arbitrary: messageId.map(messageId => ({ kind: 'revert' as const, messageId })) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('x.prop.a', 'x.prop.b-c'), data: json }).map(c => ({ kind: 'custom' as const, ...c })) },
)

function apply(session: Session, o: Op): Promise<unknown> {
  switch (o.kind) {
    case 'message': return session.message(o.message)
    case 'part': return session.part(o.messageId, o.part)
    case 'title': return session.title(o.title)
    case 'revert': return session.revert(o.messageId)
    case 'custom': return session.append(o.type, o.data)
  }
}

test('property: random operations written and read back equal a model fold', async t => {
  const dir = tempDir(t)
  let run = 0
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), async (ops, waits) => {
    const root = path.join(dir, String(run++))
    const journal = new Journal({ root, fsync: 'never' })
    const session = await journal.create({ project: path.join(root, 'work') })
    // Some appends awaited one by one, others left in flight so they are joined into one write.
    const inFlight: Array<Promise<unknown>> = []
    for (const [i, o] of ops.entries()) {
      inFlight.push(apply(session, o))
      if (waits[i]) await Promise.all(inFlight)
    }
    await Promise.all(inFlight)
    await session.close()
    const history = await journal.read(session.id, { strict: true })
    // fast-check builds some records without a prototype; JSON gives the plain objects a read gives.
    const expected = JSON.parse(JSON.stringify(model(ops))) as ReturnType<typeof model>
    assert.deepEqual(history.damage, [])
    assert.deepEqual(history.messages.map(m => ({ id: m.id, role: m.role, parts: m.parts, ...(m.meta === undefined ? {} : { meta: m.meta }) })), expected.messages)
    assert.equal(history.info.title, expected.title)
    assert.deepEqual(history.info.meta.events.map(e => ({ type: e.type, data: e.data })), expected.events)
    fs.rmSync(root, { recursive: true })
  }), { numRuns: 60 })
})

test('property: export -> import -> read equals read of the original, with and without events', async t => {
  const dir = tempDir(t)
  let run = 0
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.boolean(), async (ops, withEvents) => {
    const root = path.join(dir, String(run++))
    const journal = new Journal({ root, fsync: 'never' })
    const session = await journal.create({ project: path.join(root, 'work'), title: 'original' })
    for (const o of ops) await apply(session, o)
    await session.close()
    const original = await journal.read(session.id)
    // Through JSON text, as a file or a pipe would carry it.
    const doc: unknown = JSON.parse(JSON.stringify(await journal.export(session.id, { events: withEvents })))
    const other = new Journal({ root: path.join(root, 'other'), fsync: 'never' })
    const id = await other.import(doc)
    assert.equal(id, session.id)
    assert.deepEqual(await other.read(id), original)
    const copy = await journal.import(doc, { newId: true })
    const copied = await journal.read(copy)
    assert.notEqual(copy, session.id)
    assert.deepEqual({ ...copied, info: { ...copied.info, id: session.id } }, original)
    fs.rmSync(root, { recursive: true })
  }), { numRuns: 40 })
})

type Corruption =
  | { kind: 'overwrite', at: number, bytes: Uint8Array }
  | { kind: 'insert', at: number, bytes: Uint8Array }
  | { kind: 'duplicate', from: number, length: number, at: number }

// Bytes that matter to the format turn up far more often than in uniform noise.
const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(10, 13, 0, 0x22, 0x7b, 0x7d, 0x2c, 0x3a, 0x30, 0x31, 0x39, 0xef))
const bytes = fc.array(byte, { minLength: 1, maxLength: 8 }).map(a => Uint8Array.from(a))
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })
const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('overwrite' as const), at: fraction, bytes }).map(c => ({ ...c, at: c.at })),
  fc.record({ kind: fc.constant('insert' as const), at: fraction, bytes }),
  fc.record({ kind: fc.constant('duplicate' as const), from: fraction, length: fc.integer({ min: 1, max: 300 }), at: fraction }),
) as fc.Arbitrary<Corruption>

function corrupt(original: Buffer, changes: Corruption[]): Buffer {
  let b = Buffer.from(original)
  for (const c of changes) {
    const at = Math.floor(c.at * (b.length + (c.kind === 'overwrite' ? 0 : 1)))
    if (c.kind === 'overwrite') {
      b = Buffer.from(b)
      Buffer.from(c.bytes).copy(b, at, 0, Math.min(c.bytes.length, b.length - at))
    } else if (c.kind === 'insert') {
      b = Buffer.concat([b.subarray(0, at), c.bytes, b.subarray(at)])
    } else {
      const from = Math.floor(c.from * b.length)
      b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + c.length), b.subarray(at)])
    }
  }
  return b
}

const newlines = (b: Buffer) => b.reduce((n, x) => n + (x === 10 ? 1 : 0), 0)

test('property: a randomly corrupted log never makes read throw, never loses a line silently, and strict throws exactly for damage beyond the tail', async t => {
  const healthy = fixtureBytes('healthy.ndjson')
  const seqs = healthy.toString().split('\n').filter(Boolean).map((_, i) => i)
  const root = tempDir(t)
  const journal = new Journal({ root, fsync: 'never' })
  await fc.assert(fc.asyncProperty(fc.array(corruption, { minLength: 1, maxLength: 3 }), async changes => {
    const bytes = corrupt(healthy, changes)
    installLog(root, bytes)
    const history = await journal.read(FIXTURE_ID)
    const events: number[] = []
    for await (const e of journal.events(FIXTURE_ID)) events.push(e.seq)
    for (let i = 1; i < events.length; i++) assert.ok(events[i]! > events[i - 1]!, 'seq only grows')
    for (const d of history.damage) {
      assert.ok(d.line >= 1 && d.offset >= 0 && d.offset + d.length <= bytes.length, 'damage points inside the file')
    }
    if (bytes.equals(healthy)) assert.deepEqual(history.damage, [])
    // No silent loss: with no damage reported, every line of the original is there.
    if (history.damage.length === 0) assert.deepEqual(events, seqs)
    // A line added, split or joined is always noticed.
    if (newlines(bytes) !== newlines(healthy)) assert.notDeepEqual(history.damage, [])

    const beyondTail = history.damage.filter(d => d.kind !== 'torn-tail')
    if (beyondTail.length > 0) {
      await assert.rejects(journal.read(FIXTURE_ID, { strict: true }), (e: JournalError) =>
        e.code === 'ERR_CORRUPT_LOG' && e.line === beyondTail[0]!.line && e.offset === beyondTail[0]!.offset)
    } else {
      const strict = await journal.read(FIXTURE_ID, { strict: true })
      assert.deepEqual(strict.messages, history.messages)
    }
  }), { numRuns: 400 })
})
