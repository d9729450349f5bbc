/**
 * Reading other tools' JSON Lines files, for every peer alike: each line parsed on its own with
 * its 1-based number; what cannot be parsed (a torn last line, a line that is not JSON, one
 * past the size limit, NUL padding) becomes a problem with path and line, and the rest is read.
 * A file that is not there is ENOENT (the caller decides); one that is not a regular file is
 * InvalidImportError.
 */
import fs from 'node:fs/promises'
import { InvalidImportError } from '../core/errors.js'
import type { ImportProblem } from './peer.js'

export interface JsonLine {
  /** 1-based. */
  line: number
  value: unknown
}

export interface JsonLinesOptions {
  /** Longer lines are skipped (and reported) without being held in memory. Default 64 MiB. */
  maxLineBytes?: number
}

const CHUNK = 1024 * 1024
export const MAX_IMPORT_LINE_BYTES = 64 * 1024 * 1024

export async function readJsonLines(file: string, problems: ImportProblem[], options: JsonLinesOptions = {}): Promise<JsonLine[]> {
  const max = options.maxLineBytes ?? MAX_IMPORT_LINE_BYTES
  const handle = await fs.open(file, 'r')
  const out: JsonLine[] = []
  try {
    if (!(await handle.stat()).isFile()) throw new InvalidImportError(`${file} is not a regular file`, { path: file })
    const buf = Buffer.allocUnsafe(CHUNK)
    let carry: Buffer[] = []
    let carryLen = 0
    let line = 0
    // Past the limit a line is only counted, never held: a 2 GB line costs no memory.
    const append = (bytes: Buffer) => {
      carryLen += bytes.length
      if (carryLen <= max) carry.push(Buffer.from(bytes))
      else carry = []
    }
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null)
      if (bytesRead === 0) break
      const chunk = buf.subarray(0, bytesRead)
      for (let at = 0; ;) {
        const nl = chunk.indexOf(10, at)
        if (nl === -1) {
          append(chunk.subarray(at))
          break
        }
        append(chunk.subarray(at, nl))
        take(file, ++line, carry, carryLen, max, out, problems, false)
        carry = []
        carryLen = 0
        at = nl + 1
      }
    }
    if (carryLen > 0) take(file, line + 1, carry, carryLen, max, out, problems, true)
  } finally {
    await handle.close()
  }
  return out
}

function take(file: string, line: number, carry: Buffer[], length: number, max: number, out: JsonLine[], problems: ImportProblem[], last: boolean): void {
  if (length > max) {
    problems.push({ path: file, line, message: `line of ${length} bytes is longer than ${max} (skipped)` })
    return
  }
  let text = Buffer.concat(carry, length).toString('utf8')
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (text.endsWith('\r')) text = text.slice(0, -1)
  if (text.trim() === '') return
  if (/^\0+$/.test(text)) {
    problems.push({ path: file, line, message: `${length} NUL byte(s) where a line should be (skipped)` })
    return
  }
  try {
    out.push({ line, value: JSON.parse(text) })
  } catch (error) {
    // A last line that does not parse is a write cut short (the tool was still writing, or died).
    const why = last ? 'last line is cut short (no newline, not JSON)' : `not JSON: ${(error as Error).message}`
    problems.push({ path: file, line, message: `${why} (skipped)` })
  }
}
