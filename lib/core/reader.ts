/**
 * Bytes -> lines -> typed events, streaming in 1 MiB chunks. Tolerant of a torn last line
 * (reported, never delivered), loud about damage in the middle (reported with line and
 * offset; thrown in strict mode). Memory is one chunk plus the longest line.
 */
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import { CorruptLogError, isNotFound, SessionNotFoundError } from './errors.js'
import { eventProblem } from './event.js'
import type { Damage, DamageKind, JournalEvent } from './types.js'

export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024
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
    const buf = Buffer.allocUnsafe(bufferFor(stat.size - lines.pos.offset))
    for (let at = lines.pos.offset; ;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, at)
      if (bytesRead === 0) break
      at += bytesRead
      const out = lines.feed(buf, bytesRead)
      if (out.length > 0) yield out
    }
    lines.end()
  } finally {
    await handle.close()
  }
}

/**
 * scanLog() without a promise per step, for a small log: every event at once. Reading a
 * page-cached file this way costs less than one thread-pool round trip of the async scan
 * (docs/performance.md); the caller keeps the event loop turning between logs.
 */
export function scanLogSync(file: string, state: ScanState, options: ScanOptions = {}): JournalEvent[] {
  const lines = new LineScanner(file, state, options)
  let fd: number
  try {
    fd = fsSync.openSync(file, 'r')
  } catch (error) {
    throw notFound(file, error)
  }
  try {
    const stat = fsSync.fstatSync(fd)
    if (!stat.isFile()) throw new CorruptLogError(`${file} is not a regular file`, { path: file })
    const buf = syncBuffer(bufferFor(stat.size - lines.pos.offset))
    const events: JournalEvent[] = []
    for (let at = lines.pos.offset; ;) {
      const bytesRead = fsSync.readSync(fd, buf, 0, buf.length, at)
      if (bytesRead === 0) break
      at += bytesRead
      for (const event of lines.feed(buf, bytesRead)) events.push(event)
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

/** Bytes in, checked events out: splits on newlines, carries a partial line to the next chunk, reports damage. */
class LineScanner {
  readonly pos: ScanPosition
  private readonly maxLine: number
  private carry: Buffer[] = []
  private carryLen = 0
  private tooLong = false

  constructor(private readonly file: string, private readonly state: ScanState, private readonly options: ScanOptions) {
    this.maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.pos = state.position = { ...(options.from ?? { offset: 0, lines: 0, lastSeq: -1 }) }
  }

  /** The events of the lines `buf[0, bytesRead)` completes; the bytes may be reused after. */
  feed(buf: Buffer, bytesRead: number): JournalEvent[] {
    const { pos, maxLine } = this
    const chunk = buf.subarray(0, bytesRead)
    const out: JournalEvent[] = []
    let at = 0
    while (at < bytesRead) {
      const nl = chunk.indexOf(10, at)
      if (nl === -1) {
        if (!this.tooLong) {
          this.carry.push(Buffer.from(chunk.subarray(at)))
          this.carryLen += bytesRead - at
          // Past the limit the line is only counted, never held: a 2 GB line costs no memory.
          if (this.carryLen > maxLine) { this.tooLong = true; this.carry = [] }
        } else {
          this.carryLen += bytesRead - at
        }
        break
      }
      const lineStart = pos.offset
      const length = this.carryLen + nl - at
      if (this.tooLong || length > maxLine) {
        this.damage('line-too-long', lineStart, length, `line of ${length} bytes exceeds maxLineBytes ${maxLine} (skipped)`)
      } else if (this.carryLen > 0) {
        this.carry.push(chunk.subarray(at, nl))
        this.takeLine(Buffer.concat(this.carry, length), lineStart, out)
      } else {
        this.takeLine(chunk.subarray(at, nl), lineStart, out)
      }
      this.carry = []
      this.carryLen = 0
      this.tooLong = false
      pos.offset = lineStart + length + 1
      pos.lines++
      at = nl + 1
    }
    return out
  }

  /** At the end of the bytes: what is left is a torn tail (reported, never delivered). */
  end(): void {
    if (this.carryLen === 0) return
    const allNul = !this.tooLong && this.carry.every(b => b.every(x => x === 0))
    this.damage('torn-tail', this.pos.offset, this.carryLen, allNul
      ? `${this.carryLen} NUL byte(s) after the last line (padding from a crash)`
      : `last line of ${this.carryLen} byte(s) has no newline: a write cut short (ignored)`)
  }

  private damage(kind: DamageKind, offset: number, length: number, message: string, line = this.pos.lines + 1): void {
    if (this.options.strict && kind !== 'torn-tail') {
      throw new CorruptLogError(`${this.file}:${line} (byte ${offset}): ${message}`, { path: this.file, line, offset })
    }
    this.state.damage.push({ kind, line, offset, length, message })
  }

  // One line's bytes, without its newline, starting at byte `start` of the file.
  private takeLine(bytes: Buffer, start: number, out: JournalEvent[]): void {
    const { pos, options } = this
    let from = 0
    let to = bytes.length
    if (start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      this.damage('bom', 0, 3, 'byte-order mark before the header (ignored)')
      from = 3
    }
    if (to > from && bytes[to - 1] === 0x0d) {
      this.damage('crlf', start, bytes.length, 'line ends in \\r\\n (event kept)')
      to--
    }
    if (to === from) return this.damage('bad-json', start, bytes.length, 'empty line')
    if (bytes[from] === 0) return this.damage('nul', start, bytes.length, 'NUL bytes where a line should be')
    let event: unknown
    try {
      event = JSON.parse(bytes.toString('utf8', from, to))
    } catch (error) {
      return this.damage('bad-json', start, bytes.length, `not JSON: ${(error as Error).message}`)
    }
    const problem = eventProblem(event)
    if (problem) return this.damage('bad-event', start, bytes.length, problem)
    const e = event as JournalEvent
    if (pos.lines === 0) {
      if (e.type !== 'session' || e.seq !== 0) {
        this.damage('bad-header', start, bytes.length, `line 1 is a ${JSON.stringify(e.type)} event, not the session header`)
      } else if (options.expectId !== undefined && e.id !== options.expectId) {
        return this.damage('bad-header', start, bytes.length, `header belongs to session ${JSON.stringify(e.id)}, not ${options.expectId}`)
      }
    }
    if (e.seq <= pos.lastSeq) {
      return this.damage('seq-repeat', start, bytes.length, `seq ${e.seq} after ${pos.lastSeq}: duplicated or interleaved line (skipped)`)
    }
    if (e.seq !== pos.lastSeq + 1) {
      this.damage('seq-gap', start, bytes.length, `seq jumps from ${pos.lastSeq} to ${e.seq}: ${e.seq - pos.lastSeq - 1} line(s) missing`)
    }
    pos.lastSeq = e.seq
    out.push(e)
  }
}

/** All events of a log, one by one, header first. Damaged lines are skipped (or thrown, strict). */
export async function* readEvents(file: string, options: ScanOptions = {}, state?: ScanState): AsyncGenerator<JournalEvent> {
  const s = state ?? { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  for await (const batch of scanLog(file, s, options)) yield* batch
}
