import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { logLines, rejectsWith } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'
import { HistoryReader, type HistoryOptions } from '../../lib/core/history.js'
import { fold, FoldState } from '../../lib/core/fold.js'
import { scanLog, type ScanState } from '../../lib/core/reader.js'
import { toLine } from '../../lib/core/event.js'
import type { History, JournalEvent } from '../../lib/core/types.js'

const TS = '2024-05-01T10:00:00.000Z'

/** A rich closed session, and a reader factory for its log. */
async function setup(t: TestContext) {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const { path: file, projectId } = await journal.locate(id)
  const reader = (options: Partial<HistoryOptions> = {}) => new HistoryReader(file, { id, projectId, projectPath: project }, { maxLineBytes: 1024 * 1024, ...options })
  return { journal, project, id, projectId, file, reader }
}

/** The history as a plain value (a read() result shares the fold's objects). */
const copy = (history: History): History => structuredClone(history)

/** `n` title events continuing the log's seq (its damaged lines skipped), as raw lines. */
function titles(file: string, n: number, prefix: string): string {
  const seqs = fs.readFileSync(file, 'utf8').split('\n').flatMap(line => {
    try { return [Number((JSON.parse(line) as { seq: unknown }).seq)] } catch { return [] }
  })
  const lastSeq = Math.max(...seqs)
  return Array.from({ length: n }, (_, i) => toLine({ seq: lastSeq + 1 + i, ts: TS, type: 'title', title: `${prefix} ${i}` })).join('')
}

test('read(): folds exactly as fold() does over the events on disk', async t => {
  const { reader, file, id, projectId, project } = await setup(t)
  const events = logLines(file) as unknown as JournalEvent[]
  assert.ok(events.length > 10)
  const history = await reader().read()
  assert.deepEqual(copy(history), { ...structuredClone(fold(events, { id, projectId, projectPath: project })), damage: [] })
  assert.ok(history.messages.length > 0 && history.info.meta.events.length > 0, 'the session exercises the fold')
})

test('read() again: scans only what was appended since, and ends equal to a fresh reader', async t => {
  const { reader, file, journal, id } = await setup(t)
  const incremental = reader()
  const seen: number[] = []
  const onBatch = (batch: JournalEvent[]) => { for (const e of batch) seen.push(e.seq) }
  await incremental.read(onBatch)
  const firstCount = seen.length

  // Lines already read are not read again: damage them in place (same length) and see nothing.
  const bytes = fs.readFileSync(file)
  const secondLineStart = bytes.indexOf(10) + 1
  const secondLineEnd = bytes.indexOf(10, secondLineStart)
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, secondLineStart), Buffer.alloc(secondLineEnd - secondLineStart, 'z'), bytes.subarray(secondLineEnd)]))
  fs.appendFileSync(file, titles(file, 2, 'appended'))
  const second = copy(await incremental.read(onBatch))
  assert.deepEqual(seen.slice(firstCount), [seen[firstCount - 1]! + 1, seen[firstCount - 1]! + 2], 'only the two new events were scanned')
  assert.equal(second.info.title, 'appended 1')
  assert.deepEqual(second.damage, [], 'the rewritten line 2 was not scanned again')
  assert.deepEqual((await reader().read()).damage.map(d => [d.kind, d.line]), [['bad-json', 2], ['seq-gap', 3]], 'a fresh reader does see it')

  // Appends through a writer: after each, the incremental result equals a fresh reader's.
  fs.writeFileSync(file, bytes)
  const live = reader()
  await live.read()
  const s = await journal.resume(id)
  for (let round = 0; round < 3; round++) {
    const m = await s.message({ role: 'user', parts: [{ type: 'text', text: `round ${round}` }] })
    await s.part(m, { type: 'text', text: 'more' })
    if (round === 1) await s.revert(m)
    assert.deepEqual(copy(await live.read()), copy(await reader().read()), `round ${round}`)
  }
  await s.close()
})

test('read(): a torn tail is reported once, replaced as it grows, and gone once its newline arrives', async t => {
  const { reader, file } = await setup(t)
  fs.appendFileSync(file, 'not json\n')
  const next = titles(file, 1, 'completed')
  const r = reader()
  const kinds = async () => (await r.read()).damage.map(d => [d.kind, d.length])
  assert.deepEqual(await kinds(), [['bad-json', 8]])
  fs.appendFileSync(file, next.slice(0, 10))
  assert.deepEqual(await kinds(), [['bad-json', 8], ['torn-tail', 10]])
  assert.deepEqual(await kinds(), [['bad-json', 8], ['torn-tail', 10]], 'not duplicated by a second read')
  fs.appendFileSync(file, next.slice(10, 20))
  assert.deepEqual(await kinds(), [['bad-json', 8], ['torn-tail', 20]], 'the grown tail replaces the old report')
  fs.appendFileSync(file, next.slice(20))
  const history = await r.read()
  assert.deepEqual(history.damage.map(d => d.kind), ['bad-json'], 'the line is whole now')
  assert.equal(history.info.title, 'completed 0')
  assert.deepEqual(copy(history), copy(await reader().read()))
})

test('read(onBatch): every event is seen exactly once, in order, across reads', async t => {
  const { reader, file } = await setup(t)
  const r = reader()
  const seen: number[] = []
  const onBatch = (batch: JournalEvent[]) => { for (const e of batch) seen.push(e.seq) }
  await r.read(onBatch)
  await r.read(onBatch) // nothing new
  const more = titles(file, 3, 'more')
  fs.appendFileSync(file, more.slice(0, -5)) // two whole lines and a torn one
  await r.read(onBatch)
  fs.appendFileSync(file, more.slice(-5))
  await r.read(onBatch)
  assert.deepEqual(seen, logLines(file).map(e => e.seq))
})

test('strict: damage throws ERR_CORRUPT_LOG with line and offset; a torn tail alone does not', async t => {
  const { reader, file } = await setup(t)
  fs.appendFileSync(file, '{"seq":1,"torn')
  const history = await reader({ strict: true }).read()
  assert.deepEqual(history.damage.map(d => d.kind), ['torn-tail'])
  fs.truncateSync(file, fs.statSync(file).size - '{"seq":1,"torn'.length)
  const offset = fs.statSync(file).size
  const lines = logLines(file).length
  fs.appendFileSync(file, 'not json\n')
  const error = await rejectsWith(reader({ strict: true }).read(), 'ERR_CORRUPT_LOG')
  assert.deepEqual([error.path, error.line, error.offset], [file, lines + 1, offset])
  // An incremental strict reader throws on damage that arrives after its first read too.
  fs.truncateSync(file, offset)
  const r = reader({ strict: true })
  await r.read()
  fs.appendFileSync(file, 'not json\n')
  await rejectsWith(r.read(), 'ERR_CORRUPT_LOG')
})

test('read() of a log spanning several chunks, streamed into the fold: the same history and damage as fold() over scanLog batches, whatever read() holds in between', async t => {
  const { reader, file, id, projectId, project } = await setup(t)
  const lines = logLines(file)
  let seq = Math.max(...lines.map(e => e.seq as number))
  const line = (event: Record<string, unknown>) => toLine({ seq: ++seq, ts: TS, ...event })
  let tail = ''
  // ~3 MiB of streamed replies: growing replacements of one part, hostile keys and text, a
  // repeated message id, reverts, and damage that lands in every chunk.
  for (let turn = 0; seq < 4000 || Buffer.byteLength(tail) < 3 * 1024 * 1024; turn++) {
    const reply = `r${turn % 40}` // ids come back: a repeated id replaces its message
    tail += line({ type: 'message', id: reply, role: 'assistant', parts: [] })
    for (let u = 1; u <= 4; u++) tail += line({ type: 'part', messageId: reply, part: JSON.parse(`{"id":"answer","type":"text","__proto__":{"polluted":true},"text":${JSON.stringify(`${'ü🚀\u2028\u001b[2J'.repeat(u * 40)} ${turn}`)}}`) })
    if (turn % 97 === 0) tail += '{"seq": "not a number"}\n' + 'garbage\n' + '\n'
    if (turn % 131 === 0) tail += line({ type: 'revert', messageId: `r${(turn + 7) % 40}` })
  }
  fs.appendFileSync(file, tail)
  const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  const events: JournalEvent[] = []
  for await (const batch of scanLog(file, state, { expectId: id, maxLineBytes: 1024 * 1024 })) events.push(...batch)
  assert.ok(state.damage.length > 20, 'damage in every chunk')
  const history = await reader().read()
  assert.deepEqual(copy(history), { ...structuredClone(fold(events, { id, projectId, projectPath: project })), damage: structuredClone(state.damage) })
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  const part = history.messages.find(m => /^r\d+$/.test(m.id) && m.parts.length > 0)!.parts[0]!
  assert.deepEqual(Object.getOwnPropertyDescriptor(part, '__proto__')?.value, { polluted: true }, 'kept as a plain own key')
})

test('read() without a listener folds each event as its line is parsed: no chunk of parsed events waits for the fold', async t => {
  const { reader, file } = await setup(t)
  fs.appendFileSync(file, titles(file, 3000, `${'x'.repeat(1000)} title`)) // ~3 MiB: several chunks
  const [parse, push] = [JSON.parse, FoldState.prototype.push]
  let parsed = 0
  let pushed = 0
  let ahead = 0
  JSON.parse = ((...args: Parameters<typeof JSON.parse>) => { parsed++; return parse(...args) }) as typeof JSON.parse
  FoldState.prototype.push = function (this: FoldState, event: JournalEvent) {
    ahead = Math.max(ahead, parsed - pushed++)
    return push.call(this, event)
  }
  t.after(() => { JSON.parse = parse; FoldState.prototype.push = push })
  const history = await reader().read()
  JSON.parse = parse
  FoldState.prototype.push = push
  assert.equal(history.info.title, `${'x'.repeat(1000)} title 2999`)
  assert.ok(pushed > 3000)
  assert.equal(ahead, 1, 'each push came right after its own parse')
})
