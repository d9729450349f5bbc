/**
 * The index's incremental catch-up is the fold: on random sessions (fast-check), searched
 * between random stretches of appends, what the index holds (visible messages in order, their
 * role, time and text, the title) equals what read() folds from the whole log.
 */
import { test } from 'node:test'
import path from 'node:path'
import fc from 'fast-check'
import { tempDir } from '../helpers.js'
import { Journal, type Session } from '../../lib/index.js'
import type { JsonValue } from '../../lib/core/types.js'
import { assertIndexedAsFolded } from './helpers.js'

type Op =
  | { kind: 'message', id: string, role: 'user' | 'assistant' | 'system', parts: Array<{ id: string, type: string, [key: string]: JsonValue }> }
  | { kind: 'part', messageId: string, part: { id: string, type: string, [key: string]: JsonValue } }
  | { kind: 'title', title: string }
  | { kind: 'revert', messageId: string }
  | { kind: 'custom', text: string }
  | { kind: 'search' }

// Text from all of Unicode plus what troubles indexes: control characters, lone surrogates, quotes, markers.
const tricky = fc.constantFrom('\n', '\t', '\u0000', '\u0001', '\u0002', '\u001b[31m', '\u0085', '\u2028', '"', '\ud800', '🚀', 'é', 'e\u0301', 'ERR_X')
const text = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('alpha', 'beta', 'gamma'), tricky), { maxLength: 5 }).map(a => a.join(' '))
const messageId = fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4')
const part = fc.oneof(
  fc.record({ id: fc.constantFrom('p0', 'p1', 'p2', 'p3'), type: fc.constantFrom('text', 'reasoning'), text }),
  fc.record({ id: fc.constantFrom('p0', 'p1', 'p2', 'p3'), type: fc.constant('tool'), tool: fc.constantFrom('bash', 'read'),
    state: fc.record({ status: fc.constantFrom('pending', 'completed'), input: fc.dictionary(fc.constantFrom('command', 'path'), text), output: text }, { requiredKeys: ['status'] }) }),
  fc.record({ id: fc.constantFrom('p0', 'p1', 'p2', 'p3'), type: fc.constant('file'), filename: text, url: fc.constantFrom('data:x;base64,QQ==', 'https://e.x/f') }),
) as fc.Arbitrary<{ id: string, type: string, [key: string]: JsonValue }>
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ id: messageId, role: fc.constantFrom('user', 'assistant', 'system'), parts: fc.uniqueArray(part, { selector: p => p.id, maxLength: 3 }) })
    .map(m => ({ kind: 'message' as const, ...m })) },
  { weight: 5, arbitrary: fc.record({ messageId, part }).map(p => ({ kind: 'part' as const, ...p })) },
  { weight: 1, arbitrary: text.map(title => ({ kind: 'title' as const, title })) },
  { weight: 1, arbitrary: messageId.map(id => ({ kind: 'revert' as const, messageId: id })) },
  { weight: 1, arbitrary: text.map(t => ({ kind: 'custom' as const, text: t })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'search' as const }) },
)

function apply(session: Session, o: Exclude<Op, { kind: 'search' }>): Promise<unknown> {
  switch (o.kind) {
    case 'message': return session.message({ id: o.id, role: o.role, parts: o.parts })
    case 'part': return session.part(o.messageId, o.part)
    case 'title': return session.title(o.title)
    case 'revert': return session.revert(o.messageId)
    case 'custom': return session.append('x.prop.note', { text: o.text })
  }
}

test('property: the index caught up in random stretches equals the fold of the whole log', async t => {
  const dir = tempDir(t, 'sj-search-')
  const root = path.join(dir, 'root')
  const journal = new Journal({ root, fsync: 'never' })
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.option(text, { nil: undefined }), async (ops, title) => {
    const session = await journal.create({ project: path.join(dir, 'work'), ...(title === undefined ? {} : { title }) })
    for (const o of ops) {
      if (o.kind === 'search') await journal.search('alpha')
      else await apply(session, o)
    }
    await session.close()
    await journal.search('alpha')
    await assertIndexedAsFolded(root, journal, session.id)
  }), { numRuns: 60 })
})
