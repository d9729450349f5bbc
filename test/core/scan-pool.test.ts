import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { rejectsWith, tempDir } from '../helpers.js'
import { ScanPool } from '../../lib/core/scan-pool.js'
import { toLine } from '../../lib/core/event.js'
import type { ScanState } from '../../lib/core/reader.js'
import type { JournalEvent } from '../../lib/core/types.js'

const ID = '01J00000000000000000000000'
const TS = '2024-01-01T00:00:00.000Z'
const fresh = (): ScanState => ({ damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } })

/** A log of `notes` note events, each ~`bytes` long. */
function log(dir: string, name: string, notes: number, bytes = 100): string {
  const file = path.join(dir, name)
  let text = toLine({ seq: 0, ts: TS, type: 'session', version: 1, id: ID, projectId: 'p-000000000000', projectPath: '/p', title: null, parentId: null, host: null })
  for (let i = 1; i <= notes; i++) text += toLine({ seq: i, ts: TS, type: 'x.t.note', data: 'n'.repeat(bytes) })
  fs.writeFileSync(file, text)
  return file
}

/** Counts the reads of both kinds: through FileHandle (streamed) and readSync (whole), and the async scans open at once. */
async function counting(t: TestContext, dir: string) {
  const probe = await fs.promises.open(dir, 'r')
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }>, stat: (...args: unknown[]) => Promise<fs.Stats> }
  await probe.close()
  const counts = { streamed: 0, whole: 0, open: 0, maxOpen: 0 }
  const { read, stat } = proto
  const { readSync } = fs
  const open = fs.promises.open
  fs.promises.open = async (...args: Parameters<typeof fs.promises.open>) => {
    const handle = await open(...args)
    counts.maxOpen = Math.max(counts.maxOpen, ++counts.open)
    const close = handle.close
    handle.close = () => { counts.open--; return close.call(handle) }
    return handle
  }
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const r = await read.apply(this, args)
    counts.streamed += r.bytesRead
    // Let the others run: scans overlap only if each waits for its reads.
    await new Promise(resolve => setImmediate(resolve))
    return r
  }
  ;(fs as { readSync: unknown }).readSync = (...args: Parameters<typeof fs.readSync>) => {
    const n = readSync(...args)
    counts.whole += n
    return n
  }
  t.after(() => {
    fs.promises.open = open
    proto.read = read
    proto.stat = stat
    ;(fs as { readSync: unknown }).readSync = readSync
  })
  return counts
}

test('small logs are read whole, synchronously; large ones streamed; both give every event once', async t => {
  const dir = tempDir(t)
  const small = log(dir, 'small.ndjson', 10)
  const large = log(dir, 'large.ndjson', 400)
  const counts = await counting(t, dir)
  const pool = new ScanPool({ smallBytes: 8 * 1024 })
  const got: Record<string, JournalEvent[]> = { small: [], large: [] }
  for (const [name, file] of [['small', small], ['large', large]] as const) {
    await pool.scan(file, fresh(), { expectId: ID }, fs.statSync(file).size, events => got[name]!.push(...events))
  }
  assert.deepEqual(got.small!.map(e => e.seq), Array.from({ length: 11 }, (_, i) => i))
  assert.deepEqual(got.large!.map(e => e.seq), Array.from({ length: 401 }, (_, i) => i))
  assert.equal(counts.whole, fs.statSync(small).size)
  assert.equal(counts.streamed, fs.statSync(large).size)
})

test('at most `limit` large logs are scanned at once, and they do overlap', async t => {
  const dir = tempDir(t)
  const files = Array.from({ length: 6 }, (_, i) => log(dir, `l${i}.ndjson`, 50))
  const counts = await counting(t, dir)
  const pool = new ScanPool({ limit: 2, smallBytes: 0 })
  const seen = files.map(() => 0)
  await Promise.all(files.map((file, i) => pool.scan(file, fresh(), {}, fs.statSync(file).size, events => { seen[i]! += events.length })))
  assert.deepEqual(seen, files.map(() => 51))
  assert.equal(counts.maxOpen, 2)
  assert.equal(counts.open, 0)
})

test('a failing scan gives its slot back; errors are the reader\'s; a hostile file name is only a path', async t => {
  const dir = tempDir(t)
  const good = log(dir, '__proto__.ndjson', 20)
  const pool = new ScanPool({ limit: 1, smallBytes: 0 })
  await rejectsWith(pool.scan(path.join(dir, 'missing.ndjson'), fresh(), {}, 1, () => {}), 'ERR_SESSION_NOT_FOUND')
  fs.writeFileSync(path.join(dir, 'bad.ndjson'), '{"seq":0}\n{broken\n')
  await rejectsWith(pool.scan(path.join(dir, 'bad.ndjson'), fresh(), { strict: true }, 1, () => {}), 'ERR_CORRUPT_LOG')
  await rejectsWith(new ScanPool().scan(dir, fresh(), {}, 0, () => {}), 'ERR_CORRUPT_LOG') // a folder, read whole
  let n = 0
  await pool.scan(good, fresh(), {}, fs.statSync(good).size, events => { n += events.length })
  assert.equal(n, 21)
})

test('synchronous reads give the event loop a turn every `yieldBytes`', async t => {
  const dir = tempDir(t)
  const files = Array.from({ length: 8 }, (_, i) => log(dir, `s${i}.ndjson`, 5))
  const pool = new ScanPool({ yieldBytes: 3 * 4096 })
  let turns = 0
  let ticking = true
  const tick = () => { turns++; if (ticking) setImmediate(tick) }
  setImmediate(tick)
  t.after(() => { ticking = false })
  await new Promise(resolve => setImmediate(resolve))
  const start = turns
  const turnsAt: number[] = []
  for (const file of files) {
    await pool.scan(file, fresh(), {}, fs.statSync(file).size, () => {})
    turnsAt.push(turns - start)
  }
  ticking = false
  // Every third log yields (each counts its bytes plus 4 KiB for the open): the timer ran in between.
  assert.deepEqual(turnsAt.map(n => Math.min(n, 1)), [0, 0, 1, 1, 1, 1, 1, 1], `turns: ${turnsAt.join(',')}`)
  assert.ok(turnsAt[7]! > turnsAt[2]!, `turns: ${turnsAt.join(',')}`)
  // With the default (4 MiB) the same logs never yield: a warm listing stays synchronous.
  const before = turns
  for (const file of files) await new ScanPool().scan(file, fresh(), {}, fs.statSync(file).size, () => {})
  assert.equal(turns, before)
})

test('scan of a log not stat\'ed (remaining null): the open\'s fstat is handed out; a small log is read whole on that open, a large one streamed', async t => {
  const dir = tempDir(t)
  const small = log(dir, 'small.ndjson', 10)
  const large = log(dir, 'large.ndjson', 3000)
  const counts = await counting(t, dir)
  const pool = new ScanPool({ smallBytes: 64 * 1024 })
  for (const [file, streamed] of [[small, false], [large, true]] as const) {
    const seen: fs.Stats[] = []
    const events: JournalEvent[] = []
    counts.streamed = 0
    counts.whole = 0
    await pool.scan(file, fresh(), { expectId: ID }, null, batch => events.push(...batch), stat => seen.push(stat))
    const stat = fs.statSync(file)
    assert.deepEqual(seen.map(s => [s.ino, s.birthtimeMs, s.size]), [[stat.ino, stat.birthtimeMs, stat.size]])
    assert.equal(events.length, streamed ? 3001 : 11)
    assert.deepEqual([counts.streamed, counts.whole], streamed ? [stat.size, 0] : [0, stat.size], file)
  }
  // Missing, or no regular file: the scan's own errors, nothing heard.
  await rejectsWith(pool.scan(path.join(dir, 'gone.ndjson'), fresh(), {}, null, () => {}, () => assert.fail('no stat')), 'ERR_SESSION_NOT_FOUND')
  fs.mkdirSync(path.join(dir, 'dir.ndjson'))
  await rejectsWith(pool.scan(path.join(dir, 'dir.ndjson'), fresh(), {}, null, () => {}, () => assert.fail('no stat')), 'ERR_CORRUPT_LOG')
})
