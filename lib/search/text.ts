/**
 * What search indexes of a message: the words a person would look for in its final parts.
 * A message's text is one segment per part, in order: the part's searchable text followed by
 * a space, or nothing when it has none. The index keeps each segment's length per part id,
 * so a later update of one part replaces that segment without the other parts' JSON.
 */
import type { JsonValue, Part } from '../core/types.js'

/** The fields a tool part names its tool, input and output with (hosts differ: OpenCode, Claude Code, Codex). */
const TOOL_NAME = ['tool', 'name', 'toolName']
const TOOL_INPUT = ['input', 'args', 'arguments']
const TOOL_OUTPUT = ['output', 'result', 'error']
const FILE_FIELDS = ['filename', 'path', 'file', 'files']

/**
 * Control characters (C0 and C1: newlines, tabs, escape sequences, NUL) and the line and
 * paragraph separators become spaces: they separate words for the tokenizer anyway, a
 * snippet can be printed as it is, and the search's highlight markers (U+0001, U+0002) can
 * never occur in indexed text. Lone surrogates become U+FFFD, as SQLite's UTF-8 stores them.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

export function clean(text: string): string {
  const spaced = text.replace(CONTROL, ' ')
  return (spaced as unknown as { toWellFormed(): string }).toWellFormed()
}

/** A part's searchable text, cleaned, followed by a space; '' when it has none. */
export function segment(part: Part): string {
  const text = clean(partText(part)).trim()
  return text === '' ? '' : `${text} `
}

/** The text indexed for a message with these parts (what a fold of the log shows). */
export function messageText(parts: readonly Part[]): string {
  let text = ''
  for (const part of parts) text += segment(part)
  return text
}

/**
 * Text and reasoning as written; for a tool, its name, input and output (keys and values,
 * strings as written: not JSON-escaped, so a line of a file a tool wrote is findable); file
 * names and paths; a URL unless it is a data: URL (base64 is not words).
 */
export function partText(part: Part): string {
  const p = part as Record<string, JsonValue | undefined>
  const state = isObject(p.state) ? p.state : {}
  const pieces: string[] = []
  if (typeof p.text === 'string') pieces.push(p.text)
  for (const key of TOOL_NAME) {
    const name = p[key]
    if (typeof name === 'string') pieces.push(name)
  }
  for (const key of TOOL_INPUT) flatten(p[key], pieces)
  flatten(state.input, pieces)
  if (typeof state.title === 'string') pieces.push(state.title)
  for (const key of TOOL_OUTPUT) flatten(p[key], pieces)
  flatten(state.output, pieces)
  flatten(state.error, pieces)
  for (const key of FILE_FIELDS) flatten(p[key], pieces)
  if (typeof p.url === 'string' && !p.url.startsWith('data:')) pieces.push(p.url)
  return pieces.join(' ')
}

function flatten(value: JsonValue | undefined, out: string[]): void {
  if (value === undefined || value === null) return
  if (typeof value === 'string') out.push(value)
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value))
  else if (Array.isArray(value)) for (const item of value) flatten(item, out)
  else {
    for (const [key, item] of Object.entries(value)) {
      out.push(key)
      flatten(item, out)
    }
  }
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
