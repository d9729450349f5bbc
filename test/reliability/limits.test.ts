/**
 * Size limits and event validation: an event over maxLineBytes is refused with
 * ERR_EVENT_TOO_LARGE and anything that is not plain JSON with ERR_INVALID_EVENT, before a
 * byte is written; the seq is not used up and the writer goes on working.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal, type Session } from '../../lib/index.js'
import { logLines, tempDir } from '../helpers.js'

async function open(t: import('node:test').TestContext, maxLineBytes?: number) {
  const root = tempDir(t)
  const journal = new Journal({ root, fsync: 'never', ...(maxLineBytes === undefined ? {} : { maxLineBytes }) })
  const session = await journal.create({ project: path.join(root, 'work') })
  t.after(() => session.close())
  await session.message({ id: 'first', role: 'user', parts: [{ id: 'p', type: 'text', text: 'hi' }] })
  return { journal, session }
}

/** `attempt` is refused with `code`; the file and the next seq are exactly as before; the writer still works. */
async function assertRefused(session: Session, code: string, attempt: () => Promise<unknown>, label: string) {
  const before = fs.readFileSync(session.path)
  const seq = session.nextSeq
  await assert.rejects(attempt, { code }, label)
  assert.deepEqual(fs.readFileSync(session.path), before, `${label}: nothing written`)
  assert.equal(session.nextSeq, seq, `${label}: seq not used up`)
}

test('an event over maxLineBytes is refused before anything is written, counted in UTF-8 bytes; the writer goes on', async t => {
  const max = 4096
  const { journal, session } = await open(t, max)
  await assertRefused(session, 'ERR_EVENT_TOO_LARGE', () => session.message({ role: 'user', parts: [{ type: 'text', text: 'a'.repeat(5000) }] }), 'ascii message')
  // 1500 characters, 4500 bytes: the limit is in bytes.
  await assertRefused(session, 'ERR_EVENT_TOO_LARGE', () => session.part('first', { type: 'text', text: '日'.repeat(1500) }), 'utf-8 part')
  await assertRefused(session, 'ERR_EVENT_TOO_LARGE', () => session.title('t'.repeat(max)), 'title')
  await assertRefused(session, 'ERR_EVENT_TOO_LARGE', () => session.append('x.test.big', { pad: 'x'.repeat(max) }), 'custom')

  // Exactly maxLineBytes with the newline is accepted, and read back under the same limit.
  const base = Buffer.byteLength(`${JSON.stringify({ seq: session.nextSeq, ts: new Date().toISOString(), type: 'x.test.pad', data: '' })}\n`)
  await session.append('x.test.pad', 'a'.repeat(max - base))
  await assertRefused(session, 'ERR_EVENT_TOO_LARGE', () => session.append('x.test.pad', 'a'.repeat(max - base + 1)), 'one byte over')
  await session.message({ id: 'after', role: 'assistant', parts: [] })
  const lines = fs.readFileSync(session.path, 'utf8').split('\n')
  assert.equal(Buffer.byteLength(lines.at(-3)!) + 1, max)
  assert.deepEqual(logLines(session.path).map(l => l.seq), [0, 1, 2, 3])
  const history = await journal.read(session.id, { strict: true })
  assert.deepEqual(history.messages.map(m => m.id), ['first', 'after'])
  assert.equal(history.info.meta.events.length, 1)
})

test('non-plain-JSON events and malformed messages are refused with ERR_INVALID_EVENT, nothing written', async t => {
  const { journal, session } = await open(t)
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  class Thing { x = 1 }
  const text = (extra: Record<string, unknown>) => ({ role: 'user' as const, parts: [{ type: 'text', ...extra }] })
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['cyclic part', () => session.message(text({ value: cyclic }))],
    ['BigInt', () => session.message(text({ n: 10n }))],
    ['function', () => session.message(text({ f: () => 1 }))],
    ['symbol', () => session.message(text({ s: Symbol('x') }))],
    ['NaN', () => session.message(text({ n: Number.NaN }))],
    ['Infinity', () => session.message(text({ n: Number.POSITIVE_INFINITY }))],
    ['Date', () => session.message(text({ at: new Date() }))],
    ['Map', () => session.message(text({ m: new Map() }))],
    ['class instance', () => session.message(text({ t: new Thing() }))],
    ['undefined in an array', () => session.message(text({ list: [1, undefined] }))],
    ['part that is a string', () => session.message({ role: 'user', parts: ['hello' as never] })],
    ['part that is null', () => session.message({ role: 'user', parts: [null as never] })],
    ['part that is an array', () => session.message({ role: 'user', parts: [[] as never] })],
    ['part without type', () => session.message({ role: 'user', parts: [{ text: 'x' } as never] })],
    ['parts not an array', () => session.message({ role: 'user', parts: {} as never })],
    ['bad role', () => session.message({ role: 'robot' as never, parts: [] })],
    ['no role', () => session.message({ parts: [] } as never)],
    ['message not an object', () => session.message('hello' as never)],
    ['message id empty', () => session.message({ id: '', role: 'user', parts: [] })],
    ['meta a Date', () => session.message({ role: 'user', parts: [], meta: new Date() as never })],
    ['meta cyclic', () => session.message({ role: 'user', parts: [], meta: cyclic as never })],
    ['part() of a non-object', () => session.part('first', 42 as never)],
    ['part() with an overlong messageId', () => session.part('m'.repeat(257), { type: 'text' })],
    ['title not a string', () => session.title(42 as never)],
    ['revert without id', () => session.revert('')],
    ['custom type without x.', () => session.append('note', { a: 1 })],
    ['custom type that is a known one', () => session.append('message', { a: 1 })],
    ['custom data BigInt', () => session.append('x.test.n', 1n)],
    ['custom data cyclic', () => session.append('x.test.c', cyclic)],
  ]
  for (const [label, attempt] of cases) await assertRefused(session, 'ERR_INVALID_EVENT', attempt, label)
  await session.message({ id: 'after', role: 'user', parts: [] })
  assert.deepEqual((await journal.read(session.id, { strict: true })).messages.map(m => m.id), ['first', 'after'])
})
