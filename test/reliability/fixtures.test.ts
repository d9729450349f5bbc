/**
 * Torn and damaged files: every committed fixture in fixtures/logs/ and a few damages built
 * from them give a precise `damage` entry (kind, 1-based line, byte offset, length) or a
 * stable error code; never a crash, never a silently dropped line. resume() continues every
 * one of them without touching a byte before the damage.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal, type Damage, type History, type JournalError } from '../../lib/index.js'
import { logLines, tempDir } from '../helpers.js'
import { FIXTURE_ID, FIXTURE_PROJECT_ID, fixtureBytes, installFixture, installLog, lineSpans } from './util.js'

const healthy = fixtureBytes('healthy.ndjson')
const L = lineSpans(healthy)
const span = (i: number) => L[i]!
const bytesOf = (i: number) => healthy.subarray(span(i).start, span(i).start + span(i).length + 1)

/** Damage without the message text: kind, line, offset, length. */
function where(damage: Damage[]) {
  return damage.map(({ kind, line, offset, length }) => ({ kind, line, offset, length }))
}

function shape(h: History) {
  return { title: h.info.title, messages: h.messages.map(m => ({ id: m.id, role: m.role, parts: m.parts })), events: h.info.meta.events.map(e => e.type) }
}

async function readFixture(t: import('node:test').TestContext, name: string) {
  const root = tempDir(t)
  const file = installFixture(root, name)
  const journal = new Journal({ root, fsync: 'never' })
  return { root, file, journal, history: await journal.read(FIXTURE_ID) }
}

const healthyShape = {
  title: 'Off-by-one in a.ts',
  messages: [
    { id: 'm1', role: 'user', parts: [{ id: 'p1', type: 'text', text: 'Fix the failing test' }] },
    { id: 'm2', role: 'assistant', parts: [
      { id: 'p2', type: 'text', text: 'Found it: an off-by-one.' },
      { id: 'p3', type: 'tool', name: 'read', input: { path: 'src/a.ts' } }] },
    { id: 'm3', role: 'user', parts: [{ id: 'p4', type: 'text', text: 'héllo wörld ✓ 🚀 日本語 — thanks' }] },
  ],
  events: ['x.fixture.note'],
}

interface Case {
  name: string
  damage: Array<Omit<Damage, 'message'>>
  /** The fold, when it differs from the healthy log's. */
  shape?: object
  /** Whole lines resume keeps (bytes before the torn tail). */
  keep: number
  /** seq of the first event appended after resume. */
  next: number
}

const cases: Case[] = [
  { name: 'healthy.ndjson', next: 8, damage: [], keep: healthy.length },
  {
    name: 'torn-tail.ndjson', next: 9, keep: healthy.length,
    damage: [{ kind: 'torn-tail', line: 9, offset: healthy.length, length: 40 }],
  },
  {
    name: 'corrupt-middle.ndjson', next: 8, keep: healthy.length - 12,
    damage: [
      { kind: 'bad-json', line: 4, offset: span(3).start, length: span(3).length - 12 },
      { kind: 'seq-gap', line: 5, offset: span(4).start - 12, length: span(4).length },
    ],
    // The lost line added part p3 to m2: the fold goes on without it.
    shape: { ...healthyShape, messages: [healthyShape.messages[0], { ...healthyShape.messages[1]!, parts: [healthyShape.messages[1]!.parts[0]] }, healthyShape.messages[2]] },
  },
  {
    name: 'nul-tail.ndjson', next: 9, keep: healthy.length,
    damage: [{ kind: 'torn-tail', line: 9, offset: healthy.length, length: 512 }],
  },
  {
    name: 'crlf.ndjson', next: 8, keep: healthy.length + 1,
    damage: [{ kind: 'crlf', line: 4, offset: span(3).start, length: span(3).length + 1 }],
  },
  { name: 'bom.ndjson', next: 8, keep: healthy.length + 3, damage: [{ kind: 'bom', line: 1, offset: 0, length: 3 }] },
  {
    name: 'dup-seq.ndjson', next: 8, keep: healthy.length + span(4).length + 1,
    damage: [{ kind: 'seq-repeat', line: 6, offset: span(5).start, length: span(4).length }],
  },
  {
    name: 'missing-seq.ndjson', next: 8, keep: healthy.length - span(4).length - 1,
    damage: [{ kind: 'seq-gap', line: 5, offset: span(4).start, length: span(5).length }],
    // The missing line replaced part p2's text.
    shape: { ...healthyShape, messages: [healthyShape.messages[0], { ...healthyShape.messages[1]!, parts: [
      { id: 'p2', type: 'text', text: 'Looking at it.' }, healthyShape.messages[1]!.parts[1]] }, healthyShape.messages[2]] },
  },
  {
    name: 'truncated-header.ndjson', next: 2, keep: 0,
    damage: [{ kind: 'torn-tail', line: 1, offset: 0, length: 50 }],
    shape: { title: null, messages: [], events: [] },
  },
  { name: 'empty.ndjson', next: 1, keep: 0, damage: [], shape: { title: null, messages: [], events: [] } },
]

for (const c of cases) {
  test(`fixture ${c.name}: read reports exactly its damage and keeps every good line`, async t => {
    const { journal, history } = await readFixture(t, c.name)
    assert.deepEqual(where(history.damage), c.damage)
    assert.deepEqual(shape(history), c.shape ?? healthyShape)
    assert.equal(history.info.id, FIXTURE_ID)
    assert.equal(history.info.projectId, FIXTURE_PROJECT_ID)

    const events = []
    for await (const e of journal.events(FIXTURE_ID)) events.push(e.seq)
    assert.deepEqual(events, [...new Set(events)].sort((a, b) => a - b), 'events() yields each seq once, in order')

    const middle = c.damage.find(d => d.kind !== 'torn-tail')
    if (middle) {
      await assert.rejects(journal.read(FIXTURE_ID, { strict: true }), (e: JournalError) =>
        e.code === 'ERR_CORRUPT_LOG' && e.line === middle.line && e.offset === middle.offset)
      await assert.rejects(async () => { for await (const _ of journal.events(FIXTURE_ID, { strict: true })) { /* drain */ } },
        (e: JournalError) => e.code === 'ERR_CORRUPT_LOG')
    } else {
      // A torn tail is what any crash leaves: strict mode reports it and does not throw.
      assert.deepEqual(shape(await journal.read(FIXTURE_ID, { strict: true })), shape(history))
    }
  })

  test(`fixture ${c.name}: resume keeps every byte before the damage and appends with the next seq`, async t => {
    const { root, file, journal, history } = await readFixture(t, c.name)
    const before = fs.readFileSync(file)
    const torn = c.damage.find(d => d.kind === 'torn-tail')
    const session = await journal.resume(FIXTURE_ID)
    await session.message({ id: 'after', role: 'user', parts: [{ id: 'pa', type: 'text', text: 'after resume' }] })
    await session.close()

    const after = fs.readFileSync(file)
    assert.deepEqual(after.subarray(0, c.keep), before.subarray(0, c.keep), 'nothing before the damage changed')
    const added = after.toString('utf8').split('\n').slice(-4, -1).filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>)
    const last = added.at(-1)!
    assert.equal(last.id, 'after')
    const sideFiles = fs.readdirSync(path.dirname(file)).filter(n => n.includes('.torn-'))
    if (torn) {
      // The torn bytes were set aside, byte for byte, and a repair event says where.
      assert.deepEqual(sideFiles, [`${FIXTURE_ID}.ndjson.torn-${torn.offset}`])
      assert.deepEqual(fs.readFileSync(path.join(path.dirname(file), sideFiles[0]!)), before.subarray(torn.offset))
      const repair = added.at(-2)!
      assert.deepEqual({ type: repair.type, offset: repair.offset, length: repair.length, file: repair.file },
        { type: 'repair', offset: torn.offset, length: torn.length, file: sideFiles[0] })
      assert.equal(last.seq, (repair.seq as number) + 1)
    } else {
      assert.deepEqual(sideFiles, [])
    }
    assert.equal(last.seq, c.next, 'the first append after resume gets the next seq')

    const reread = await new Journal({ root }).read(FIXTURE_ID)
    // The damage in the middle is still reported (nothing was rewritten); a torn tail is gone.
    assert.deepEqual(where(reread.damage), c.damage.filter(d => d.kind !== 'torn-tail'))
    assert.equal(reread.messages.at(-1)!.id, 'after')
    assert.deepEqual(reread.messages.slice(0, -1).map(m => m.id), history.messages.map(m => m.id))
  })
}

test('empty and truncated-header logs get a fresh header on resume, so seq starts at 0 again', async t => {
  for (const name of ['empty.ndjson', 'truncated-header.ndjson']) {
    const { file, journal } = await readFixture(t, name)
    const session = await journal.resume(FIXTURE_ID)
    await session.title('again')
    await session.close()
    const lines = logLines(file)
    assert.deepEqual(lines.map(l => [l.seq, l.type]), name === 'empty.ndjson'
      ? [[0, 'session'], [1, 'title']]
      : [[0, 'session'], [1, 'repair'], [2, 'title']])
    assert.equal(lines[0]!.id, FIXTURE_ID)
    assert.equal(lines[0]!.projectId, FIXTURE_PROJECT_ID)
  }
})

test('a torn last line cut at every byte: read reports it with its offset, resume sets exactly those bytes aside', async t => {
  const last = span(L.length - 1)
  const dir = tempDir(t)
  // c = length is the whole line without its newline: still a torn write.
  for (let c = 1; c <= last.length; c++) {
    const root = path.join(dir, String(c))
    const cut = healthy.subarray(0, last.start + c)
    const file = installLog(root, cut)
    const journal = new Journal({ root, fsync: 'never' })
    const history = await journal.read(FIXTURE_ID)
    assert.deepEqual(where(history.damage), [{ kind: 'torn-tail', line: L.length, offset: last.start, length: c }], `cut ${c}`)
    assert.deepEqual(history.messages.map(m => m.id), ['m1', 'm2'], `cut ${c}`)

    const session = await journal.resume(FIXTURE_ID)
    assert.equal(session.nextSeq, L.length, `cut ${c}: the repair event took seq ${L.length - 1}`)
    await session.close()
    const side = path.join(path.dirname(file), `${FIXTURE_ID}.ndjson.torn-${last.start}`)
    assert.deepEqual(fs.readFileSync(side), cut.subarray(last.start), `cut ${c}`)
    const after = fs.readFileSync(file)
    assert.deepEqual(after.subarray(0, last.start), healthy.subarray(0, last.start), `cut ${c}`)
    const repair = JSON.parse(after.subarray(last.start).toString()) as Record<string, unknown>
    assert.deepEqual([repair.seq, repair.type, repair.offset, repair.length, repair.file],
      [L.length - 1, 'repair', last.start, c, path.basename(side)], `cut ${c}`)
    fs.rmSync(root, { recursive: true })
  }
})

test('NUL bytes where a line should be (zero-filled blocks, then later appends) are reported as nul', async t => {
  const root = tempDir(t)
  installLog(root, Buffer.concat([healthy.subarray(0, span(4).start), Buffer.alloc(100), Buffer.from('\n'), healthy.subarray(span(4).start)]))
  const history = await new Journal({ root }).read(FIXTURE_ID)
  assert.deepEqual(where(history.damage), [{ kind: 'nul', line: 5, offset: span(4).start, length: 100 }])
  assert.deepEqual(shape(history), healthyShape)
})

test('a line over maxLineBytes is skipped and reported, the lines after it are kept', async t => {
  const root = tempDir(t)
  const long = Buffer.from(`${JSON.stringify({ seq: 3, ts: '2024-05-01T10:00:03.000Z', type: 'x.fixture.big', data: 'y'.repeat(3000) })}\n`)
  installLog(root, Buffer.concat([healthy.subarray(0, span(3).start), long, healthy.subarray(span(4).start)]))
  const journal = new Journal({ root, maxLineBytes: 1024 })
  const history = await journal.read(FIXTURE_ID)
  assert.deepEqual(where(history.damage), [
    { kind: 'line-too-long', line: 4, offset: span(3).start, length: long.length - 1 },
    { kind: 'seq-gap', line: 5, offset: span(3).start + long.length, length: span(4).length },
  ])
  assert.deepEqual(history.messages.map(m => m.id), ['m1', 'm2', 'm3'])
  await assert.rejects(journal.read(FIXTURE_ID, { strict: true }), { code: 'ERR_CORRUPT_LOG', line: 4 })
  // The default limit reads the same line as an event.
  assert.deepEqual((await new Journal({ root }).read(FIXTURE_ID)).damage, [])
})

test('interleaved bytes of two lines (two writers without the lock) are two bad lines and a gap, nothing else lost', async t => {
  const root = tempDir(t)
  const a = bytesOf(5)
  installLog(root, Buffer.concat([healthy.subarray(0, span(5).start), a.subarray(0, 20), bytesOf(6), a.subarray(20), bytesOf(7)]))
  const history = await new Journal({ root }).read(FIXTURE_ID)
  assert.deepEqual(where(history.damage), [
    { kind: 'bad-json', line: 6, offset: span(5).start, length: 20 + span(6).length },
    { kind: 'bad-json', line: 7, offset: span(5).start + 20 + span(6).length + 1, length: span(5).length - 20 },
    { kind: 'seq-gap', line: 8, offset: span(7).start, length: span(7).length },
  ])
  assert.deepEqual(history.messages.map(m => m.id), ['m1', 'm2', 'm3'])
})

test('a log whose header names another session: read reports bad-header, resume refuses with ERR_CORRUPT_LOG', async t => {
  const root = tempDir(t)
  const other = '01JZZZZZZZZZZZZZZZZZZZZZZZ'
  const file = installLog(root, Buffer.from(healthy.toString().replace(FIXTURE_ID, other)))
  const before = fs.readFileSync(file)
  const journal = new Journal({ root })
  const history = await journal.read(FIXTURE_ID)
  // The foreign header is skipped, so seq 0 is missing before line 2.
  assert.deepEqual(where(history.damage).map(d => [d.kind, d.line, d.offset]), [['bad-header', 1, 0], ['seq-gap', 2, span(1).start]])
  await assert.rejects(journal.resume(FIXTURE_ID), { code: 'ERR_CORRUPT_LOG', line: 1, offset: 0 })
  assert.deepEqual(fs.readFileSync(file), before)
  assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock was let go')
})

test('a directory where the log should be: read, events and resume fail with ERR_CORRUPT_LOG, list marks the row', async t => {
  const root = tempDir(t)
  const file = installFixture(root, 'healthy.ndjson')
  fs.rmSync(file)
  fs.mkdirSync(file)
  const journal = new Journal({ root })
  await assert.rejects(journal.read(FIXTURE_ID), { code: 'ERR_CORRUPT_LOG' })
  await assert.rejects(async () => { for await (const _ of journal.events(FIXTURE_ID)) { /* drain */ } }, { code: 'ERR_CORRUPT_LOG' })
  await assert.rejects(journal.resume(FIXTURE_ID), { code: 'ERR_CORRUPT_LOG' })
  const rows = await journal.list()
  assert.deepEqual(rows.map(r => [r.id, r.damaged]), [[FIXTURE_ID, true]])
  assert.ok(fs.statSync(file).isDirectory(), 'nothing removed it')
})

test('a log without a valid header (NUL bytes and garbage, no newline; a cut header; nothing) is listed damaged and verify reports it', async t => {
  const nulGarbage = Buffer.concat([Buffer.alloc(300), Buffer.from('\u00ff\u00fegarbage{"seq":'), Buffer.alloc(40)])
  for (const [name, bytes] of [['NUL and garbage', nulGarbage], ['only NUL', Buffer.alloc(4096)],
    ['truncated-header.ndjson', fixtureBytes('truncated-header.ndjson')], ['empty.ndjson', fixtureBytes('empty.ndjson')]] as const) {
    const root = tempDir(t)
    installLog(root, bytes)
    const journal = new Journal({ root })
    const [row] = await journal.list()
    assert.deepEqual([row!.id, row!.damaged, row!.messages], [FIXTURE_ID, true, 0], name)
    assert.equal((await journal.list())[0]!.damaged, true, `${name}: from the index too`)
    const report = await journal.verify(FIXTURE_ID)
    assert.equal(report.ok, false, name)
    assert.equal(report.damage[0]!.kind, 'bad-header', name)
    // Repair writes a fresh header (after setting any torn bytes aside): the row is whole again.
    assert.equal((await journal.verify(FIXTURE_ID, { repair: true })).ok, name === 'empty.ndjson' ? false : true, name)
    if (name !== 'empty.ndjson') assert.equal((await journal.list())[0]!.damaged, false, name)
  }
})

test('a log without a header while a live writer holds it (being created) is not damaged', async t => {
  const root = tempDir(t)
  const file = installLog(root, Buffer.alloc(0))
  fs.mkdirSync(`${file}.lock`) // a fresh lock: a writer that has not written the header yet
  const journal = new Journal({ root })
  assert.equal((await journal.list())[0]!.damaged, false)
  assert.deepEqual(await journal.verify(FIXTURE_ID), { id: FIXTURE_ID, path: file, ok: true, damage: [], repaired: null })
  fs.rmSync(`${file}.lock`, { recursive: true })
  assert.equal((await journal.list())[0]!.damaged, true)
})
