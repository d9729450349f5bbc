/**
 * Bytes -> lines -> checked events, the part of reading that is the same whether the bytes
 * come from an async stream of chunks (scanLog) or one synchronous read (scanLogSync).
 */
import { CorruptLogError } from './errors.js'
import { eventProblem } from './event.js'
import type { ScanOptions, ScanPosition, ScanState } from './reader.js'
import type { DamageKind, JournalEvent } from './types.js'

export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024

/**
 * Where checked events go, one by one as their lines are parsed: an array (a batch), or a
 * fold, which then holds no chunk's worth of events at once (read() folds this way).
 */
export interface EventSink {
  push(event: JournalEvent): unknown
}

/** Bytes in, checked events out: splits on newlines, carries a partial line to the next chunk, reports damage. */
export class LineScanner {
  readonly pos: ScanPosition
  private readonly maxLine: number
  private carry: Buffer[] = []
  private carryLen = 0
  private tooLong = false

  constructor(private readonly file: string, private readonly state: ScanState, private readonly options: ScanOptions) {
    this.maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.pos = state.position = { ...(options.from ?? { offset: 0, lines: 0, lastSeq: -1 }) }
  }

  /** Pushes the events of the lines `buf[0, bytesRead)` completes into `out`; the bytes may be reused after. */
  feed(buf: Buffer, bytesRead: number, out: EventSink): void {
    const { pos, maxLine } = this
    const chunk = buf.subarray(0, bytesRead)
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
        this.takeLine(Buffer.concat(this.carry, length), 0, length, lineStart, out)
      } else {
        // Indices, not a subarray: a Buffer view per line was measurable garbage.
        this.takeLine(chunk, at, nl, lineStart, out)
      }
      if (this.carryLen > 0) {
        this.carry = []
        this.carryLen = 0
        this.tooLong = false
      }
      pos.offset = lineStart + length + 1
      pos.lines++
      at = nl + 1
    }
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

  // One line's bytes `buf[lineFrom, lineTo)`, without its newline, starting at byte `start` of the file.
  private takeLine(buf: Buffer, lineFrom: number, lineTo: number, start: number, out: EventSink): void {
    const { pos, options } = this
    const length = lineTo - lineFrom
    let from = lineFrom
    let to = lineTo
    if (start === 0 && length >= 3 && buf[from] === 0xef && buf[from + 1] === 0xbb && buf[from + 2] === 0xbf) {
      this.damage('bom', 0, 3, 'byte-order mark before the header (ignored)')
      from += 3
    }
    if (to > from && buf[to - 1] === 0x0d) {
      this.damage('crlf', start, length, 'line ends in \\r\\n (event kept)')
      to--
    }
    if (to === from) return this.damage('bad-json', start, length, 'empty line')
    if (buf[from] === 0) return this.damage('nul', start, length, 'NUL bytes where a line should be')
    let event: unknown
    try {
      event = JSON.parse(buf.toString('utf8', from, to))
    } catch (error) {
      return this.damage('bad-json', start, length, `not JSON: ${(error as Error).message}`)
    }
    const problem = eventProblem(event)
    if (problem) return this.damage('bad-event', start, length, problem)
    const e = event as JournalEvent
    if (pos.lines === 0) {
      if (e.type !== 'session' || e.seq !== 0) {
        this.damage('bad-header', start, length, `line 1 is a ${JSON.stringify(e.type)} event, not the session header`)
      } else if (options.expectId !== undefined && e.id !== options.expectId) {
        return this.damage('bad-header', start, length, `header belongs to session ${JSON.stringify(e.id)}, not ${options.expectId}`)
      }
    }
    if (e.seq <= pos.lastSeq) {
      return this.damage('seq-repeat', start, length, `seq ${e.seq} after ${pos.lastSeq}: duplicated or interleaved line (skipped)`)
    }
    if (e.seq !== pos.lastSeq + 1) {
      this.damage('seq-gap', start, length, `seq jumps from ${pos.lastSeq} to ${e.seq}: ${e.seq - pos.lastSeq - 1} line(s) missing`)
    }
    pos.lastSeq = e.seq
    out.push(e)
  }
}
