/**
 * Opening an existing log for append without reading it whole: the head (to check it is this
 * session's log) and the tail (to learn the last seq and find a torn last line). A torn tail
 * is set aside, raw, into a side file before anything is appended, so new lines never glue
 * onto garbage and the torn bytes are kept for whoever wants to look at them.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { CorruptLogError, isErrnoException } from './errors.js'
import { eventProblem } from './event.js'
import { syncDir } from './files.js'
import { FILE_MODE } from './paths.js'
import type { JournalEvent } from './types.js'

const BLOCK = 64 * 1024
/** How many damaged lines at the end resume steps over before it falls back to a full scan. */
const MAX_BAD_TAIL_LINES = 64

export interface Tail {
  /** Bytes of whole lines: where appends go once the torn tail is set aside. */
  end: number
  /** seq of the last good line, -1 when there is none. */
  lastSeq: number
  /** The first line, parsed, when it is a good event. */
  head: JournalEvent | undefined
  torn: { offset: number, length: number } | null
}

/** Offset just after the last `\n` before `end`, or 0: reads backwards a block at a time. */
async function lineStartBefore(handle: fs.FileHandle, end: number): Promise<number> {
  const buf = Buffer.allocUnsafe(BLOCK)
  let to = end
  while (to > 0) {
    const from = Math.max(0, to - BLOCK)
    const { bytesRead } = await handle.read(buf, 0, to - from, from)
    const nl = buf.subarray(0, bytesRead).lastIndexOf(10)
    if (nl !== -1) return from + nl + 1
    to = from
  }
  return 0
}

/** Offset of the first `\n` before `limit`, or -1: reads forwards a block at a time, not `limit` bytes at once. */
async function lineEndBefore(handle: fs.FileHandle, limit: number): Promise<number> {
  const buf = Buffer.allocUnsafe(BLOCK)
  let from = 0
  while (from < limit) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(BLOCK, limit - from), from)
    if (bytesRead === 0) break
    const nl = buf.subarray(0, bytesRead).indexOf(10)
    if (nl !== -1) return from + nl
    from += bytesRead
  }
  return -1
}

async function readRange(handle: fs.FileHandle, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(end - start)
  let done = 0
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, start + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return buf.subarray(0, done)
}

function parseEvent(bytes: Buffer): JournalEvent | undefined {
  try {
    const e: unknown = JSON.parse(bytes.toString('utf8'))
    return eventProblem(e) === undefined ? e as JournalEvent : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads the head and the tail of a log. `fullScanSeq` is asked for the last seq only when the
 * last many lines are all damaged (then reading everything is the only honest answer).
 */
export async function readTail(handle: fs.FileHandle, size: number, maxLineBytes: number,
  fullScanSeq: () => Promise<number>): Promise<Tail> {
  if (size === 0) return { end: 0, lastSeq: -1, head: undefined, torn: null }
  const lastByte = await readRange(handle, size - 1, size)
  const end = lastByte[0] === 10 ? size : await lineStartBefore(handle, size)
  const torn = end < size ? { offset: end, length: size - end } : null

  let head: JournalEvent | undefined
  if (end > 0) {
    const firstEnd = await lineEndBefore(handle, Math.min(end, maxLineBytes + 1))
    if (firstEnd !== -1) head = parseEvent(await readRange(handle, 0, firstEnd))
  }

  // The largest seq among the whole lines of the last block: a damaged last line that still
  // parses with a smaller seq must not make new events reuse seqs already in the log.
  const blockStart = Math.max(0, end - BLOCK)
  const block = end > 0 ? await readRange(handle, blockStart, end) : Buffer.alloc(0)
  let maxSeq = -1
  for (let stop = block.length - 1; stop > 0;) {
    const nl = block.lastIndexOf(10, stop - 1)
    if (nl === -1 && blockStart > 0) break // the first line of the block may be cut: not whole
    const event = parseEvent(block.subarray(nl + 1, stop))
    if (event && event.seq > maxSeq) maxSeq = event.seq
    if (nl === -1) break
    stop = nl
  }
  if (maxSeq >= 0) return { end, lastSeq: maxSeq, head, torn }

  let lineEnd = end
  for (let i = 0; i < MAX_BAD_TAIL_LINES && lineEnd > 0; i++) {
    const start = await lineStartBefore(handle, lineEnd - 1)
    const event = lineEnd - 1 - start <= maxLineBytes ? parseEvent(await readRange(handle, start, lineEnd - 1)) : undefined
    if (event) return { end, lastSeq: event.seq, head, torn }
    lineEnd = start
  }
  return { end, lastSeq: lineEnd === 0 ? -1 : await fullScanSeq(), head, torn }
}

/**
 * Copies the torn bytes to a side file (`<log>.torn-<offset>`, 0600, synced), then cuts them off the log.
 * Returns the side file's name. The copy is made before the cut, so a crash in between
 * leaves both, never neither.
 */
export async function setTornAside(handle: fs.FileHandle, logPath: string, torn: { offset: number, length: number },
  sideFile: (attempt: number) => string): Promise<string> {
  let side = sideFile(0)
  let out: fs.FileHandle
  for (let n = 1; ; n++) {
    try {
      out = await fs.open(side, 'wx', FILE_MODE)
      break
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST' || n > 100) throw error
      side = sideFile(n)
    }
  }
  try {
    for (let at = torn.offset; at < torn.offset + torn.length; at += BLOCK) {
      const bytes = await readRange(handle, at, Math.min(at + BLOCK, torn.offset + torn.length))
      await out.write(bytes)
    }
    await out.sync()
  } finally {
    await out.close()
  }
  await syncDir(path.dirname(logPath))
  await handle.truncate(torn.offset)
  await handle.sync()
  return path.basename(side)
}

/** Resume refuses a log whose header names another session: appending would mix two sessions. */
export function assertOwnHeader(head: JournalEvent | undefined, id: string, logPath: string): void {
  if (head && head.type === 'session' && (head as { id?: unknown }).id !== id) {
    throw new CorruptLogError(`${logPath} holds the header of session ${JSON.stringify((head as { id?: unknown }).id)}, not ${id}`,
      { id, path: logPath, line: 1, offset: 0 })
  }
}
