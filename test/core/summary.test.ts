import { test } from 'node:test'
import assert from 'node:assert/strict'
import { emptySummary, isSummary, summarize, type Summary } from '../../lib/core/summary.js'
import type { JournalEvent } from '../../lib/core/types.js'

const ts = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString()

function events(...bodies: Array<Record<string, unknown>>): JournalEvent[] {
  const header = { type: 'session', version: 1, id: 'S', projectId: 'p-000000000000', projectPath: '/p', title: 'h', parentId: 'P', host: null }
  return [header, ...bodies].map((b, i) => ({ seq: i, ts: ts(i), ...b }) as JournalEvent)
}

function summarizeAll(list: JournalEvent[], s: Summary = emptySummary(7)): Summary {
  for (const e of list) summarize(s, e)
  return s
}

test('emptySummary: nothing known yet, positioned at the start', () => {
  assert.deepEqual(emptySummary(42, 1700000000000), {
    ino: 42, born: 1700000000000, position: { offset: 0, lines: 0, lastSeq: -1 }, projectPath: null, title: null, parentId: null,
    created: null, updated: null, shared: false, damaged: false, ids: [], firstPrompt: null, usage: null,
  })
  assert.equal(isSummary(emptySummary(1)), true)
})

test('summarize: header, messages, repeated ids, reverts, title, share', () => {
  const s = summarizeAll(events(
    { type: 'message', id: 'a', role: 'user', parts: [] },
    { type: 'message', id: 'b', role: 'user', parts: [] },
    { type: 'message', id: 'a', role: 'user', parts: [] },
    { type: 'message', id: 'c', role: 'user', parts: [] },
    { type: 'revert', messageId: 'b' },
    { type: 'message', id: 'b', role: 'user', parts: [] },
    { type: 'revert', messageId: 'nope' },
    { type: 'title', title: 't' },
    { type: 'share', url: 'u', shareId: 's' },
    { type: 'unshare' },
    { type: 'x.h.e', data: 1 },
  ))
  assert.deepEqual({ ...s, position: undefined }, {
    ino: 7, born: 0, position: undefined, projectPath: '/p', title: 't', parentId: 'P',
    created: ts(0), updated: ts(11), shared: false, damaged: false, ids: ['a', 'b'], firstPrompt: { id: 'a', partId: null, text: '' }, usage: null,
  })
})

test('summarize: stopping, saving as JSON (as index.json does) and going on gives the same summary', () => {
  const list = events(
    { type: 'message', id: 'a', role: 'user', parts: [] },
    { type: 'message', id: 'b', role: 'user', parts: [] },
    { type: 'revert', messageId: 'b' },
    { type: 'message', id: 'c', role: 'user', parts: [] },
    { type: 'message', id: 'a', role: 'user', parts: [] },
    { type: 'message', id: 'c', role: 'user', parts: [] },
    { type: 'message', id: 'b', role: 'user', parts: [] },
    { type: 'share', url: 'u', shareId: 's' },
    { type: 'revert', messageId: 'c' },
    { type: 'message', id: 'c', role: 'user', parts: [] },
    { type: 'title', title: 'end' },
  )
  const whole = summarizeAll(list)
  for (let cut = 0; cut <= list.length; cut++) {
    const saved = JSON.parse(JSON.stringify(summarizeAll(list.slice(0, cut)))) as Summary
    assert.equal(isSummary(saved), true)
    assert.deepEqual(summarizeAll(list.slice(cut), saved), whole, `cut at ${cut}`)
  }
  assert.deepEqual(whole.ids, ['a', 'c'])
})

test('isSummary: refuses what is not one', () => {
  for (const v of [null, 1, 'x', {}, { ino: 1, ids: [] }, { ino: '1', ids: [], position: { offset: 0 } }, { ino: 1, ids: {}, position: { offset: 0 } }, { ino: 1, ids: [], position: null }]) {
    assert.equal(isSummary(v), false, JSON.stringify(v))
  }
})

test('summarize: share, unshare and repair are not activity: updated stays at the last other event', () => {
  const s = summarizeAll(events(
    { type: 'message', id: 'a', role: 'user', parts: [] },
    { type: 'share', url: 'u', shareId: 's' },
    { type: 'unshare' },
    { type: 'repair', offset: 1, length: 1, file: 'f' },
  ))
  assert.deepEqual([s.created, s.updated, s.shared], [ts(0), ts(1), false])
  // With nothing else (no header), the first of them stands in.
  assert.equal(summarizeAll(events({ type: 'share', url: 'u', shareId: 's' }).slice(1)).updated, ts(1))
})

test('firstPrompt: the first user message\'s first text, as folded (replaced, streamed, reverted)', () => {
  const s = summarizeAll(events(
    { type: 'message', id: 'a0', role: 'assistant', parts: [{ id: 't', type: 'text', text: 'hello, how can I help?' }] },
    { type: 'message', id: 'u1', role: 'user', parts: [{ id: 'img', type: 'file', url: 'x' }, { id: 't', type: 'text', text: '  fix\n\tthe   test ' }] },
    { type: 'message', id: 'u2', role: 'user', parts: [{ id: 't', type: 'text', text: 'second' }] },
  ))
  const ev = (n: number, body: Record<string, unknown>) => ({ seq: n, ts: ts(n), ...body }) as JournalEvent
  assert.deepEqual(s.firstPrompt, { id: 'u1', partId: 't', text: 'fix the test' })
  summarize(s, ev(9, { type: 'part', messageId: 'u1', part: { id: 'other', type: 'text', text: 'not the first text part' } }))
  summarize(s, ev(10, { type: 'part', messageId: 'u1', part: { id: 't', type: 'text', text: 'fix the flaky test' } }))
  assert.equal(s.firstPrompt?.text, 'fix the flaky test', 'a streamed update of that part')
  summarize(s, ev(11, { type: 'message', id: 'u1', role: 'user', parts: [{ id: 'n', type: 'text', text: 'replaced' }] }))
  assert.equal(s.firstPrompt?.text, 'replaced', 'a repeated message id replaces the message')
  summarize(s, ev(12, { type: 'revert', messageId: 'u1' }))
  assert.equal(s.firstPrompt, null, 'reverted with everything after it')
  const again = s as Summary
  summarize(again, ev(13, { type: 'message', id: 'u3', role: 'user', parts: [{ id: 't', type: 'text', text: 'again' }] }))
  assert.equal(again.firstPrompt?.text, 'again')
})

test('firstPrompt is cut at ~200 characters on a word boundary, and a huge paste costs only its head', async () => {
  const { shortPrompt, PROMPT_CHARS } = await import('../../lib/core/prompt.js')
  const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ')
  const cut = shortPrompt(words)
  assert.ok(cut.endsWith('…') && cut.length <= PROMPT_CHARS + 1, cut)
  assert.ok(words.startsWith(cut.slice(0, -1)) && words[cut.length - 1] === ' ', 'cut before a space')
  assert.equal(shortPrompt('x'.repeat(500)), `${'x'.repeat(PROMPT_CHARS)}…`, 'one long word is cut where it is')
  assert.equal(shortPrompt(`short${' '.repeat(5000)}`), 'short', 'trailing space is not text')
  assert.equal(shortPrompt(`a\n\n${'b '.repeat(2_000_000)}`).length, PROMPT_CHARS, 'a 4 MB paste shortens from its head')
})
