/**
 * One part of a message as HTML, for the viewer page (viewer.ts). Every string
 * from the document goes through escapeHtml(), after it was clipped: a part
 * shows at most `textChars` of text and `toolLines`/`toolChars` of each tool
 * field, so no single part can make the page large; the rest is in the JSON.
 */

import type { JsonValue, Part } from '../core/types.js'

export interface PartLimits {
  /** Characters of a text or reasoning part shown; default 100 000. */
  textChars: number
  /** Lines of a tool's input, output or error shown; default 50. */
  toolLines: number
  /** Characters of a tool's input, output or error shown; default 10 000. */
  toolChars: number
  /** Where the whole document is (the page links there for what it leaves out), if anywhere. */
  jsonHref?: string
}

export const DEFAULT_PART_LIMITS: PartLimits = { textChars: 100_000, toolLines: 50, toolChars: 10_000 }

/** Names, times, types: short by nature, cut hard so a 16 MB "title" stays short too. */
const LABEL_CHARS = 300

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c] ?? c)
}

/** The first `chars` characters, never ending in half a surrogate pair. */
export function cut(text: string, chars: number): string {
  if (text.length <= chars) return text
  const code = text.charCodeAt(chars - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? chars - 1 : chars)
}

export function label(text: string): string {
  return escapeHtml(text.length > LABEL_CHARS ? `${cut(text, LABEL_CHARS)}…` : text)
}

/** "… 12 more lines" with a link to the JSON: what a clipped field says about the rest. */
export function moreNote(what: string, limits: PartLimits): string {
  const link = limits.jsonHref === undefined ? '' : ` <a href="${escapeHtml(limits.jsonHref)}">Everything is in the JSON.</a>`
  return `<div class="more">… ${escapeHtml(what)} not shown.${link}</div>`
}

export function renderPart(part: Part, limits: PartLimits): string {
  switch (part.type) {
    case 'text': return renderLongText(stringField(part, 'text') ?? '', limits)
    case 'reasoning':
      return `<details class="reasoning"><summary>Reasoning</summary><div class="body">${renderLongText(stringField(part, 'text') ?? '', limits)}</div></details>`
    case 'tool': return renderTool(part, limits)
    case 'file': return renderFile(part)
    default:
      return `<details class="other"><summary>${label(part.type)} part</summary>${clipped(part, limits)}</details>`
  }
}

function renderLongText(text: string, limits: PartLimits): string {
  if (text.length <= limits.textChars) return renderText(text)
  return renderText(cut(text, limits.textChars)) + moreNote(`${count(text.length - limits.textChars)} more characters`, limits)
}

/** Tool parts come in a few host shapes: fields on the part, or under `state` (opencode style). */
function renderTool(part: Part, limits: PartLimits): string {
  const state = isObject(part.state) ? part.state : {}
  const name = stringField(part, 'tool') ?? stringField(part, 'name') ?? stringField(part, 'toolName') ?? 'tool'
  const status = stringField(state, 'status') ?? stringField(part, 'status')
  const input = state.input ?? part.input ?? part.args
  const output = state.output ?? part.output ?? part.result
  const error = state.error ?? part.error
  const statusHtml = status === undefined ? '' : ` · <span class="status${status === 'error' ? ' error' : ''}">${label(status)}</span>`
  const sections = [
    input === undefined ? '' : `<div class="label">input</div>${clipped(input, limits)}`,
    output === undefined ? '' : `<div class="label">output</div>${clipped(output, limits)}`,
    error === undefined ? '' : `<div class="label">error</div>${clipped(error, limits)}`,
  ].join('')
  return `<details class="tool"><summary>Tool <code>${label(name)}</code>${statusHtml}</summary>${sections || '<p class="muted">No details.</p>'}</details>`
}

function renderFile(part: Part): string {
  const name = stringField(part, 'filename') ?? stringField(part, 'name') ?? stringField(part, 'path') ?? stringField(part, 'url') ?? 'unnamed file'
  const mime = stringField(part, 'mime') ?? stringField(part, 'mediaType')
  return `<div class="file"><span class="label">file</span>${label(name)}${mime === undefined ? '' : ` <span class="muted">(${label(mime)})</span>`}</div>`
}

/** A value as <pre>: strings as they are, the rest as pretty JSON; at most toolLines lines and toolChars characters. */
function clipped(value: JsonValue, limits: PartLimits): string {
  let text: string
  let whole: boolean
  if (typeof value === 'string') {
    text = cut(value, limits.toolChars)
    whole = text.length === value.length
  } else {
    ({ text, whole } = prettyJson(value, limits.toolChars))
  }
  let end = -1
  for (let lines = 0; lines < limits.toolLines; lines++) {
    end = text.indexOf('\n', end + 1)
    if (end === -1) break
  }
  if (end === text.length - 1 && whole) end = -1 // a last newline is not a line of its own
  if (end !== -1 && typeof value === 'string') {
    // Count what is left in the whole string, not only in the clipped text.
    let more = 0
    for (let at = value.indexOf('\n', end + 1); at !== -1; at = value.indexOf('\n', at + 1)) more++
    return `<pre>${escapeHtml(text.slice(0, end))}</pre>${moreNote(`${count(more + 1)} more ${more === 0 ? 'line' : 'lines'}`, limits)}`
  }
  if (end !== -1) return `<pre>${escapeHtml(text.slice(0, end))}</pre>${moreNote('the rest', limits)}`
  if (!whole) {
    const what = typeof value === 'string' ? `${count(value.length - text.length)} more characters` : 'the rest'
    return `<pre>${escapeHtml(text)}</pre>${moreNote(what, limits)}`
  }
  return `<pre>${escapeHtml(text)}</pre>`
}

/**
 * JSON.stringify(value, null, 2), but it stops once past `max` characters: a
 * large or wide value costs at most `max` characters of work and memory, not
 * its whole pretty-printed size (deep indentation can make that far larger than the document).
 */
export function prettyJson(value: unknown, max: number): { text: string, whole: boolean } {
  let out = ''
  const full = Symbol('full')
  const emit = (piece: string): void => {
    out += piece
    if (out.length > max) throw full
  }
  const walk = (v: unknown, indent: string): void => {
    if (typeof v === 'string') {
      // A long string is cut before it is escaped, so it never costs more than the budget.
      return emit(JSON.stringify(v.length > max ? cut(v, max) : v))
    }
    if (v === null || typeof v !== 'object') return emit(JSON.stringify(v) ?? 'null')
    const inner = `${indent}  `
    if (Array.isArray(v)) {
      if (v.length === 0) return emit('[]')
      emit('[')
      v.forEach((item: unknown, i) => {
        emit(`${i === 0 ? '' : ','}\n${inner}`)
        walk(item === undefined || typeof item === 'function' ? null : item, inner)
      })
      return emit(`\n${indent}]`)
    }
    const entries = Object.entries(v).filter(([, item]) => item !== undefined && typeof item !== 'function')
    if (entries.length === 0) return emit('{}')
    emit('{')
    entries.forEach(([key, item], i) => {
      emit(`${i === 0 ? '' : ','}\n${inner}${JSON.stringify(key)}: `)
      walk(item, inner)
    })
    emit(`\n${indent}}`)
  }
  try {
    walk(value, '')
    return { text: out, whole: true }
  } catch (error) {
    if (error === full) return { text: cut(out, max), whole: false }
    // Deeper than the stack allows (the server refuses such documents; a host calling the viewer may not).
    if (error instanceof RangeError) return { text: '[value too deeply nested to show]', whole: false }
    throw error
  }
}

/**
 * Plain text with fenced code blocks (``` or ~~~) as <pre><code>, paragraphs
 * split on blank lines, `inline code` as <code>. Not a Markdown renderer: the
 * rest stays as typed, which is what a reader of a chat log expects.
 */
export function renderText(text: string): string {
  const out: string[] = []
  const lines = text.split(/\r?\n/)
  let prose: string[] = []
  const flush = (): void => {
    const paragraphs = prose.join('\n').split(/\n[ \t]*\n/).filter(p => p.trim() !== '')
    for (const paragraph of paragraphs) out.push(`<p>${renderInline(paragraph.replace(/^\n+|\n+$/g, ''))}</p>`)
    prose = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line)
    if (open === null) {
      prose.push(line)
      continue
    }
    flush()
    const fence = open[1] ?? '```'
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    const code: string[] = []
    for (i++; i < lines.length && !closing.test(lines[i] ?? ''); i++) code.push(lines[i] ?? '')
    const lang = open[2] ?? ''
    if (lang !== '') out.push(`<div class="lang">${label(lang)}</div>`)
    out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`)
  }
  flush()
  return out.join('\n')
}

function renderInline(text: string): string {
  return text.split(/(`[^`\n]+`)/).map((piece, index) =>
    index % 2 === 1 ? `<code>${escapeHtml(piece.slice(1, -1))}</code>` : escapeHtml(piece),
  ).join('')
}

export function count(n: number): string {
  return n.toLocaleString('en-US')
}

export function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField(object: { [key: string]: JsonValue }, key: string): string | undefined {
  const value = object[key]
  return typeof value === 'string' ? value : undefined
}
