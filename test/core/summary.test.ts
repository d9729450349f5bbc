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
    created: null, updated: null, shared: false, damaged: false, ids: [],
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
    created: ts(0), updated: ts(11), shared: false, damaged: false, ids: ['a', 'b'],
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
