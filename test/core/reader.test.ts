import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir, rejectsWith } from '../helpers.js'
import { readEvents, scanLog, scanLogInto, scanLogSync, type ScanOptions, type ScanState } from '../../lib/core/reader.js'
import { toLine } from '../../lib/core/event.js'
import type { JournalEvent } from '../../lib/core/types.js'

const CHUNK = 1024 * 1024
const ID = '01J00000000000000000000000'
const TS = '2024-01-01T00:00:00.000Z'

function headerLine(id = ID): string {
  return toLine({ seq: 0, ts: TS, type: 'session', version: 1, id, projectId: 'p-000000000000', projectPath: '/p', title: null, parentId: null, host: null })
}

function noteLine(seq: number, data: unknown = null): string {
  return toLine({ seq, ts: TS, type: 'x.t.note', data })
}

/** A note line of exactly `bytes` bytes including its newline (padding with `fill`). */
function lineOfBytes(seq: number, bytes: number, fill = 'a'): string {
  const empty = Buffer.byteLength(noteLine(seq, ''))
  const fillBytes = Buffer.byteLength(fill)
  const room = bytes - empty
  assert.ok(room >= 0 && room % fillBytes === 0, `cannot make a line of ${bytes} bytes`)
  const line = noteLine(seq, fill.repeat(room / fillBytes))
  assert.equal(Buffer.byteLength(line), bytes)
  return line
}

async function scan(file: string, options: ScanOptions = {}) {
  const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  const events: JournalEvent[] = []
  let batches = 0
  for await (const batch of scanLog(file, state, options)) {
    batches++
    events.push(...batch)
  }
  return { events, damage: state.damage.map(({ message: _m, ...d }) => d), position: state.position, batches }
}


function write(t: Parameters<typeof tempDir>[0], content: string | Buffer): string {
  const file = path.join(tempDir(t), `${ID}.ndjson`)
  fs.writeFileSync(file, content)
  return file
}

test('scanLog: an empty log has no events, no damage, and stands at 0', async t => {
  const r = await scan(write(t, ''))
  assert.deepEqual(r, { events: [], damage: [], position: { offset: 0, lines: 0, lastSeq: -1 }, batches: 0 })
})

test('scanLog: a missing log is ERR_SESSION_NOT_FOUND', async t => {
  await rejectsWith(scan(path.join(tempDir(t), 'missing.ndjson')), 'ERR_SESSION_NOT_FOUND')
})

test('scanLog: a clean log gives every event, in order, and stands after the last line', async t => {
  const content = headerLine() + noteLine(1, 'a') + noteLine(2, { b: [1] })
  const r = await scan(write(t, content))
  assert.deepEqual(r.events.map(e => e.seq), [0, 1, 2])
  assert.deepEqual(r.events[2], { seq: 2, ts: TS, type: 'x.t.note', data: { b: [1] } })
  assert.deepEqual(r.damage, [])
  assert.deepEqual(r.position, { offset: Buffer.byteLength(content), lines: 3, lastSeq: 2 })
})

test('scanLog: lines across 1 MiB chunk boundaries: ending on the last byte, starting on the first, straddling, spanning three chunks, a character split in two', async t => {
  const lines: string[] = [headerLine()]
  let size = Buffer.byteLength(lines[0]!)
  const add = (line: string) => { lines.push(line); size += Buffer.byteLength(line) }
  // 1. A line whose newline is the last byte of chunk 1; the next line starts on byte 1048576.
  add(lineOfBytes(1, CHUNK - size))
  assert.equal(size, CHUNK)
  add(lineOfBytes(2, 1000))
  // 2. A line straddling the boundary of chunk 2, with a 4-byte emoji split across it.
  const before = 2 * CHUNK - size // bytes of the next line that fit in chunk 2
  const empty = Buffer.byteLength(noteLine(3, ''))
  const prefix = 'b'.repeat(before - (empty - 3) - 2) // the emoji starts 2 bytes before the boundary
  const straddling = noteLine(3, `${prefix}🚀${'c'.repeat(50)}`)
  add(straddling)
  const emojiAt = size - Buffer.byteLength(straddling) + Buffer.byteLength(straddling.slice(0, straddling.indexOf('🚀')))
  assert.ok(emojiAt < 2 * CHUNK && emojiAt + 4 > 2 * CHUNK, `emoji at ${emojiAt} straddles ${2 * CHUNK}`)
  // 3. A line of 2.5 MiB: starts in one chunk, covers a whole one, ends in a third.
  add(lineOfBytes(4, 2.5 * CHUNK))
  add(noteLine(5, 'last'))
  const content = lines.join('')
  const r = await scan(write(t, content))
  assert.deepEqual(r.damage, [])
  assert.deepEqual(r.events.map(e => e.seq), [0, 1, 2, 3, 4, 5])
  assert.deepEqual(r.events.map(e => toLine(e)), lines)
  assert.equal((r.events[3] as unknown as { data: string }).data, `${prefix}🚀${'c'.repeat(50)}`)
  assert.deepEqual(r.position, { offset: Buffer.byteLength(content), lines: 6, lastSeq: 5 })
  assert.ok(r.batches > 1, 'events came in more than one batch')
})

test('scanLog: a line of exactly maxLineBytes is read; one byte more is skipped as line-too-long', async t => {
  const max = 300
  const head = headerLine()
  const ok = lineOfBytes(1, max + 1) // maxLineBytes counts bytes without the newline
  const long = lineOfBytes(2, max + 2)
  const after = noteLine(3, 'after')
  const content = head + ok + long + after
  const r = await scan(write(t, content), { maxLineBytes: max })
  assert.deepEqual(r.events.map(e => e.seq), [0, 1, 3])
  const longAt = Buffer.byteLength(head + ok)
  const afterAt = longAt + max + 2
  assert.deepEqual(r.damage, [
    { kind: 'line-too-long', line: 3, offset: longAt, length: max + 1 },
    { kind: 'seq-gap', line: 4, offset: afterAt, length: Buffer.byteLength(after) - 1 },
  ])
  assert.deepEqual(r.position, { offset: Buffer.byteLength(content), lines: 4, lastSeq: 3 })
})

test('scanLog: a line far longer than maxLineBytes, across chunks, is counted, skipped, and the scan goes on', async t => {
  const head = headerLine()
  const huge = lineOfBytes(1, 3 * CHUNK + 17)
  const content = head + huge + noteLine(2)
  const r = await scan(write(t, content), { maxLineBytes: 4096 })
  assert.deepEqual(r.events.map(e => e.seq), [0, 2])
  assert.deepEqual(r.damage, [
    { kind: 'line-too-long', line: 2, offset: Buffer.byteLength(head), length: 3 * CHUNK + 16 },
    { kind: 'seq-gap', line: 3, offset: Buffer.byteLength(head + huge), length: Buffer.byteLength(noteLine(2)) - 1 },
  ])
  // Under the default limit the same line reads fine.
  const all = await scan(write(t, content))
  assert.deepEqual(all.events.map(e => e.seq), [0, 1, 2])
  assert.deepEqual(all.damage, [])
})

test('scanLog: damage reports the 1-based line and the byte offset, counting multi-byte UTF-8 before it', async t => {
  const lines = [
    headerLine(),
    noteLine(1, '日本語 🚀 ünï \u2028'), // 3- and 4-byte characters before the damage
    'not json at all\n',
    noteLine(2, 'é'),
    '{"just":"json"}\n',
    noteLine(2, 'repeated seq'),
    '\n',
    noteLine(5, 'gap of two'),
    noteLine(6, 'crlf').replace('\n', '\r\n'),
    '\0\0\0\0\n',
    noteLine(7),
    '{"seq":8,"ts":"t","type":"x.t', // torn tail
  ]
  const content = lines.join('')
  const offsets: number[] = []
  let at = 0
  for (const l of lines) { offsets.push(at); at += Buffer.byteLength(l) }
  const len = (i: number) => Buffer.byteLength(lines[i]!) - (i === lines.length - 1 ? 0 : 1)
  const r = await scan(write(t, content))
  assert.deepEqual(r.damage, [
    { kind: 'bad-json', line: 3, offset: offsets[2], length: len(2) },
    { kind: 'bad-event', line: 5, offset: offsets[4], length: len(4) },
    { kind: 'seq-repeat', line: 6, offset: offsets[5], length: len(5) },
    { kind: 'bad-json', line: 7, offset: offsets[6], length: 0 },
    { kind: 'seq-gap', line: 8, offset: offsets[7], length: len(7) },
    { kind: 'crlf', line: 9, offset: offsets[8], length: len(8) },
    { kind: 'nul', line: 10, offset: offsets[9], length: 4 },
    { kind: 'torn-tail', line: 12, offset: offsets[11], length: len(11) },
  ])
  assert.ok(offsets[2]! > lines.slice(0, 2).join('').length, 'multi-byte characters make bytes exceed UTF-16 units')
  assert.deepEqual(r.events.map(e => e.seq), [0, 1, 2, 5, 6, 7])
  assert.equal((r.events[1] as unknown as { data: string }).data, '日本語 🚀 ünï \u2028')
  assert.deepEqual(r.position, { offset: offsets[11], lines: 11, lastSeq: 7 })
})

test('scanLog: a byte-order mark is reported and ignored; the header still counts', async t => {
  const r = await scan(write(t, `\ufeff${headerLine()}${noteLine(1)}`))
  assert.deepEqual(r.damage, [{ kind: 'bom', line: 1, offset: 0, length: 3 }])
  assert.deepEqual(r.events.map(e => e.type), ['session', 'x.t.note'])
})

test('scanLog: line 1 must be the header, of the expected session', async t => {
  const noHeader = await scan(write(t, noteLine(0) + noteLine(1)))
  assert.deepEqual(noHeader.damage, [{ kind: 'bad-header', line: 1, offset: 0, length: Buffer.byteLength(noteLine(0)) - 1 }])
  assert.deepEqual(noHeader.events.map(e => e.seq), [0, 1])

  const other = '01J11111111111111111111111'
  const content = headerLine(other) + noteLine(1)
  const foreign = await scan(write(t, content), { expectId: ID })
  assert.deepEqual(foreign.damage.map(d => [d.kind, d.line, d.offset]), [['bad-header', 1, 0], ['seq-gap', 2, Buffer.byteLength(headerLine(other))]])
  assert.deepEqual(foreign.events.map(e => e.seq), [1])
  assert.deepEqual((await scan(write(t, content), { expectId: other })).damage, [])
})

test('scanLog: a NUL-padded tail is one torn-tail entry', async t => {
  const content = headerLine() + noteLine(1)
  const r = await scan(write(t, Buffer.concat([Buffer.from(content), Buffer.alloc(4096)])))
  assert.deepEqual(r.damage, [{ kind: 'torn-tail', line: 3, offset: Buffer.byteLength(content), length: 4096 }])
  assert.deepEqual(r.position, { offset: Buffer.byteLength(content), lines: 2, lastSeq: 1 })
})

test('scanLog strict: the first damaged line throws ERR_CORRUPT_LOG with path, line and offset', async t => {
  const lines = [headerLine(), noteLine(1, '🚀🚀'), noteLine(2), '{broken\n', noteLine(4)]
  const file = write(t, lines.join(''))
  const error = await rejectsWith(scan(file, { strict: true }), 'ERR_CORRUPT_LOG')
  assert.equal(error.line, 4)
  assert.equal(error.offset, Buffer.byteLength(lines.slice(0, 3).join('')))
  assert.equal(error.path, file)
  // readEvents throws too, and never delivers a line after the damaged one.
  const seen: number[] = []
  await rejectsWith((async () => { for await (const e of readEvents(file, { strict: true })) seen.push(e.seq) })(), 'ERR_CORRUPT_LOG')
  assert.ok(seen.every(seq => seq < 3), String(seen))
})

test('scanLog strict: a torn tail alone does not throw, it is only reported', async t => {
  const content = headerLine() + noteLine(1)
  const r = await scan(write(t, `${content}{"seq":2,"ts":`), { strict: true })
  assert.deepEqual(r.events.map(e => e.seq), [0, 1])
  assert.deepEqual(r.damage, [{ kind: 'torn-tail', line: 3, offset: Buffer.byteLength(content), length: 14 }])
})

test('scanLog from: resumes where an earlier scan stopped, reading only what was appended', async t => {
  const first = headerLine() + noteLine(1) + noteLine(2)
  const file = write(t, `${first}{"seq":3,`) // torn for now: the position stays before it
  const a = await scan(file)
  assert.deepEqual(a.position, { offset: Buffer.byteLength(first), lines: 3, lastSeq: 2 })
  // The writer cuts the torn bytes and appends whole lines.
  fs.truncateSync(file, Buffer.byteLength(first))
  fs.appendFileSync(file, noteLine(3, 'x') + 'garbage\n' + noteLine(4))
  const b = await scan(file, { from: a.position, expectId: ID })
  assert.deepEqual(b.events.map(e => e.seq), [3, 4])
  assert.deepEqual(b.damage, [{ kind: 'bad-json', line: 5, offset: Buffer.byteLength(first + noteLine(3, 'x')), length: 7 }])
  assert.deepEqual(b.position, { offset: fs.statSync(file).size, lines: 6, lastSeq: 4 })
  // The caller's position object is not moved by the scan.
  assert.deepEqual(a.position, { offset: Buffer.byteLength(first), lines: 3, lastSeq: 2 })
  // A seq that does not continue from the earlier position is a gap.
  const c = await scan(file, { from: { offset: Buffer.byteLength(first), lines: 3, lastSeq: 0 } })
  assert.deepEqual(c.damage.map(d => d.kind), ['seq-gap', 'bad-json'])
})

test('readEvents: every good event one by one, header first', async t => {
  const file = write(t, headerLine() + noteLine(1) + 'bad\n' + noteLine(2))
  const seqs: number[] = []
  for await (const e of readEvents(file)) seqs.push(e.seq)
  assert.deepEqual(seqs, [0, 1, 2])
})

test('scanLogSync and scanLogInto: the same events, damage and position as scanLog, on hostile logs and from a position', async t => {
  const dir = tempDir(t)
  const logs: Record<string, string | Buffer> = {
    clean: headerLine() + noteLine(1) + noteLine(2, { __proto__: 'x', constructor: 1 }),
    bom: `\ufeff${headerLine()}${noteLine(1)}`,
    crlf: headerLine().replace('\n', '\r\n') + noteLine(1),
    damaged: headerLine() + '{not json\n' + '\n' + noteLine(3) + noteLine(3) + noteLine(9, '\u001b[2J'),
    nul: Buffer.concat([Buffer.from(headerLine() + noteLine(1)), Buffer.alloc(64)]),
    torn: headerLine() + noteLine(1) + noteLine(2).slice(0, 10),
    foreign: headerLine('01J00000000000000000000001') + noteLine(1),
    long: headerLine() + lineOfBytes(1, 5000) + noteLine(2),
    multiChunk: headerLine() + Array.from({ length: 1200 }, (_, i) => lineOfBytes(i + 1, 1000)).join(''),
  }
  for (const [name, bytes] of Object.entries(logs)) {
    const file = path.join(dir, `${name}.ndjson`)
    fs.writeFileSync(file, bytes)
    for (const options of [{ expectId: ID }, { expectId: ID, maxLineBytes: 4096 }, { from: { offset: Buffer.byteLength(headerLine()), lines: 1, lastSeq: 0 } }] as ScanOptions[]) {
      const streamedState: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
      const streamed: JournalEvent[] = []
      for await (const batch of scanLog(file, streamedState, options)) streamed.push(...batch)
      const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
      const events = scanLogSync(file, state, options)
      assert.deepEqual(events, streamed, name)
      assert.deepEqual(state, streamedState, name)
      const sunkState: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
      const sunk: JournalEvent[] = []
      await scanLogInto(file, sunkState, options, sunk)
      assert.deepEqual(sunk, streamed, name)
      assert.deepEqual(sunkState, streamedState, name)
    }
  }
})

test('scanLogSync: strict throws ERR_CORRUPT_LOG at the damaged line; missing is ERR_SESSION_NOT_FOUND; a folder is refused', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'log.ndjson')
  fs.writeFileSync(file, headerLine() + '{nope\n' + noteLine(2))
  const state = (): ScanState => ({ damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } })
  assert.throws(() => scanLogSync(file, state(), { strict: true }), (e: Error & { code?: string, context?: { line?: number } }) => e.code === 'ERR_CORRUPT_LOG' && /:2 /.test(e.message))
  assert.throws(() => scanLogSync(path.join(dir, 'missing.ndjson'), state()), (e: Error & { code?: string }) => e.code === 'ERR_SESSION_NOT_FOUND')
  assert.throws(() => scanLogSync(dir, state()), (e: Error & { code?: string }) => e.code === 'ERR_CORRUPT_LOG')
})

test('scanLogInto: each event reaches the sink as its line is parsed, not a chunk later', async t => {
  // 3,000 lines of 1000 bytes: three 1 MiB chunks, so batches would arrive ~1,000 lines late.
  const file = write(t, headerLine() + Array.from({ length: 3000 }, (_, i) => lineOfBytes(i + 1, 1000)).join(''))
  const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  const linesBefore: number[] = []
  await scanLogInto(file, state, {}, { push: (e: JournalEvent) => linesBefore.push(state.position.lines - e.seq) })
  assert.equal(linesBefore.length, 3001)
  assert.deepEqual(new Set(linesBefore), new Set([0]), 'the scan had counted exactly the lines before each event')
  assert.equal(state.position.lines, 3001)
})

test('scanLogInto: strict throws ERR_CORRUPT_LOG at the damaged line after the lines before it; missing is ERR_SESSION_NOT_FOUND; a folder is refused', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'log.ndjson')
  fs.writeFileSync(file, headerLine() + noteLine(1) + '{nope\n' + noteLine(3))
  const state = (): ScanState => ({ damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } })
  const sunk: JournalEvent[] = []
  const error = await rejectsWith(scanLogInto(file, state(), { strict: true }, sunk), 'ERR_CORRUPT_LOG')
  assert.deepEqual([error.path, error.line, error.offset], [file, 3, Buffer.byteLength(headerLine() + noteLine(1))])
  assert.deepEqual(sunk.map(e => e.seq), [0, 1])
  await rejectsWith(scanLogInto(path.join(dir, 'missing.ndjson'), state(), {}, []), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(scanLogInto(dir, state(), {}, []), 'ERR_CORRUPT_LOG')
})

test('scanLog and scanLogInto close the log: read to the end, left early by the consumer, or stopped by damage in strict mode', async t => {
  const file = write(t, headerLine() + Array.from({ length: 2500 }, (_, i) => lineOfBytes(i + 1, 1000)).join('') + 'bad\n')
  // Every handle the reader opens, and which of them it closed (close is an own property of each handle).
  const fsp = fs.promises as { open: typeof fs.promises.open }
  const open = fsp.open
  let opened = 0
  let closed = 0
  fsp.open = async (...args: Parameters<typeof fs.promises.open>) => {
    const handle = await open(...args)
    opened++
    const close = handle.close
    handle.close = () => { closed++; return close() }
    return handle
  }
  t.after(() => { fsp.open = open })
  const fresh = (): ScanState => ({ damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } })
  for await (const _ of scanLog(file, fresh())) { /* to the end */ }
  for await (const _ of scanLog(file, fresh())) break
  for await (const _ of readEvents(file)) break
  await scanLogInto(file, fresh(), {}, [])
  await rejectsWith(scanLogInto(file, fresh(), { strict: true }, []), 'ERR_CORRUPT_LOG')
  await rejectsWith((async () => { for await (const _ of scanLog(file, fresh(), { strict: true })) { /* to the damage */ } })(), 'ERR_CORRUPT_LOG')
  assert.equal(opened, 6)
  assert.equal(closed, 6)
})

test('scanLog, scanLogInto, scanLogSync: a log of mostly non-ASCII text over several chunks reads as each line parsed on its own, damage and all', async t => {
  const parts: Buffer[] = [Buffer.from(headerLine())]
  for (let seq = 1; seq <= 5000; seq++) {
    // Not UTF-8 (a stray byte, an overlong slash, an encoded surrogate): read as replacement characters, like Buffer.toString.
    if (seq === 4321) parts.push(Buffer.concat([Buffer.from(noteLine(seq, 'ü:').slice(0, -3)), Buffer.from([0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}\n')]))
    else if (seq % 503 === 0) parts.push(Buffer.from(noteLine(seq, `crlf ünïcode 🚀 ${seq}`).replace('\n', '\r\n')))
    else if (seq % 307 === 0) parts.push(Buffer.from(`{"seq":${seq},"not json ü\n`))
    else parts.push(Buffer.from(noteLine(seq, `${'日本語 ünïcode 🚀 \u2028 '.repeat(seq % 37)}${seq}`)))
  }
  const bytes = Buffer.concat(parts)
  assert.ok(bytes.length > 3 * CHUNK)
  const file = write(t, bytes)
  // The reference: every line decoded and parsed on its own; what does not parse is not an event.
  const expected = bytes.toString('utf8').split('\n').slice(0, -1).map(line => line.replace(/\r$/, '')).flatMap(line => {
    try { return [JSON.parse(line) as JournalEvent] } catch { return [] }
  })
  const r = await scan(file)
  assert.deepEqual(r.events, expected)
  assert.ok(r.events.some(e => /\ufffd/.test(String((e as { data?: unknown }).data))), 'the lines that are not UTF-8 are events')
  assert.equal(r.damage.filter(d => d.kind === 'crlf').length, Math.floor(5000 / 503))
  assert.equal(r.damage.filter(d => d.kind === 'bad-json').length, Math.floor(5000 / 307))
  const into: JournalEvent[] = []
  await scanLogInto(file, { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }, {}, into)
  assert.deepEqual(into, expected)
  assert.deepEqual(scanLogSync(file, { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }), expected)
})
