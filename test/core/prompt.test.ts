import { test } from 'node:test'
import assert from 'node:assert/strict'
import { promptOf, promptsOnMessage, promptsOnPart, promptsOnRevert, shortPrompt, startPrompts, type Prompts } from '../../lib/core/prompt.js'
import { RebuildNeeded } from '../../lib/core/usage-summary.js'

const text = (id: string, t: string) => ({ id, type: 'text', text: t })

/** Messages as the summary hands them over: the position map and the calls. */
function driver(exact: boolean) {
  const s: Prompts = { firstPrompt: null, lastPrompt: null }
  if (exact) startPrompts(s)
  const positions = new Map<string, number>()
  const roles: string[] = []
  return {
    s,
    message(id: string, role: string, parts: Array<{ id: string, type: string, text?: unknown }>) {
      const known = positions.get(id)
      const at = known ?? positions.size
      if (known === undefined) positions.set(id, at)
      promptsOnMessage(s, at, known === undefined ? null : roles[at] === 'user', { id, role, parts }, positions)
      roles[at] = role
    },
    part(id: string, part: { id: string, type: string, text?: unknown }) { promptsOnPart(s, positions.get(id)!, id, part, positions) },
    revert(id: string) {
      const at = positions.get(id)!
      promptsOnRevert(s, at, positions)
      for (const [k, v] of positions) if (v >= at) positions.delete(k)
    },
    texts: () => [s.firstPrompt?.text ?? null, s.lastPrompt?.text ?? null],
  }
}

test('prompts: first and last user text, skipping user messages without text and other roles', () => {
  const d = driver(false)
  d.message('a', 'user', [{ id: 'f', type: 'file' }])
  d.message('b', 'assistant', [text('t', 'not a prompt')])
  d.message('c', 'user', [{ id: 'f', type: 'file' }, text('t', 'first  one')])
  d.message('e', 'user', [text('t', 'second')])
  assert.deepEqual(d.texts(), ['first one', 'second'])
  // A user message without text, then its text streamed in: the last prompt, without any rebuild.
  d.message('g', 'user', [])
  d.part('g', text('t', 'third'))
  assert.deepEqual(d.texts(), ['first one', 'third'])
  // A text part on the message before the first prompt (it had none): the first prompt.
  d.part('a', text('u', 'zeroth'))
  assert.deepEqual(d.texts(), ['zeroth', 'third'])
})

test('prompts: without the user messages of a scan from the start, an edit of a prompt\'s own message asks for a rebuild; with them it is exact', () => {
  for (const [edit, want] of [
    [(d: ReturnType<typeof driver>) => d.revert('e'), ['first', 'middle']],
    [(d: ReturnType<typeof driver>) => d.message('e', 'assistant', []), ['first', 'middle']],
    [(d: ReturnType<typeof driver>) => d.part('e', text('t', 'streamed')), ['first', 'streamed']],
    [(d: ReturnType<typeof driver>) => d.part('c', { id: 't', type: 'file' }), ['middle', 'last']],
  ] as const) {
    const cached = driver(false)
    cached.message('c', 'user', [text('t', 'first')])
    cached.message('x', 'user', [text('t', 'middle')])
    cached.message('e', 'user', [text('t', 'last')])
    assert.throws(() => edit(cached), RebuildNeeded)
    const exact = driver(true)
    exact.message('c', 'user', [text('t', 'first')])
    exact.message('x', 'user', [text('t', 'middle')])
    exact.message('e', 'user', [text('t', 'last')])
    edit(exact)
    assert.deepEqual(exact.texts(), want)
  }
  const exact = driver(true)
  exact.message('c', 'user', [text('t', 'first')])
  exact.message('x', 'user', [text('t', 'middle')])
  exact.message('e', 'user', [text('t', 'last')])
  exact.revert('e')
  assert.deepEqual(exact.texts(), ['first', 'middle'])
  exact.message('c', 'assistant', [])
  assert.deepEqual(exact.texts(), ['middle', 'middle'])
  // A revert that cuts the first prompt cuts every prompt: no rebuild needed even from the cache.
  const cached = driver(false)
  cached.message('c', 'user', [text('t', 'first')])
  cached.message('e', 'user', [text('t', 'last')])
  cached.revert('c')
  assert.deepEqual(cached.texts(), [null, null])
  // Parts of messages between the two prompts change neither.
  const between = driver(false)
  between.message('c', 'user', [text('t', 'first')])
  between.message('x', 'user', [text('t', 'middle')])
  between.message('e', 'user', [text('t', 'last')])
  between.part('x', text('t', 'edited'))
  assert.deepEqual(between.texts(), ['first', 'last'])
})

test('promptOf: the first text part with a string text; shortPrompt collapses and cuts', () => {
  assert.deepEqual(promptOf('m', [{ id: 'a', type: 'text', text: 3 }, { id: 'b', type: 'text', text: ' x\ny ' }]), { id: 'm', partId: 'b', text: 'x y' })
  assert.equal(promptOf('m', [{ id: 'a', type: 'reasoning', text: 'x' }]), null)
  assert.equal(shortPrompt('\u001b[2J  hi'), '\u001b[2J hi', 'controls are the printer\'s to show')
})
