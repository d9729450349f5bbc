import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { codeOf, rejectsWith } from '../helpers.js'
import { journalIn } from '../sessions.js'
import {
  assertPlainJson, eventProblem, FORMAT_VERSION, MAX_JSON_DEPTH, toCustomBody, toLine, toMessageBody, toPart,
} from '../../lib/core/event.js'
import { isSessionId } from '../../lib/core/ids.js'


test('FORMAT_VERSION is 1', () => {
  assert.equal(FORMAT_VERSION, 1)
})

test('toPart: id and type first, whatever order the host used; the rest kept in its order', () => {
  const part = toPart({ text: 'hi', z: 1, type: 'text', a: [1], id: 'p1' }, 'part')
  assert.equal(JSON.stringify(part), '{"id":"p1","type":"text","text":"hi","z":1,"a":[1]}')
})

test('toPart: fills in a missing id with a fresh ULID, placed first', () => {
  const part = toPart({ type: 'text', text: 'x' }, 'part')
  assert.deepEqual(Object.keys(part), ['id', 'type', 'text'])
  assert.equal(isSessionId(part.id), true)
  assert.notEqual(toPart({ type: 'text' }, 'part').id, part.id)
})

test('toPart: hostile shapes: an own __proto__ key stays data, an undefined id is filled in, getters cannot swap the checked id or type', () => {
  const proto = toPart(JSON.parse('{"type":"text","__proto__":{"polluted":true},"id":"p1"}'), 'part')
  assert.equal(Object.getPrototypeOf(proto), Object.prototype)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.equal(JSON.stringify(proto), '{"id":"p1","type":"text","__proto__":{"polluted":true}}')
  const undefinedId = toPart({ text: 'x', id: undefined, type: 'text' }, 'part')
  assert.deepEqual(Object.keys(undefinedId), ['id', 'type', 'text'])
  assert.equal(isSessionId(undefinedId.id), true)
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { type: 'text', id: 'p2', n: 1 })
  assert.equal(JSON.stringify(toPart(bare, 'part')), '{"id":"p2","type":"text","n":1}')
  // A getter read twice answers differently the second time: the part keeps what was checked.
  const reads = { id: 0, type: 0 }
  const shifty = {
    get id() { return reads.id++ === 0 ? 'p3' : '' },
    get type() { return reads.type++ === 0 ? 'text' : 5 },
    text: 'y',
  }
  assert.equal(JSON.stringify(toPart(shifty, 'part')), '{"id":"p3","type":"text","text":"y"}')
})

test('toPart: refuses what is not a part', () => {
  const bad: unknown[] = [
    null, 'text', [], [{ type: 'text' }], new (class P { type = 'text' })(),
    {}, { type: '' }, { type: 1 }, { id: 'p', text: 'no type' },
    { type: 'text', id: '' }, { type: 'text', id: 7 }, { type: 'text', id: 'x'.repeat(257) },
    { type: 'text', when: new Date(0) },
  ]
  for (const input of bad) assert.equal(codeOf(() => toPart(input, 'part')), 'ERR_INVALID_EVENT', String(JSON.stringify(input)))
  // The longest accepted reference.
  assert.equal(toPart({ type: 'text', id: 'x'.repeat(256) }, 'part').id.length, 256)
})

test('toMessageBody: type, id, role, parts (and meta) in that order; ids filled in', () => {
  const body = toMessageBody({ meta: { k: 1 }, parts: [{ text: 'a', type: 'text' }], role: 'user', id: 'm1' })
  assert.deepEqual(Object.keys(body), ['type', 'id', 'role', 'parts', 'meta'])
  assert.equal(body.parts[0]!.type, 'text')
  assert.deepEqual(Object.keys(body.parts[0]!), ['id', 'type', 'text'])
  const generated = toMessageBody({ role: 'assistant' })
  assert.equal(isSessionId(generated.id), true)
  assert.deepEqual(generated.parts, [])
  assert.equal('meta' in generated, false)
})

test('toMessageBody: every role is accepted, nothing else', () => {
  for (const role of ['user', 'assistant', 'system'] as const) assert.equal(toMessageBody({ role }).role, role)
  for (const role of ['User', 'tool', '', undefined, null, 1]) {
    assert.equal(codeOf(() => toMessageBody({ role } as never)), 'ERR_INVALID_EVENT', String(role))
  }
})

test('toMessageBody: refuses bad parts, bad meta, bad ids and non-objects', () => {
  const cases: unknown[] = [
    null,
    'user',
    [],
    { role: 'user', parts: {} },
    { role: 'user', parts: 'text' },
    { role: 'user', parts: [{ text: 'no type' }] },
    { role: 'user', parts: [null] },
    { role: 'user', meta: [] },
    { role: 'user', meta: 'm' },
    { role: 'user', meta: null },
    { role: 'user', meta: { when: new Date() } },
    { role: 'user', meta: { n: NaN } },
    { role: 'user', id: '' },
    { role: 'user', id: 5 },
  ]
  for (const input of cases) assert.equal(codeOf(() => toMessageBody(input as never)), 'ERR_INVALID_EVENT', String(JSON.stringify(input)))
})

test('assertPlainJson: accepts plain JSON, including null-prototype objects and undefined properties', () => {
  const bare = Object.create(null) as Record<string, unknown>
  bare.x = 1
  const shared = { s: 1 }
  for (const value of [null, true, 0, -1.5, 'x', [], {}, [1, 'a', null, [{}]], { a: { b: [true] } }, bare, { u: undefined }, [shared, shared]]) {
    assert.doesNotThrow(() => assertPlainJson(value, 'v'), String(JSON.stringify(value)))
  }
})

test('assertPlainJson: refuses what JSON.stringify would drop, mangle or choke on', () => {
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  const cyclicArray: unknown[] = []
  cyclicArray.push([cyclicArray])
  class Thing { x = 1 }
  const bad: unknown[] = [
    cyclic, cyclicArray, 10n, { n: 10n }, () => 1, { f() { return 1 } }, NaN, Infinity, -Infinity,
    { n: NaN }, new Date(0), { d: new Date(0) }, new Map([[1, 2]]), new Set([1]), new Thing(), [new Thing()],
    Symbol('s'), { s: Symbol('s') }, undefined, [undefined], /re/, new Uint8Array(2), { toJSON: () => 'x' },
    new String('boxed'), Object.create({ inherited: 1 }),
  ]
  for (const value of bad) assert.equal(codeOf(() => assertPlainJson(value, 'v')), 'ERR_INVALID_EVENT', String(value))
})

test('toCustomBody: x.* types only, data defaults to null and must be plain JSON', () => {
  assert.deepEqual(toCustomBody('x.host.note', { a: 1 }), { type: 'x.host.note', data: { a: 1 } })
  assert.deepEqual(toCustomBody('x.h', undefined), { type: 'x.h', data: null })
  assert.deepEqual(Object.keys(toCustomBody('x.h', 1)), ['type', 'data'])
  for (const type of ['message', 'x.', 'x', 'y.note', 'X.note', 'x..n', 'x.-n', 'x.a b', `x.${'a'.repeat(128)}`, 5, undefined]) {
    assert.equal(codeOf(() => toCustomBody(type, null)), 'ERR_INVALID_EVENT', String(type))
  }
  assert.equal(toCustomBody(`x.${'a'.repeat(127)}`, null).type.length, 129)
  assert.equal(codeOf(() => toCustomBody('x.h', { d: new Date() })), 'ERR_INVALID_EVENT')
})

test('toLine: one line, newline-terminated, keys in the order given', () => {
  assert.equal(toLine({ seq: 1, ts: 't', type: 'title', title: 'T' }), '{"seq":1,"ts":"t","type":"title","title":"T"}\n')
})

test('toLine: U+2028, U+2029, newlines and control characters never break the line; JSON.parse gives the exact string back', () => {
  const strings = [
    'line\nbreak\r\nand\ttab',
    'sep\u2028para\u2029end',
    '\u2028\u2029\u2028',
    'back\\\u2028slash',
    '\u0000\u0001\u001f\u007f\u0085',
    'emoji 🚀👩‍👩‍👧 and ünïcödé 日本語',
    'lone high \ud800 and lone low \udc00 surrogates',
    '"quoted" and \\ backslash',
    '',
  ]
  for (const text of strings) {
    const event = { seq: 1, ts: 't', type: 'x.t', data: { [text]: text } }
    const line = toLine(event)
    assert.ok(line.endsWith('\n'))
    const body = line.slice(0, -1)
    for (const breaker of ['\n', '\r', '\u2028', '\u2029', '\u0000']) {
      assert.equal(body.includes(breaker), false, `${JSON.stringify(text)} leaves a raw ${JSON.stringify(breaker)}`)
    }
    assert.equal(body.split(/\r\n|\r|\n|\u2028|\u2029/).length, 1)
    assert.deepEqual(JSON.parse(body), event)
    assert.equal((JSON.parse(body) as { data: Record<string, string> }).data[text], text)
    // Only the two separators differ from JSON.stringify's own output.
    assert.equal(body, JSON.stringify(event).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'))
  }
  assert.equal(toLine({ t: 'a\u2028b' }), '{"t":"a\\u2028b"}\n')
  assert.equal(toLine({ t: 'a\ud800b' }), '{"t":"a\\ud800b"}\n')
})

test('eventProblem: well-formed events of every known type pass', () => {
  const base = { seq: 1, ts: '2024-01-01T00:00:00.000Z' }
  const good = [
    { ...base, seq: 0, type: 'session', version: 1, id: 'S', projectId: 'p', projectPath: '/p', title: null, parentId: null, host: null },
    { ...base, seq: 0, type: 'session', version: 1, id: 'S', projectId: 'p', projectPath: '/p', title: 'T', parentId: 'P', host: { name: 'h' } },
    { ...base, type: 'message', id: 'm', role: 'user', parts: [] },
    { ...base, type: 'message', id: 'm', role: 'assistant', parts: [{ id: 'p', type: 'text', text: '' }] },
    { ...base, type: 'part', messageId: 'm', part: { id: 'p', type: 'text' } },
    { ...base, type: 'title', title: '' },
    { ...base, type: 'revert', messageId: 'm' },
    { ...base, type: 'share', url: 'https://x', shareId: 's' },
    { ...base, type: 'unshare' },
    { ...base, type: 'repair', offset: 1, length: 2, file: 'f' },
    { ...base, type: 'x.host.note', data: null },
    { ...base, type: 'from-the-future', anything: [1] },
  ]
  for (const e of good) assert.equal(eventProblem(e), undefined, JSON.stringify(e))
})

test('eventProblem: names a problem for lines that are not events', () => {
  const base = { seq: 1, ts: 't' }
  const bad: unknown[] = [
    null, [], 'x', 1,
    { ts: 't', type: 'title', title: 'T' },
    { ...base, seq: -1, type: 'unshare' },
    { ...base, seq: 1.5, type: 'unshare' },
    { ...base, seq: '1', type: 'unshare' },
    { ...base, seq: 2 ** 53, type: 'unshare' },
    { seq: 1, ts: 5, type: 'unshare' },
    { seq: 1, type: 'unshare' },
    { ...base, type: 7 },
    { ...base, type: 'session', id: 'S', projectId: 'p', projectPath: '/p', title: null },
    { ...base, type: 'session', id: 'S', projectId: 'p', projectPath: 1, title: null, parentId: null },
    { ...base, type: 'message', id: 'm', role: 'tool', parts: [] },
    { ...base, type: 'message', id: 'm', role: 'user' },
    { ...base, type: 'message', role: 'user', parts: [] },
    { ...base, type: 'message', id: 'm', role: 'user', parts: [{ type: 'text' }] },
    { ...base, type: 'message', id: 'm', role: 'user', parts: ['text'] },
    { ...base, type: 'part', messageId: 'm', part: { id: 'p' } },
    { ...base, type: 'part', part: { id: 'p', type: 'text' } },
    { ...base, type: 'title', title: null },
    { ...base, type: 'revert' },
    { ...base, type: 'share', url: 'u' },
  ]
  for (const e of bad) assert.equal(typeof eventProblem(e), 'string', JSON.stringify(e))
})

/** `levels` levels of arrays and objects (alternating) around a number: built in a loop, so any depth. */
function nested(levels: number): any {
  let value: any = 1
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value }
  return value
}

test('assertPlainJson: MAX_JSON_DEPTH levels pass; deeper is ERR_INVALID_EVENT, never a RangeError', () => {
  assert.equal(MAX_JSON_DEPTH, 1000)
  for (const levels of [10, 256, 257, 1000]) assert.doesNotThrow(() => assertPlainJson(nested(levels), 'data'), `${levels}`)
  for (const levels of [1001, 10_000, 100_000]) {
    assert.throws(() => assertPlainJson(nested(levels), 'data'),
      { code: 'ERR_INVALID_EVENT', message: 'data nests deeper than 1000 levels of arrays and objects' }, `${levels}`)
  }
  // Past the cheap depth cycles are still found as cycles, and a problem keeps its path.
  const deepCycle = { a: {} }
  let inner: { a: object } = deepCycle
  for (let i = 0; i < 299; i++) inner = (inner.a = { a: {} })
  inner.a = deepCycle
  assert.throws(() => assertPlainJson(deepCycle, 'data'), /is cyclic$/)
  assert.throws(() => assertPlainJson({ k: [nested(500), { n: NaN }] }, 'data'), { message: 'data.k[1].n is NaN: not a JSON number' })
})

test('parts, meta and custom data nested deeper than MAX_JSON_DEPTH are refused (the part or meta object is level 1)', () => {
  const user = 'user' as const
  assert.doesNotThrow(() => toPart({ type: 'tool', input: nested(999) }, 'part'))
  assert.doesNotThrow(() => toMessageBody({ role: user, parts: [{ type: 't', v: nested(999) }], meta: { v: nested(999) } }))
  assert.doesNotThrow(() => toCustomBody('x.h', nested(1000)))
  for (const levels of [1000, 10_000, 100_000]) {
    assert.throws(() => toPart({ type: 'tool', input: nested(levels) }, 'part'), { code: 'ERR_INVALID_EVENT', message: /^part nests deeper than 1000/ })
    assert.throws(() => toMessageBody({ role: user, parts: [{ type: 't' }, { type: 't', v: nested(levels) }] }),
      { code: 'ERR_INVALID_EVENT', message: /^message\.parts\[1\] nests deeper/ })
    assert.throws(() => toMessageBody({ role: user, meta: { v: nested(levels) } }), { code: 'ERR_INVALID_EVENT', message: /^message\.meta nests deeper/ })
    assert.throws(() => toCustomBody('x.h', nested(levels + 1)), { code: 'ERR_INVALID_EVENT', message: /^data nests deeper/ })
  }
})

test('a session refuses a too-deep message, part or custom event and writes nothing', async t => {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project })
  const id = await s.message({ role: 'user', parts: [{ type: 'text', text: 'hi' }] })
  const before = fs.readFileSync(s.path)
  for (const levels of [10_000, 100_000]) {
    await rejectsWith(s.message({ role: 'user', parts: [{ type: 'x', v: nested(levels) }] }), 'ERR_INVALID_EVENT')
    await rejectsWith(s.part(id, { type: 'x', v: nested(levels) }), 'ERR_INVALID_EVENT')
    await rejectsWith(s.append('x.deep', nested(levels)), 'ERR_INVALID_EVENT')
  }
  await s.close()
  assert.deepEqual(fs.readFileSync(s.path), before)
})
