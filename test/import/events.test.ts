import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkedBody, checkedEvents } from '../../lib/import/events.js'
import type { PeerSession } from '../../lib/import/peer.js'
import { codeOf } from '../helpers.js'

test('checkedBody: the journal\'s key order, whatever the peer\'s', () => {
  assert.deepEqual(JSON.stringify(checkedBody({ parts: [{ text: 'x', type: 'text', id: 'p' }], role: 'user', id: 'm', type: 'message' })),
    '{"type":"message","id":"m","role":"user","parts":[{"id":"p","type":"text","text":"x"}]}')
  assert.deepEqual(JSON.stringify(checkedBody({ output: 2, model: 'x', input: 1, key: 'k', type: 'usage' })), '{"type":"usage","key":"k","model":"x","input":1,"output":2}')
  assert.deepEqual(checkedBody({ type: 'x.codex.thing', data: { a: 1 }, extra: 'dropped' }), { type: 'x.codex.thing', data: { a: 1 } })
})

test('checkedBody: what the journal cannot hold or a re-import could not match is ERR_INVALID_EVENT', () => {
  for (const body of [
    { type: 'message', role: 'user', parts: [] },
    { type: 'message', id: 'm', role: 'user', parts: [{ type: 'text' }] },
    { type: 'message', id: 'm', role: 'root', parts: [] },
    { type: 'part', messageId: 'm', part: { type: 'text' } },
    { type: 'title', title: 5 },
    { type: 'revert', messageId: '' },
    { type: 'usage', key: 'k', model: 'm', input: 1.5, output: 0 },
    { type: 'session', id: 'x' },
    { type: 'share', url: 'u', shareId: 's' },
    { type: 'x.', data: 1 },
    { type: '__proto__' },
  ]) assert.equal(codeOf(() => checkedBody(body as never)), 'ERR_INVALID_EVENT', JSON.stringify(body))
})

test('checkedEvents: bad times take the one before; oversized events are left out with a problem', () => {
  const session: PeerSession = {
    origin: { tool: 'codex', id: 'o', path: '/src/o.jsonl', version: null }, projectPath: '', title: null, created: 'never', parentOriginId: null, problems: [],
    events: [
      { ts: '2025-01-01T00:00:00.000Z', body: { type: 'title', title: 'a' } },
      { ts: 'x'.repeat(100), body: { type: 'title', title: 'b' } },
      { ts: '2025-01-02T00:00:00.000Z', body: { type: 'x.codex.big', data: 'y'.repeat(5000) } },
    ],
  }
  const { events, problems } = checkedEvents(session, 4096)
  assert.deepEqual(events.map(e => e.ts), ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'])
  assert.deepEqual(problems.map(p => [p.path, p.message.replace(/ of \d+ bytes/, '')]), [['/src/o.jsonl', 'session o: event 3 left out: x.codex.big event exceeds maxLineBytes 4096']])
})
