/**
 * Bytes -> lines -> typed events, streaming in 1 MiB chunks. Tolerant of a torn last line
 * (reported, never delivered), loud about damage in the middle (reported with line and
 * offset; thrown in strict mode). Memory is one chunk plus the longest line. The line
 * rules themselves are line-scanner.ts's.
 */
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import { CorruptLogError, isNotFound, SessionNotFoundError } from './errors.js'
import { LineScanner, type EventSink } from './line-scanner.js'
import type { Damage, JournalEvent } from './types.js'

export { DEFAULT_MAX_LINE_BYTES } from './line-scanner.js'

const CHUNK = 1024 * 1024

/** What a caller of read()/events() chooses. */
export interface ReadOptions {
  /** Throw ERR_CORRUPT_LOG at the first damaged line instead of reporting it in `damage`. */
  strict?: boolean
}

export interface ScanOptions {
  /** Throw ERR_CORRUPT_LOG at the first damaged line (a torn tail is still only reported). */
  strict?: boolean
  maxLineBytes?: number
  /** The session id the header must carry. */
  expectId?: string
  /** Resume a scan where an earlier one stopped (at a line boundary). */
  from?: ScanPosition
}

/** Where a scan stands: after `lines` complete lines, `offset` bytes, the last good `seq`. */
export interface ScanPosition {
  offset: number
  lines: number
  lastSeq: number
}

export interface ScanState {
  damage: Damage[]
  /** Advanced as the scan goes; at the end it stands after the last complete line. */
  position: ScanPosition
}

/**
 * Yields the events of a log in batches (one per chunk read). `state` collects damage and
 * the position as it goes, so callers can fold batch by batch and still learn both.
 */
export async function* scanLog(file: string, state: ScanState, options: ScanOptions = {}): AsyncGenerator<JournalEvent[]> {
  const lines = new LineScanner(file, state, options)
  for await (const chunk of chunks(file, lines.pos.offset)) {
    const out: JournalEvent[] = []
    lines.feed(chunk, chunk.length, out)
    if (out.length > 0) yield out
  }
  lines.end()
}

/**
 * scanLog() without batches: each event goes to `sink` as soon as its line is parsed. A fold
 * as the sink never holds a chunk's worth of parsed events (~1,200 for 1 MiB) that a
 * young-generation GC would copy before the fold drops most of them (docs/performance.md).
 */
export async function scanLogInto(file: string, state: ScanState, options: ScanOptions, sink: EventSink): Promise<void> {
  const lines = new LineScanner(file, state, options)
  for await (const chunk of chunks(file, lines.pos.offset)) lines.feed(chunk, chunk.length, sink)
  lines.end()
}

/** The bytes of a log from `offset` on, chunk by chunk: each a view on one reused buffer, valid until the next. */
async function* chunks(file: string, offset: number): AsyncGenerator<Buffer> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    throw notFound(file, error)
  }
  try {
    // A directory opens fine for reading and only fails at read() with a bare EISDIR.
    const stat = await handle.stat()
    if (!stat.isFile()) throw new CorruptLogError(`${file} is not a regular file`, { path: file })
    // A small log (the usual case when listing thousands) gets a small buffer, not 1 MiB of garbage.
    const buf = Buffer.allocUnsafe(bufferFor(stat.size - offset))
    for (let at = offset; ;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, at)
      if (bytesRead === 0) break
      at += bytesRead
      yield buf.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

/** A log opened for a synchronous scan: its descriptor and what fstat says of it. */
export interface OpenedLog {
  fd: number
  stat: fsSync.Stats
}

/** Opens a log for scanLogSync(): ERR_SESSION_NOT_FOUND when missing, ERR_CORRUPT_LOG when it is no regular file. */
export function openLogSync(file: string): OpenedLog {
  let fd: number
  try {
    fd = fsSync.openSync(file, 'r')
  } catch (error) {
    throw notFound(file, error)
  }
  const stat = fsSync.fstatSync(fd)
  if (stat.isFile()) return { fd, stat }
  fsSync.closeSync(fd)
  throw new CorruptLogError(`${file} is not a regular file`, { path: file })
}

/**
 * scanLog() without a promise per step, for a small log: every event at once. Reading a
 * page-cached file this way costs less than one thread-pool round trip of the async scan
 * (docs/performance.md); the caller keeps the event loop turning between logs. It reads as
 * far as the log's size when opened (bytes appended later are the next scan's), so a log
 * read whole takes one read, not a second one to find its end. `opened` is closed after.
 */
export function scanLogSync(file: string, state: ScanState, options: ScanOptions = {}, opened: OpenedLog = openLogSync(file)): JournalEvent[] {
  const lines = new LineScanner(file, state, options)
  const { fd, stat } = opened
  try {
    const buf = syncBuffer(bufferFor(stat.size - lines.pos.offset))
    const events: JournalEvent[] = []
    for (let at = lines.pos.offset; at < stat.size;) {
      const bytesRead = fsSync.readSync(fd, buf, 0, Math.min(buf.length, stat.size - at), at)
      if (bytesRead === 0) break
      at += bytesRead
      lines.feed(buf, bytesRead, events)
    }
    lines.end()
    return events
  } finally {
    fsSync.closeSync(fd)
  }
}

const bufferFor = (remaining: number) => Math.min(CHUNK, Math.max(16 * 1024, remaining + 1))

/**
 * The synchronous scan's buffer, reused: nothing else runs while it is in use, and a fresh
 * 16 KiB per small log was most of a cold listing's garbage. Kept up to 256 KiB.
 */
let kept = Buffer.allocUnsafe(0)
function syncBuffer(size: number): Buffer {
  if (kept.length >= size) return kept
  const buf = Buffer.allocUnsafe(size)
  if (size <= 256 * 1024) kept = buf
  return buf
}

function notFound(file: string, error: unknown): unknown {
  return isNotFound(error) ? new SessionNotFoundError(`no session log at ${file}`, { path: file, cause: error }) : error
}

/** All events of a log, one by one, header first. Damaged lines are skipped (or thrown, strict). */
export async function* readEvents(file: string, options: ScanOptions = {}, state?: ScanState): AsyncGenerator<JournalEvent> {
  const s = state ?? { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  for await (const batch of scanLog(file, s, options)) yield* batch
}
