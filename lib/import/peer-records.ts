/**
 * What the Codex and Gemini CLI peers share beyond files.ts and jsonl.ts: records read with
 * their nesting bounded, and the values taken from them made safe to store (ids, times, tool
 * arguments, inline files). Pure readers: nothing here writes.
 */
import { createHash } from 'node:crypto'
import { isNotFound } from '../core/errors.js'
import { fileFingerprint } from './files.js'
import { readJsonLines, type JsonLine } from './jsonl.js'
import { MAX_INLINE_BYTES, type ImportProblem } from './peer.js'

/**
 * A record nesting deeper than this is reported and skipped: the journal refuses events past
 * 1000 levels, and a tool's own records are a few dozen deep at most.
 */
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

/** The file's JSON lines (jsonl.ts), less the records nested past MAX_RECORD_DEPTH, each reported. */
export async function readRecords(file: string, problems: ImportProblem[]): Promise<JsonLine[]> {
  const lines = await readJsonLines(file, problems)
  return lines.filter(({ line, value }) => {
    if (!nestsDeeper(value, MAX_RECORD_DEPTH)) return true
    problems.push({ path: file, line, message: `record nests deeper than ${MAX_RECORD_DEPTH} levels (skipped)` })
    return false
  })
}

/** Problems in the order of the lines they are about (reading and mapping find them in two passes). */
export function byLine(problems: ImportProblem[]): ImportProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
}

/** A side file's fingerprint, '-' when it does not exist. */
export async function fingerprintOrNone(file: string): Promise<string> {
  try {
    return await fileFingerprint(file)
  } catch (error) {
    if (isNotFound(error)) return '-'
    throw error
  }
}

type FilePart = { id: string, type: 'file', mime: string, url?: string, size?: number }

/** A file part for base64 data: a data URL up to MAX_INLINE_BYTES decoded, else its size and no url. */
export function inlineFilePart(id: string, mime: string, base64: string): FilePart {
  // Padding counted by hand: /=+$/ backtracks from every run of '=' (quadratic on hostile data).
  let end = base64.length
  while (end > 0 && base64.charCodeAt(end - 1) === 61) end--
  const size = Math.floor(end * 3 / 4)
  return size <= MAX_INLINE_BYTES ? { id, type: 'file', mime, url: `data:${mime};base64,${base64}` } : { id, type: 'file', mime, size }
}

/** A part for a data URL (or any URL): kept when small, else its size and no url. */
export function urlFilePart(id: string, url: string, fallbackMime: string): FilePart {
  const data = /^data:([^;,]{1,100})?(;base64)?,/.exec(url)
  const mime = data?.[1] ?? fallbackMime
  if (data === null) return { id, type: 'file', mime, url }
  const payload = url.length - data[0].length
  const size = data[2] ? Math.floor(payload * 3 / 4) : payload
  return size <= MAX_INLINE_BYTES ? { id, type: 'file', mime, url } : { id, type: 'file', mime, size }
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
