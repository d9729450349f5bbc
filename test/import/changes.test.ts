import assert from 'node:assert/strict'
import { test } from 'node:test'
import { changes, lastTime, viewOf } from '../../lib/import/changes.js'
import type { PeerEvent } from '../../lib/import/peer.js'

const T = (s: number) => `2025-05-01T00:00:${String(s).padStart(2, '0')}.000Z`
const m = (s: number, id: string, text: string): PeerEvent => ({ ts: T(s), body: { type: 'message', id, role: 'user', parts: [{ id: `${id}.p`, type: 'text', text }] } })
const u = (s: number, key: string, output = 1): PeerEvent => ({ ts: T(s), body: { type: 'usage', key, model: 'm', input: 1, output } })
const x = (s: number, n: number): PeerEvent => ({ ts: T(s), body: { type: 'x.tool.note', data: { n } } })
const view = (events: PeerEvent[], title: string | null = 't') => viewOf(T(0), title, events)

test('changes: the same source yields nothing', () => {
  const events = [m(1, 'a', 'hi'), u(2, 'k'), x(3, 1), x(3, 1), { ts: T(4), body: { type: 'title', title: 'later' } }]
  assert.deepEqual(changes(view(events), view(events), lastTime(T(0), events)), [])
})

test('changes: new messages in order, a changed one rewritten, a vanished tail reverted once', () => {
  const had = view([m(1, 'a', 'hi'), m(2, 'b', 'old'), m(3, 'c', 'gone'), m(4, 'd', 'gone too')])
  const want = view([m(1, 'a', 'hi'), m(2, 'b', 'new'), m(9, 'e', 'other'), m(5, 'f', 'clock went back')])
  assert.deepEqual(changes(had, want, T(9)), [
    { ts: T(9), body: { type: 'revert', messageId: 'c' } },
    { ts: T(9), body: { type: 'message', id: 'b', role: 'user', parts: [{ id: 'b.p', type: 'text', text: 'new' }] } },
    { ts: T(9), body: { type: 'message', id: 'e', role: 'user', parts: [{ id: 'e.p', type: 'text', text: 'other' }] } },
    { ts: T(5), body: { type: 'message', id: 'f', role: 'user', parts: [{ id: 'f.p', type: 'text', text: 'clock went back' }] } },
  ])
})

test('changes: a title that changed; usage by key only; kept events as a multiset, time included', () => {
  const had = view([u(1, 'k1', 5), x(2, 1)], 'old')
  const want = view([u(1, 'k1', 500), u(3, 'k2'), u(3, 'k2'), x(2, 1), x(2, 1), x(4, 1)], 'new')
  assert.deepEqual(changes(had, want, T(4)).map(e => [e.body.type, e.body.key ?? e.body.title ?? e.ts]), [
    ['title', 'new'], ['usage', 'k2'], ['x.tool.note', T(2)], ['x.tool.note', T(4)],
  ])
})

test('changes: the copy\'s own x.import.origin events are not the source\'s business', () => {
  const had = view([m(1, 'a', 'hi'), { ts: T(2), body: { type: 'x.import.origin', data: { fingerprint: 'f1' } } }])
  assert.deepEqual(changes(had, view([m(1, 'a', 'hi')]), T(2)), [])
})
