/**
 * The viewer's HTML primitives: escaping, and clipping before escaping. A part
 * shows at most `textChars` of text and `toolLines`/`toolChars` of each tool
 * field, so no single part can make the page large; the rest is in the JSON.
 */

import { cutChars, jsonPretty } from '../core/json-line.js'
import type { JsonValue } from '../core/types.js'

export interface PartLimits {
  /** Characters of a text or reasoning part shown; default 100 000. */
  textChars: number
  /** Lines of a tool's input, output or error shown; default 50. */
  toolLines: number
  /** Characters of a tool's input, output or error shown; default 10 000. */
  toolChars: number
  /** Characters of text rendered as Markdown on one page (parsing is the page's dearest work); past them text shows as typed; default 1 MiB. */
  markdownChars: number
  /** Where the whole document is (the page links there for what it leaves out), if anywhere. */
  jsonHref?: string
}

export const DEFAULT_PART_LIMITS: PartLimits = { textChars: 100_000, toolLines: 50, toolChars: 10_000, markdownChars: 1024 * 1024 }

/** Names, times, types: short by nature, cut hard so a 16 MB "title" stays short too. */
const LABEL_CHARS = 300

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c] ?? c)
}

/** The first `chars` characters, never ending in half a surrogate pair. */
export const cut = cutChars

export function label(text: string): string {
  return escapeHtml(printable(text.length > LABEL_CHARS ? `${cut(text, LABEL_CHARS)}…` : text))
}

// Terminal colours and titles (whole CSI and OSC sequences): noise on a page, so they go. A lone ESC stays, as ␛.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/** Bidirectional embeddings and overrides: they reorder what a reader sees (a command shown as another). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g

/** Text without terminal escape sequences, other control characters shown as their symbols (␛, ␀), bidi controls as `\u202e`. */
export function printable(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, c => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)))
    .replace(BIDI, c => `\\u${c.charCodeAt(0).toString(16)}`)
}

/** "… 12 more lines" with a link to the JSON: what a clipped field says about the rest. */
export function moreNote(what: string, limits: PartLimits): string {
  const link = limits.jsonHref === undefined ? '' : ` <a href="${escapeHtml(limits.jsonHref)}">Everything is in the JSON.</a>`
  return `<div class="more">… ${escapeHtml(what)} not shown.${link}</div>`
}

/** A value as <pre>: strings as they are, the rest as pretty JSON; at most toolLines lines and toolChars characters. */
export function clipped(value: JsonValue, limits: PartLimits): string {
  let text: string
  let whole: boolean
  if (typeof value === 'string') {
    text = cut(value, limits.toolChars)
    whole = text.length === value.length
  } else {
    ({ text, whole } = jsonPretty(value, limits.toolChars))
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
    return `${pre(text.slice(0, end))}${moreNote(`${count(more + 1)} more ${more === 0 ? 'line' : 'lines'}`, limits)}`
  }
  if (end !== -1) return `${pre(text.slice(0, end))}${moreNote('the rest', limits)}`
  if (!whole) {
    const what = typeof value === 'string' ? `${count(value.length - text.length)} more characters` : 'the rest'
    return `${pre(text)}${moreNote(what, limits)}`
  }
  return pre(text)
}

const pre = (text: string): string => `<pre>${escapeHtml(printable(text))}</pre>`

export function count(n: number): string {
  return n.toLocaleString('en-US')
}

export function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function stringField(object: { [key: string]: JsonValue }, key: string): string | undefined {
  const value = object[key]
  return typeof value === 'string' ? value : undefined
}
