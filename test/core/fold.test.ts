import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { fold, FoldState } from '../../lib/core/fold.js'
import { emptySessionUsage } from '../../lib/core/usage.js'
import { emptySummary, summarize } from '../../lib/core/summary.js'
import type { JournalEvent, Part } from '../../lib/core/types.js'

const ts = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString()

/** Events with seq 0.. and ts one second apart, header first. */
function log(...bodies: Array<Record<string, unknown>>): JournalEvent[] {
  return [header(), ...bodies].map((b, i) => ({ seq: i, ts: ts(i), ...b }) as JournalEvent)
}

function header(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'session', version: 1, id: 'S1', projectId: 'p-000000000000', projectPath: '/p', title: null, parentId: null, host: null, ...extra }
}

const text = (id: string, t: string): Part => ({ id, type: 'text', text: t })
const msg = (id: string, role = 'user', parts: Part[] = []) => ({ type: 'message', id, role, parts })

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

test('fold: a header alone gives the session info and no messages', () => {
  const events = log()
  events[0] = { ...events[0]!, title: 'T', parentId: 'P', host: { name: 'h', version: '1' } } as JournalEvent
  assert.deepEqual(fold(events), {
    info: {
      id: 'S1', projectId: 'p-000000000000', projectPath: '/p', title: 'T', parentId: 'P',
      created: ts(0), updated: ts(0), share: null, usage: emptySessionUsage(), meta: { host: { name: 'h', version: '1' }, events: [] },
    },
    messages: [],
  })
})

test('fold: no events gives the defaults', () => {
  assert.deepEqual(fold([], { id: 'D', projectId: 'pd', projectPath: '/d' }), {
    info: { id: 'D', projectId: 'pd', projectPath: '/d', title: null, parentId: null, created: '', updated: '', share: null, usage: emptySessionUsage(), meta: { host: null, events: [] } },
    messages: [],
  })
})

test('fold: messages in order with role, created, parts and meta', () => {
  const { messages, info } = fold(log(
    msg('m1', 'user', [text('a', 'hello')]),
    { ...msg('m2', 'assistant', [text('b', 'hi'), { id: 'c', type: 'tool', tool: 'edit' }]), meta: { model: 'x' } },
    msg('m3', 'system'),
  ))
  assert.deepEqual(messages, [
    { id: 'm1', role: 'user', created: ts(1), parts: [text('a', 'hello')] },
    { id: 'm2', role: 'assistant', created: ts(2), parts: [text('b', 'hi'), { id: 'c', type: 'tool', tool: 'edit' }], meta: { model: 'x' } },
    { id: 'm3', role: 'system', created: ts(3), parts: [] },
  ])
  assert.equal(info.created, ts(0))
  assert.equal(info.updated, ts(3))
})

test('fold: a part with a new id is appended; with a known id it is replaced where it stands', () => {
  const { messages } = fold(log(
    msg('m1', 'assistant', [text('a', 'A0'), text('b', 'B0')]),
    { type: 'part', messageId: 'm1', part: text('c', 'C0') },
    { type: 'part', messageId: 'm1', part: text('a', 'A1') },
    { type: 'part', messageId: 'm1', part: { id: 'c', type: 'tool', state: 'done' } },
    { type: 'part', messageId: 'm1', part: text('a', 'A2') },
  ))
  assert.deepEqual(messages[0]!.parts, [text('a', 'A2'), text('b', 'B0'), { id: 'c', type: 'tool', state: 'done' }])
  assert.equal(messages[0]!.created, ts(1))
})

test('fold: a part for an unknown message is ignored', () => {
  const { messages } = fold(log(msg('m1'), { type: 'part', messageId: 'nope', part: text('a', 'x') }))
  assert.deepEqual(messages, [{ id: 'm1', role: 'user', created: ts(1), parts: [] }])
})

test('fold: title events set the title, the last one wins; a header title is the first', () => {
  const events = log({ type: 'title', title: 'second' }, { type: 'title', title: 'third' })
  assert.equal(fold(events.slice(0, 1)).info.title, null)
  events[0] = { ...events[0]!, title: 'first' } as JournalEvent
  assert.equal(fold(events.slice(0, 1)).info.title, 'first')
  assert.equal(fold(events.slice(0, 2)).info.title, 'second')
  assert.equal(fold(events).info.title, 'third')
  assert.equal(fold(log({ type: 'title', title: '' })).info.title, '')
})

test('fold: revert hides the message and everything after it', () => {
  const { messages } = fold(log(msg('m1'), msg('m2', 'assistant'), msg('m3'), msg('m4', 'assistant'), { type: 'revert', messageId: 'm2' }))
  assert.deepEqual(messages.map(m => m.id), ['m1'])
})

test('fold: revert then new messages; parts for reverted messages are ignored; reverted ids can come back', () => {
  const { messages } = fold(log(
    msg('m1', 'user', [text('a', 'q')]),
    msg('m2', 'assistant', [text('b', 'first answer')]),
    { type: 'revert', messageId: 'm2' },
    { type: 'part', messageId: 'm2', part: text('b', 'late stream of the reverted answer') },
    msg('m3', 'assistant', [text('c', 'second answer')]),
    { type: 'part', messageId: 'm1', part: text('a', 'q edited') },
    msg('m2', 'user', [text('d', 'reused id')]),
  ))
  assert.deepEqual(messages, [
    { id: 'm1', role: 'user', created: ts(1), parts: [text('a', 'q edited')] },
    { id: 'm3', role: 'assistant', created: ts(5), parts: [text('c', 'second answer')] },
    { id: 'm2', role: 'user', created: ts(7), parts: [text('d', 'reused id')] },
  ])
})

test('fold: revert of the first message empties the history; revert of an unknown id is a no-op', () => {
  assert.deepEqual(fold(log(msg('m1'), msg('m2'), { type: 'revert', messageId: 'm1' })).messages, [])
  const without = fold(log(msg('m1'), msg('m2')))
  const withUnknown = fold(log(msg('m1'), msg('m2'), { type: 'revert', messageId: 'zz' }))
  assert.deepEqual(withUnknown.messages, without.messages)
  // Reverting an already reverted message changes nothing either.
  const twice = fold(log(msg('m1'), msg('m2'), msg('m3'), { type: 'revert', messageId: 'm3' }, { type: 'revert', messageId: 'm3' }))
  assert.deepEqual(twice.messages.map(m => m.id), ['m1', 'm2'])
})

test('fold: a repeated message id replaces the message in place, keeping its first creation time', () => {
  const { messages } = fold(log(
    msg('m1', 'user', [text('a', 'one')]),
    msg('m2', 'assistant', [text('b', 'draft')]),
    msg('m3', 'user'),
    { ...msg('m2', 'assistant', [text('b2', 'final')]), meta: { v: 2 } },
    { type: 'part', messageId: 'm2', part: text('b', 'old part id: appended to the new message') },
  ))
  assert.deepEqual(messages, [
    { id: 'm1', role: 'user', created: ts(1), parts: [text('a', 'one')] },
    { id: 'm2', role: 'assistant', created: ts(2), parts: [text('b2', 'final'), text('b', 'old part id: appended to the new message')], meta: { v: 2 } },
    { id: 'm3', role: 'user', created: ts(3), parts: [] },
  ])
})

test('fold: every other event is activity: message, part, title, revert, header, import, host and unknown types', () => {
  for (const body of [msg('m2'), { type: 'part', messageId: 'm1', part: text('a', 'x') }, { type: 'title', title: 't' },
    { type: 'revert', messageId: 'm1' }, header(), { type: 'import', from: 'S0' }, { type: 'x.h.e', data: 1 }, { type: 'from-v2' }]) {
    assert.equal(fold(log(msg('m1'), { type: 'share', url: 'u', shareId: 's' }, body)).info.updated, ts(3), String(body.type))
  }
})

test('fold: share and unshare', () => {
  const shared = fold(log({ type: 'share', url: 'https://s/1', shareId: 's1' }))
  assert.deepEqual(shared.info.share, { url: 'https://s/1', shareId: 's1', ts: ts(1) })
  const reshared = fold(log({ type: 'share', url: 'https://s/1', shareId: 's1' }, { type: 'share', url: 'https://s/2', shareId: 's2' }))
  assert.deepEqual(reshared.info.share, { url: 'https://s/2', shareId: 's2', ts: ts(2) })
  assert.equal(fold(log({ type: 'share', url: 'u', shareId: 's' }, { type: 'unshare' })).info.share, null)
})

test('fold: a share recorded before an import event was the original\'s: the copy is not shared; a share after it is', () => {
  const shareOf = (ts: string) => ({ url: 'https://s/1', shareId: 's1', ts })
  const copy = fold(log(msg('m1'), { type: 'share', url: 'https://s/1', shareId: 's1' }, { type: 'import', from: 'S0' }))
  assert.equal(copy.info.share, null)
  assert.equal(copy.info.updated, ts(3), 'import pins updated')
  const sharedAgain = fold(log(msg('m1'), { type: 'share', url: 'u', shareId: 's' }, { type: 'import', from: 'S0' }, { type: 'share', url: 'https://s/1', shareId: 's1' }))
  assert.deepEqual(sharedAgain.info.share, shareOf(ts(4)))
})

test('fold: host x.* and unknown types are kept in info.meta.events, in order, without seq; repair and import are not', () => {
  const { info, messages } = fold(log(
    { type: 'x.host.cost', data: { tokens: 5 } },
    msg('m1'),
    { type: 'repair', offset: 10, length: 3, file: 'f.torn-10' },
    { type: 'from-v2', payload: [1, 2] },
    { type: 'import', from: 'elsewhere' },
    { type: 'x.host.note', data: null },
  ))
  assert.deepEqual(info.meta.events, [
    { ts: ts(1), type: 'x.host.cost', data: { tokens: 5 } },
    { ts: ts(4), type: 'from-v2', payload: [1, 2] },
    { ts: ts(6), type: 'x.host.note', data: null },
  ])
  assert.deepEqual(messages.map(m => m.id), ['m1'])
  assert.equal(info.updated, ts(6))
})

test('fold: created is the header time, updated the time of the last activity (not share, unshare, repair)', () => {
  const events = log(msg('m1'), { type: 'x.h.e', data: 1 }, { type: 'repair', offset: 0, length: 1, file: 'f' },
    { type: 'share', url: 'u', shareId: 's' }, { type: 'unshare' })
  const { info } = fold(events)
  assert.equal(info.created, ts(0))
  assert.equal(info.updated, ts(2))
  // Without a header (damaged line 1), the first event's time stands in, and the defaults fill the ids.
  const headless = fold(events.slice(1), { id: 'D', projectId: 'pd', projectPath: '/d' })
  assert.equal(headless.info.created, ts(1))
  assert.equal(headless.info.updated, ts(2))
  // Only passive events: the first of them stands in rather than no time at all.
  assert.equal(fold(events.slice(3)).info.updated, ts(3))
  assert.equal(headless.info.id, 'D')
  assert.equal(headless.info.projectPath, '/d')
})

test('fold: only the first header counts', () => {
  const events = log(msg('m1'), header({ id: 'OTHER', projectPath: '/other', title: 'other title', host: { name: 'h2' } }))
  const { info } = fold(events)
  assert.equal(info.id, 'S1')
  assert.equal(info.projectPath, '/p')
  assert.equal(info.title, null)
  assert.equal(info.meta.host, null)
  assert.equal(info.created, ts(0))
})

test('fold: pure; deep-frozen input events fold fine and fold the same twice', () => {
  const events = deepFreeze(log(
    msg('m1', 'user', [text('a', 'x')]),
    { type: 'part', messageId: 'm1', part: text('b', 'y') },
    { type: 'part', messageId: 'm1', part: text('a', 'x2') },
    msg('m2', 'assistant'),
    msg('m1', 'user', [text('c', 'z')]),
    { type: 'part', messageId: 'm1', part: text('d', 'w') },
    { type: 'title', title: 't' },
    { type: 'share', url: 'u', shareId: 's' },
    { type: 'x.h.e', data: { deep: [1] } },
    { type: 'revert', messageId: 'm2' },
  ))
  const snapshot = JSON.stringify(events)
  const first = fold(events)
  const second = fold(events)
  assert.deepEqual(first, second)
  assert.equal(JSON.stringify(events), snapshot)
  assert.deepEqual(first.messages, [{ id: 'm1', role: 'user', created: ts(1), parts: [text('c', 'z'), text('d', 'w')] }])
})

test('FoldState: pushing one by one equals fold()', () => {
  const events = log(msg('m1'), { type: 'title', title: 't' }, msg('m2'), { type: 'revert', messageId: 'm2' })
  const folder = new FoldState()
  for (const e of events) folder.push(e)
  assert.deepEqual(folder.result(), fold(events))
})

/** A small deterministic PRNG (mulberry32), so a failure reproduces from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomLog(seed: number): JournalEvent[] {
  const r = rng(seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
  const ids = ['a', 'b', 'c', 'd', 'e', 'f']
  const bodies: Array<Record<string, unknown>> = []
  const n = Math.floor(r() * 40)
  for (let i = 0; i < n; i++) {
    const k = r()
    if (k < 0.35) bodies.push(msg(pick(ids), pick(['user', 'assistant'])))
    else if (k < 0.5) bodies.push({ type: 'part', messageId: pick(ids), part: text(pick(['p', 'q']), String(i)) })
    else if (k < 0.62) bodies.push({ type: 'revert', messageId: pick(ids) })
    else if (k < 0.72) bodies.push({ type: 'title', title: `t${i}` })
    else if (k < 0.78) bodies.push({ type: 'share', url: 'u', shareId: 's' })
    else if (k < 0.82) bodies.push({ type: 'unshare' })
    else if (k < 0.88) bodies.push({ type: 'x.h.e', data: i })
    else if (k < 0.92) bodies.push(header({ title: pick([null, `h${i}`]), projectPath: `/p${i}` }))
    else if (k < 0.96) bodies.push({ type: 'import', from: 'S0' })
    else bodies.push({ type: 'repair', offset: i, length: 1, file: 'f' })
  }
  const events = log(...bodies)
  // Passive events first (a headless log starting with a share) must agree too.
  if (r() < 0.1) events.splice(1, 0, { seq: 0, ts: ts(0), type: r() < 0.5 ? 'share' : 'repair', url: 'u', shareId: 's', offset: 0, length: 1, file: 'f' } as JournalEvent)
  if (r() < 0.2) events[0] = { ...events[0]!, title: 'header title' } as JournalEvent
  return r() < 0.1 ? events.slice(1) : events
}

test('summarize agrees with fold on title, message count, created, updated and shared (random-ish logs)', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const events = randomLog(seed)
    const folded = fold(events)
    const s = emptySummary(1)
    for (const e of events) summarize(s, e)
    const where = `seed ${seed}: ${JSON.stringify(events.map(e => e.type === 'message' || e.type === 'revert' ? `${e.type}:${String((e as Record<string, unknown>).id ?? (e as Record<string, unknown>).messageId)}` : e.type))}`
    assert.equal(s.title, folded.info.title, where)
    assert.equal(s.ids.length, folded.messages.length, where)
    assert.deepEqual(s.ids, folded.messages.map(m => m.id), where)
    assert.equal(s.created ?? '', folded.info.created, where)
    assert.equal(s.updated ?? '', folded.info.updated, where)
    assert.equal(s.shared, folded.info.share !== null, where)
  }
})

/**
 * Elements looked at by Array searches while `fn` runs, counted through Array.prototype (the
 * fold has no other way to search an array but its own loop over a message's few parts).
 */
function elementsSearched(fn: () => void): number {
  const names = ['indexOf', 'lastIndexOf', 'includes', 'findIndex', 'find', 'findLast', 'findLastIndex'] as const
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>
  const saved = names.map(name => proto[name]!)
  let count = 0
  names.forEach((name, i) => {
    proto[name] = function (this: unknown[], ...args: unknown[]) { count += this.length; return saved[i]!.apply(this, args) }
  })
  try {
    fn()
  } finally {
    names.forEach((name, i) => { proto[name] = saved[i]! })
  }
  return count
}

test('fold and summarize are linear: re-sent messages and reverts never search the messages (elements searched counted)', () => {
  const n = 3000
  const bodies: Array<Record<string, unknown>> = []
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < n; i++) bodies.push(msg(`m${i}`, 'user', [text('a', `${round}`)]))
  }
  // Reverts near the end, each message sent again after: each revert cuts everything after it.
  for (let i = n - 1; i >= n - 50; i--) bodies.push({ type: 'revert', messageId: `m${i}` }, msg(`m${i}`, 'assistant'))
  const events = log(...bodies)
  let folded: ReturnType<typeof fold> | undefined
  const summary = emptySummary(1)
  const searched = elementsSearched(() => {
    folded = fold(events)
    for (const e of events) summarize(summary, e)
  })
  assert.equal(searched, 0)
  assert.equal(folded!.messages.length, n - 49)
  assert.deepEqual(folded!.messages.slice(0, 2).map(m => [m.id, m.parts[0]!.text, m.created]), [['m0', '9', ts(1)], ['m1', '9', ts(2)]])
  assert.deepEqual(folded!.messages.slice(-2).map(m => [m.id, m.role]), [['m2949', 'user'], ['m2950', 'assistant']])
  assert.deepEqual(summary.ids, folded!.messages.map(m => m.id))
})

test('fold: one rule for duplicate part ids at every message size (1..60): a part event replaces the LAST part with its id', () => {
  const partId = fc.nat({ max: 30 }).map(i => `p${i}`)
  fc.assert(fc.property(
    fc.array(partId, { minLength: 1, maxLength: 60 }),
    fc.array(partId, { maxLength: 40 }),
    (initial, updates) => {
      // The model: a message's own parts are kept as given, duplicates and all.
      const model = initial.map((id, i) => text(id, `initial ${i}`))
      const events = log(msg('m', 'assistant', model.slice()), ...updates.map((id, i) => ({ type: 'part', messageId: 'm', part: text(id, `update ${i}`) })))
      updates.forEach((id, i) => {
        const at = model.map(p => p.id).lastIndexOf(id)
        if (at === -1) model.push(text(id, `update ${i}`))
        else model[at] = text(id, `update ${i}`)
      })
      assert.deepEqual(fold(events).messages[0]!.parts, model)
    },
  ), { numRuns: 300 })
})
