/**
 * What every file-based peer needs: finding its files (files, folders, simple globs), a
 * fingerprint, JSON lines read with each problem located, and ids made safe to store.
 * Pure readers: nothing here writes.
 */
import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { isNotFound } from '../core/errors.js'
import type { ImportProblem, PeerUnit } from './peer.js'

/** A source line longer than this is reported and skipped (the journal's own line limit is 32 MiB). */
export const MAX_SOURCE_LINE = 16 * 1024 * 1024
/** A record nesting deeper than this is reported and skipped: the journal refuses events past 1000. */
export const MAX_RECORD_DEPTH = 200
/** Ids longer than this (the journal takes 256) are replaced by a hash of themselves. */
const MAX_ID = 200

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A stable id from a tool's own id: kept when it is a short string, else a hash of it. */
export function safeId(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length === 0) return fallback
  if (value.length <= MAX_ID) return value
  return `h-${createHash('sha256').update(value).digest('hex').slice(0, 32)}`
}

/** An ISO time from a source field, or undefined when it is not one. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

/** Walks iteratively (a hostile record cannot overflow the stack): true past `max` levels. */
export function nestsDeeper(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return true
    for (const child of Object.values(v)) stack.push([child, depth + 1])
  }
  return false
}

/** One line of a source: its record, or (`value` absent) its text when it could not be read. */
export type SourceLine = { line: number, value: unknown } | { line: number, text: string | null }

export interface SourceLines {
  /** In order; a torn last line is not among them. */
  lines: SourceLine[]
  problems: ImportProblem[]
}

export function isReadable(line: SourceLine): line is { line: number, value: unknown } {
  return 'value' in line
}

/**
 * JSON lines, each located. A last line without its newline that does not parse is a write
 * in progress: reported, not kept. Other bad lines are reported and handed back with their
 * text (null when too long or too deep to keep).
 */
export function parseLines(file: string, buffer: Buffer): SourceLines {
  const out: SourceLines = { lines: [], problems: [] }
  const bad = (line: number, message: string, text: string | null) => {
    out.problems.push({ path: file, line, message })
    out.lines.push({ line, text })
  }
  let start = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0
  for (let line = 1; start < buffer.length; line++) {
    let end = buffer.indexOf(0x0a, start)
    const torn = end === -1
    if (torn) end = buffer.length
    const from = start
    start = end + 1
    if (end - from > MAX_SOURCE_LINE) {
      bad(line, `line of ${end - from} bytes is longer than ${MAX_SOURCE_LINE}: skipped`, null)
      continue
    }
    const text = buffer.toString('utf8', from, end).replace(/\r$/, '')
    if (text.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      if (torn) out.problems.push({ path: file, line, message: 'truncated last line: not imported' })
      else bad(line, 'not JSON: kept as text', text)
      continue
    }
    if (nestsDeeper(value, MAX_RECORD_DEPTH)) bad(line, `record nests deeper than ${MAX_RECORD_DEPTH} levels: skipped`, null)
    else out.lines.push({ line, value })
  }
  return out
}

/** Problems in the order of the lines they are about (parsing and mapping find them in two passes). */
export function byLine(problems: ImportProblem[]): ImportProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
}

/** Size and modification time: what changes when a tool appends or rewrites. */
export async function fingerprintOf(file: string): Promise<string> {
  const s = await stat(file)
  return `${s.size}:${Math.trunc(s.mtimeMs)}`
}

/** The same for a side file the import reads too; '-' when it does not exist. */
export async function fingerprintOrNone(file: string): Promise<string> {
  try {
    return await fingerprintOf(file)
  } catch (error) {
    if (isNotFound(error)) return '-'
    throw error
  }
}

/** Inline data up to this size (base64 characters) is kept as a data URL; larger is named, not kept. */
export const MAX_INLINE_DATA = 64 * 1024

/** A file part for inline base64 data: a data URL when small, else a placeholder naming the size. */
export function inlineFilePart(id: string, mime: string, base64: string): Record<string, unknown> & { id: string, type: string } {
  if (base64.length <= MAX_INLINE_DATA) return { id, type: 'file', mime, url: `data:${mime};base64,${base64}` }
  const bytes = Math.floor(base64.length * 3 / 4)
  return { id, type: 'file', mime, filename: `(${mime}, ${bytes} bytes, not imported)` }
}

/** A tool's arguments: the JSON a string holds, or the string itself when it is not JSON. */
export function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? {}
  try {
    const parsed: unknown = JSON.parse(value)
    return nestsDeeper(parsed, MAX_RECORD_DEPTH) ? value : parsed
  } catch {
    return value
  }
}

const GLOB = /[*?[]/

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c
  }
  return new RegExp(`^${re}$`)
}

async function walk(dir: string, into: string[]): Promise<void> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if (isNotFound(error)) return
    throw error
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) await walk(full, into)
    else if (entry.isFile()) into.push(full)
  }
}

/**
 * Files named directly are taken whatever their name; folders are searched recursively and
 * globs (`*`, `**`, `?`) matched, keeping what `wanted` accepts. Missing paths are skipped.
 */
export async function discoverFiles(paths: string[], wanted: (file: string) => boolean): Promise<PeerUnit[]> {
  const files: string[] = []
  for (const given of paths) {
    const absolute = path.resolve(given)
    if (GLOB.test(given)) {
      const parts = absolute.split(path.sep)
      const first = parts.findIndex(p => GLOB.test(p))
      const base = parts.slice(0, first).join(path.sep) || path.sep
      const pattern = globToRegExp(parts.slice(first).join('/'))
      const found: string[] = []
      await walk(base, found)
      files.push(...found.filter(f => pattern.test(path.relative(base, f).split(path.sep).join('/'))))
      continue
    }
    let s
    try {
      s = await stat(absolute)
    } catch (error) {
      if (isNotFound(error)) continue
      throw error
    }
    if (s.isFile()) files.push(absolute)
    else if (s.isDirectory()) {
      const found: string[] = []
      await walk(absolute, found)
      files.push(...found.filter(wanted))
    }
  }
  const units: PeerUnit[] = []
  for (const file of new Set(files)) units.push({ path: file, fingerprint: await fingerprintOf(file) })
  return units
}
