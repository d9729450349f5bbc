import { test } from 'node:test'
import assert from 'node:assert/strict'
import { emptySummary, isSummary, resumeSummary, summarize, type Summary } from '../../lib/core/summary.js'
import fc from 'fast-check'
import { fold } from '../../lib/core/fold.js'
import { shortPrompt } from '../../lib/core/prompt.js'
import { roleCounts } from '../../lib/core/tally.js'
import { TOOL_NAME_CHARS, toolCallName } from '../../lib/core/tool-part.js'
import type { JournalEvent, Message } from '../../lib/core/types.js'
import { RebuildNeeded } from '../../lib/core/usage-summary.js'

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
    roles: '', tools: null, firstPrompt: null, lastPrompt: null, usage: null,
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
    roles: 'uu', tools: null, firstPrompt: null, lastPrompt: null, usage: null,
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
    assert.deepEqual(summarizeAll(list.slice(cut), resumeSummary(saved)), whole, `cut at ${cut}`)
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

// ---- The digest (roles, tools, first and last prompt) against the fold ----

type Body = Record<string, unknown>
const PART_IDS = ['p', 'q', 'r']
const partArb: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ id: fc.constantFrom(...PART_IDS), type: fc.constant('text'), text: fc.constantFrom('fix it', '  two\n words ', '', 'x'.repeat(300)) }),
  fc.record({ id: fc.constantFrom(...PART_IDS), type: fc.constant('tool'), tool: fc.constantFrom('bash', 'read', '__proto__', 'constructor'), callID: fc.constant('c') }),
  fc.record({ id: fc.constantFrom(...PART_IDS), type: fc.constantFrom('tool-call', 'tool_use'), name: fc.constantFrom('bash', 'grep') }),
  fc.record({ id: fc.constantFrom(...PART_IDS), type: fc.constantFrom('tool_result', 'file', 'reasoning'), text: fc.constant('r') }),
)
const MESSAGE_IDS = ['a', 'b', 'c', 'd']
const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('message'), id: fc.constantFrom(...MESSAGE_IDS), role: fc.constantFrom('user', 'assistant', 'system'), parts: fc.array(partArb, { maxLength: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('part'), messageId: fc.constantFrom(...MESSAGE_IDS), part: partArb }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('revert'), messageId: fc.constantFrom(...MESSAGE_IDS) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('title'), title: fc.constant('t') }) },
)

/** What the folded messages say: the definition the summary must meet. */
function reference(messages: Message[]): { roles: { user: number, assistant: number, system: number }, tools: Array<[string, number]>, first: string | null, last: string | null } {
  const roles = { user: 0, assistant: 0, system: 0 }
  const tools = new Map<string, number>()
  let first: string | null = null
  let last: string | null = null
  for (const m of messages) {
    roles[m.role]!++
    for (const p of m.parts) {
      const name = toolCallName(p)
      if (name !== null) tools.set(name, (tools.get(name) ?? 0) + 1)
    }
    const textPart = m.role === 'user' ? m.parts.find(p => p.type === 'text' && typeof p.text === 'string') : undefined
    if (textPart) {
      first ??= shortPrompt(textPart.text as string)
      last = shortPrompt(textPart.text as string)
    }
  }
  return { roles, tools: [...tools].sort(), first, last }
}

function digestOf(s: Summary): ReturnType<typeof reference> {
  return { roles: roleCounts(s), tools: Object.entries(s.tools?.counts ?? {}).sort(), first: s.firstPrompt?.text ?? null, last: s.lastPrompt?.text ?? null }
}

/** As list.ts extends a cached summary: resumed from JSON, rebuilt from the start when it asks. */
function extendFromCache(list: JournalEvent[], cut: number): { summary: Summary, rebuilt: boolean } {
  const cached = JSON.parse(JSON.stringify(summarizeAll(list.slice(0, cut)))) as Summary
  cached.position.offset = 1 // as a cached summary's is: past the start of the log
  const saved = resumeSummary(cached)
  try {
    for (const e of list.slice(cut)) summarize(saved, e)
    return { summary: saved, rebuilt: false }
  } catch (error) {
    if (!(error instanceof RebuildNeeded)) throw error
    return { summary: summarizeAll(list), rebuilt: true }
  }
}

test('digest = fold (fast-check): roles, tools, first and last prompt through replacements, part updates and reverts, whole or extended from the cache', () => {
  let rebuilds = 0
  let runs = 0
  fc.assert(fc.property(fc.array(bodyArb, { maxLength: 30 }), fc.nat(), (bodies, cutSeed) => {
    const list = events(...bodies)
    const want = reference(fold(list).messages)
    const whole = summarizeAll(list)
    assert.deepEqual(digestOf(whole), want)
    assert.equal(whole.roles.length, whole.ids.length)
    const { summary, rebuilt } = extendFromCache(list, cutSeed % (list.length + 1))
    runs++
    if (rebuilt) rebuilds++
    assert.deepEqual(digestOf(summary), want)
  }), { numRuns: 2000 })
  // Most extensions need no rebuild: only prompts touched in their own message do.
  assert.ok(rebuilds < runs / 4, `${rebuilds} rebuilds of ${runs}`)
})

test('digest: an OpenCode-style session, counted as written, streamed and reverted', () => {
  const tool = (id: string, name: string, status: string) => ({ id, type: 'tool', tool: name, callID: `c-${id}`, state: { status, input: { command: 'ls' }, output: 'a\nb' } })
  const s = summarizeAll(events(
    { type: 'message', id: 'u1', role: 'user', parts: [{ id: 't', type: 'text', text: 'List the files' }] },
    { type: 'message', id: 'a1', role: 'assistant', parts: [] },
    { type: 'part', messageId: 'a1', part: tool('k1', 'bash', 'pending') },
    { type: 'part', messageId: 'a1', part: tool('k1', 'bash', 'running') },
    { type: 'part', messageId: 'a1', part: tool('k1', 'bash', 'completed') },
    { type: 'part', messageId: 'a1', part: tool('k2', 'read', 'completed') },
    { type: 'message', id: 'u2', role: 'user', parts: [{ id: 't', type: 'text', text: 'Now read the README' }] },
    { type: 'message', id: 'a2', role: 'assistant', parts: [tool('k3', 'read', 'completed'), { id: 'x', type: 'tool_use', name: 'grep' }] },
    { type: 'message', id: 's1', role: 'system', parts: [] },
  ))
  assert.deepEqual(digestOf(s), { roles: { user: 2, assistant: 2, system: 1 }, tools: [['bash', 1], ['grep', 1], ['read', 2]], first: 'List the files', last: 'Now read the README' })
  summarize(s, { seq: 20, ts: ts(20), type: 'revert', messageId: 'u2' } as JournalEvent)
  assert.deepEqual(digestOf(s), { roles: { user: 1, assistant: 1, system: 0 }, tools: [['bash', 1], ['read', 1]], first: 'List the files', last: 'List the files' })
})

test('digest: hostile tool names are plain keys; a huge one is cut', () => {
  const s = summarizeAll(events(
    { type: 'message', id: 'a', role: 'assistant', parts: [
      { id: '1', type: 'tool', tool: '__proto__' }, { id: '2', type: 'tool', tool: 'constructor' }, { id: '3', type: 'tool', tool: 'x'.repeat(100_000) },
      { id: '4', type: 'tool', tool: '\u001b[31mred' }, { id: '5', type: 'tool' },
    ] },
  ))
  assert.equal(Object.getPrototypeOf(s.tools!.counts), null)
  assert.deepEqual(Object.entries(s.tools!.counts).sort(), [['\u001b[31mred', 1], ['__proto__', 1], ['constructor', 1], ['tool', 1], ['x'.repeat(TOOL_NAME_CHARS), 1]])
  // Back from the cache's JSON, the same keys stay plain ones.
  const again = resumeSummary(JSON.parse(JSON.stringify(s)) as Summary)
  summarize(again, { seq: 9, ts: ts(9), type: 'revert', messageId: 'a' } as JournalEvent)
  assert.equal(again.tools, null, 'no call left: the small form again')
  summarize(again, { seq: 10, ts: ts(10), type: 'message', id: 'b', role: 'assistant', parts: [{ id: '1', type: 'tool', tool: '__proto__' }] } as JournalEvent)
  assert.deepEqual(Object.entries(again.tools!.counts), [['__proto__', 1]])
  assert.equal(Object.getPrototypeOf(again.tools!.counts), null)
})

test('isSummary: a cached summary without the digest fields (an older cache) is refused', () => {
  const s = JSON.parse(JSON.stringify(emptySummary(1))) as Record<string, unknown>
  for (const key of ['roles', 'tools', 'lastPrompt']) {
    const { [key]: _gone, ...rest } = s
    assert.equal(isSummary(rest), false, key)
  }
  assert.equal(isSummary({ ...s, roles: 'u' }), false, 'roles must match ids')
  assert.equal(isSummary({ ...s, lastPrompt: { id: 1 } }), false)
})
