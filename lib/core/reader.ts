/**
 * Bytes -> lines -> typed events, streaming in 1 MiB chunks. Tolerant of a torn last line
 * (reported, never delivered), loud about damage in the middle (reported with line and
 * offset; thrown in strict mode). Memory is one chunk plus the longest line.
 */
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
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const pos = state.position = { ...(options.from ?? { offset: 0, lines: 0, lastSeq: -1 }) }
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    if (isNotFound(error)) throw new SessionNotFoundError(`no session log at ${file}`, { path: file, cause: error })
    throw error
  }
  // A directory opens fine for reading and only fails at read() with a bare EISDIR.
  if (!(await handle.stat()).isFile()) {
    await handle.close()
    throw new CorruptLogError(`${file} is not a regular file`, { path: file })
  }
  const damage = (kind: DamageKind, offset: number, length: number, message: string, line = pos.lines + 1) => {
    const d: Damage = { kind, line, offset, length, message }
    if (options.strict && kind !== 'torn-tail') {
      throw new CorruptLogError(`${file}:${line} (byte ${offset}): ${message}`, { path: file, line, offset })
    }
    state.damage.push(d)
  }

  // One line's bytes, without its newline, starting at byte `start` of the file.
  const takeLine = (bytes: Buffer, start: number, out: JournalEvent[]) => {
    let from = 0
    let to = bytes.length
    if (start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      damage('bom', 0, 3, 'byte-order mark before the header (ignored)')
      from = 3
    }
    if (to > from && bytes[to - 1] === 0x0d) {
      damage('crlf', start, bytes.length, 'line ends in \\r\\n (event kept)')
      to--
    }
    if (to === from) return damage('bad-json', start, bytes.length, 'empty line')
    if (bytes[from] === 0) return damage('nul', start, bytes.length, 'NUL bytes where a line should be')
    let event: unknown
    try {
      event = JSON.parse(bytes.toString('utf8', from, to))
    } catch (error) {
      return damage('bad-json', start, bytes.length, `not JSON: ${(error as Error).message}`)
    }
    const problem = eventProblem(event)
    if (problem) return damage('bad-event', start, bytes.length, problem)
    const e = event as JournalEvent
    if (pos.lines === 0) {
      if (e.type !== 'session' || e.seq !== 0) {
        damage('bad-header', start, bytes.length, `line 1 is a ${JSON.stringify(e.type)} event, not the session header`)
      } else if (options.expectId !== undefined && e.id !== options.expectId) {
        return damage('bad-header', start, bytes.length, `header belongs to session ${JSON.stringify(e.id)}, not ${options.expectId}`)
      }
    }
    if (e.seq <= pos.lastSeq) {
      return damage('seq-repeat', start, bytes.length, `seq ${e.seq} after ${pos.lastSeq}: duplicated or interleaved line (skipped)`)
    }
    if (e.seq !== pos.lastSeq + 1) {
      damage('seq-gap', start, bytes.length, `seq jumps from ${pos.lastSeq} to ${e.seq}: ${e.seq - pos.lastSeq - 1} line(s) missing`)
    }
    pos.lastSeq = e.seq
    out.push(e)
  }

  try {
    // A small log (the usual case when listing thousands) gets a small buffer, not 1 MiB of garbage.
    const remaining = (await handle.stat()).size - pos.offset
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(16 * 1024, remaining + 1)))
    let carry: Buffer[] = []
    let carryLen = 0
    let tooLong = false
    let fileOffset = pos.offset
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, fileOffset)
      if (bytesRead === 0) break
      const chunk = buf.subarray(0, bytesRead)
      const out: JournalEvent[] = []
      let at = 0
      while (at < bytesRead) {
        const nl = chunk.indexOf(10, at)
        if (nl === -1) {
          if (!tooLong) {
            carry.push(Buffer.from(chunk.subarray(at)))
            carryLen += bytesRead - at
            // Past the limit the line is only counted, never held: a 2 GB line costs no memory.
            if (carryLen > maxLine) { tooLong = true; carry = [] }
          } else {
            carryLen += bytesRead - at
          }
          break
        }
        const lineStart = pos.offset
        const length = carryLen + nl - at
        if (tooLong || length > maxLine) {
          damage('line-too-long', lineStart, length, `line of ${length} bytes exceeds maxLineBytes ${maxLine} (skipped)`)
        } else if (carryLen > 0) {
          carry.push(chunk.subarray(at, nl))
          takeLine(Buffer.concat(carry, length), lineStart, out)
        } else {
          takeLine(chunk.subarray(at, nl), lineStart, out)
        }
        carry = []
        carryLen = 0
        tooLong = false
        pos.offset = lineStart + length + 1
        pos.lines++
        at = nl + 1
      }
      fileOffset += bytesRead
      if (out.length > 0) yield out
    }
    if (carryLen > 0) {
      const allNul = !tooLong && carry.every(b => b.every(x => x === 0))
      damage('torn-tail', pos.offset, carryLen, allNul
        ? `${carryLen} NUL byte(s) after the last line (padding from a crash)`
        : `last line of ${carryLen} byte(s) has no newline: a write cut short (ignored)`)
    }
  } finally {
    await handle.close()
  }
}

/** All events of a log, one by one, header first. Damaged lines are skipped (or thrown, strict). */
export async function* readEvents(file: string, options: ScanOptions = {}, state?: ScanState): AsyncGenerator<JournalEvent> {
  const s = state ?? { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  for await (const batch of scanLog(file, s, options)) yield* batch
}
