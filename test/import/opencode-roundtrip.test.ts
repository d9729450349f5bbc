/**
 * The round trip through the real `opencode` binary: a journal session -> `session-journal
 * export --format opencode` -> `opencode import` -> `opencode export` -> `session-journal
 * import --from opencode` into another journal: the same messages and parts. Never skipped:
 * without the binary the test fails and says to run `npm ci`.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import type { Message, Part } from '../../lib/core/types.js'
import type { PartInput } from '../../lib/core/event.js'
import { tempDir } from '../helpers.js'
import { run } from '../cli/helpers.js'
import { journalIn, richSession, TRICKY } from '../sessions.js'
import { openCodeHome } from './opencode-run.js'

const T = Date.parse('2026-01-05T09:30:00.000Z')

/** Parts already in the journal's (OpenCode's) convention: they must come back as they went. */
const PARTS: Array<Omit<Part, 'id'>> = [
  { type: 'reasoning', text: `Think ${TRICKY}`, time: { start: T, end: T + 5 } },
  {
    type: 'tool', tool: 'bash', callID: 'call_ls',
    state: { status: 'completed', input: JSON.parse('{"command": "ls -la", "__proto__": "kept as data"}') as Record<string, string>, output: 'a\nb\n\u001b[31mred\u001b[0m', title: 'ls -la', metadata: { exit: 0 }, time: { start: T + 10, end: T + 20 } },
  },
  { type: 'tool', tool: 'read', callID: 'call_read', state: { status: 'error', input: { filePath: '/nope' }, error: 'ENOENT: no such file', time: { start: T + 30, end: T + 31 } } },
  { type: 'file', mime: 'text/plain', filename: 'note.txt', url: 'data:text/plain;base64,aGVsbG8=' },
  { type: 'text', text: `Done ${TRICKY} ${'long '.repeat(20000)}` },
]

test('journal -> export --format opencode -> opencode import -> opencode export -> import: the same messages and parts', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project, title: `Round trip ${TRICKY}` })
  await s.message({ role: 'user', parts: [{ type: 'text', text: `Please list ${TRICKY}` }] })
  await s.message({ role: 'assistant', parts: PARTS.map(p => ({ ...p }) as PartInput) })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'Thanks' }] })
  await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'You are welcome.' }] })
  await s.close()
  const source = await journal.read(s.id)

  const dir = tempDir(t, 'sj-opencode-rt-')
  const file = path.join(dir, 'for-opencode.json')
  const exported = await run(['export', s.id, '--format', 'opencode', '--out', file], { root })
  assert.equal(exported.code, 0, exported.stderr)
  const home = await openCodeHome(path.join(dir, 'opencode'))
  t.after(() => home.close())
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { info: { id: string } }
  assert.match(await home.ok(['import', file]), new RegExp(doc.info.id))
  const back = path.join(dir, 'from-opencode.json')
  fs.writeFileSync(back, await home.ok(['export', doc.info.id]))

  // Back in through the command line, into another journal.
  const root2 = path.join(dir, 'journal2')
  const imported = await run(['import', '--from', 'opencode', back, '--json'], { root: root2 })
  assert.equal(imported.code, 0, imported.stderr)
  const result = JSON.parse(imported.stdout) as { imported: Array<{ id: string, originId: string }>, failed: unknown[], problems: unknown[] }
  assert.deepEqual([result.failed, result.problems], [[], []])
  const other = new Journal({ root: root2, fsync: 'never' })
  t.after(() => other.close())
  assert.equal(result.imported[0]!.originId, doc.info.id)
  const copy = await other.read(result.imported[0]!.id)
  assert.equal(copy.info.title, source.info.title)
  assert.equal(copy.info.created, source.info.created)
  assert.equal(copy.info.usage.events, 0, 'no tokens were spent: no usage')
  const tool = copy.messages[1]!.parts[1]!
  assert.ok(Object.hasOwn((tool.state as { input: object }).input, '__proto__'))
  const shape = (m: Message) => ({ role: m.role, created: m.created, parts: m.parts.map(({ id: _id, ...rest }) => rest) })
  assert.deepEqual(copy.messages.map(shape), source.messages.map(shape))
  // Exporting again makes the same document: ids are derived, not drawn.
  const again = await run(['export', s.id, '--format', 'opencode'], { root })
  assert.deepEqual(JSON.parse(again.stdout), JSON.parse(fs.readFileSync(file, 'utf8')))
})

test('opencode import accepts what any journal session exports: host-shaped parts, system messages, empty messages, a child with its parent', async t => {
  const { journal, root, project } = journalIn(t)
  const rich = await richSession(journal, project)
  const child = await journal.create({ project, parentId: rich })
  await child.message({ role: 'assistant', parts: [] })
  await child.message({ role: 'user', parts: [{ type: 'image', url: 'https://example.com/a.png' }, { type: 'file', mime: 'image/png', size: 999999 }] })
  await child.close()
  const dir = tempDir(t, 'sj-opencode-rt-')
  const home = await openCodeHome(path.join(dir, 'opencode'))
  t.after(() => home.close())
  for (const id of [rich, child.id]) {
    const file = path.join(dir, `${id}.json`)
    const exported = await run(['export', id, '--format', 'opencode', '--out', file], { root })
    assert.equal(exported.code, 0, exported.stderr)
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { info: { id: string }, messages: unknown[] }
    await home.ok(['import', file])
    const back = JSON.parse(await home.ok(['export', doc.info.id])) as { info: { parentID?: string }, messages: Array<{ parts: unknown[] }> }
    assert.equal(back.messages.length, (await journal.read(id)).messages.length)
    assert.deepEqual(back.messages.map(m => m.parts.length), (await journal.read(id)).messages.map(m => m.parts.length))
    if (id === child.id) assert.equal(back.info.parentID, (await journal.exportOpenCode(rich)).info.id)
  }
})
