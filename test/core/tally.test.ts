import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyTally, emptyTally, isTally, roleCounts, tallyMessage, tallyPart, tallyRevert, toolsByUse } from '../../lib/core/tally.js'

const tool = (id: string, name: string) => ({ id, type: 'tool', tool: name })
const text = (id: string) => ({ id, type: 'text', text: 'x' })

test('tally: roles by letter, counted; a replaced message changes its role in place', () => {
  const t = emptyTally()
  tallyMessage(t, 0, 'user', [])
  tallyMessage(t, 1, 'assistant', [])
  tallyMessage(t, 2, 'system', [])
  assert.equal(t.roles, 'uas')
  tallyMessage(t, 1, 'user', [])
  assert.deepEqual([t.roles, roleCounts(t)], ['uus', { user: 2, assistant: 0, system: 1 }])
  tallyRevert(t, 1)
  assert.deepEqual([t.roles, roleCounts(t)], ['u', { user: 1, assistant: 0, system: 0 }])
})

test('tally: a part event replaces the LAST part with its id, as the fold does (earlier duplicates stay counted)', () => {
  const t = emptyTally()
  // Two parts with id d: the first can no longer change, the second is the one a part event hits.
  tallyMessage(t, 0, 'assistant', [tool('d', 'bash'), tool('d', 'read'), text('t')])
  assert.deepEqual(t.tools!.calls[0], [[null, 'bash'], ['d', 'read']])
  tallyPart(t, 0, tool('d', 'grep'))
  assert.deepEqual({ ...toolsByUse(t) }, { bash: 1, grep: 1 })
  // A text part after a call with the same id freezes the call: a later event replaces the text.
  tallyMessage(t, 1, 'assistant', [tool('x', 'edit'), text('x')])
  tallyPart(t, 1, tool('x', 'edit'))
  assert.deepEqual({ ...toolsByUse(t) }, { edit: 2, bash: 1, grep: 1 }, 'most used first, then by name')
  // A call replaced by a non-call part is taken back.
  tallyPart(t, 0, text('d'))
  assert.deepEqual({ ...toolsByUse(t) }, { edit: 2, bash: 1 })
  tallyRevert(t, 0)
  assert.equal(t.tools, null, 'nothing left: the small form')
  assert.equal(Object.getPrototypeOf(toolsByUse(t)), null)
})

test('copyTally: the copy is independent, and keys read back from JSON stay plain keys', () => {
  const t = emptyTally()
  tallyMessage(t, 0, 'assistant', [tool('a', '__proto__'), tool('b', 'hasOwnProperty')])
  const back = copyTally(JSON.parse(JSON.stringify(t)) as typeof t)
  tallyPart(back, 0, tool('c', '__proto__'))
  assert.deepEqual(Object.entries(back.tools!.counts), [['__proto__', 2], ['hasOwnProperty', 1]])
  assert.deepEqual(Object.entries(t.tools!.counts), [['__proto__', 1], ['hasOwnProperty', 1]], 'the original is untouched')
  assert.equal(Object.getPrototypeOf(back.tools!.counts), null)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('isTally: refuses what is not one', () => {
  assert.equal(isTally(emptyTally()), true)
  for (const v of [{ roles: 1, tools: null }, { roles: '' }, { roles: '', tools: { calls: [], counts: {} } }, { roles: '', tools: { calls: {} } }, { roles: '', tools: 'x' }]) {
    assert.equal(isTally(v), false, JSON.stringify(v))
  }
})
