/**
 * A tool call on the viewer page: one line a reader can scan (the tool, what it ran,
 * status, duration), a failure's error text in plain sight, and the input and output
 * behind the line, clipped like every tool field. The fields are core's `toolPart()`
 * (every host's spelling, one precedence rule) and the line's "what it ran" core's
 * `toolSummary()`, as the markdown export and the CLI print them.
 */

import type { ToolPart } from '../core/tool-part.js'
import { toolSummary } from '../core/tool-what.js'
import type { JsonValue } from '../core/types.js'
import { clipped, count, cut, escapeHtml, label, printable, type PartLimits } from './viewer-html.js'

/** The summary line says what ran in at most this many characters (the input behind it has all of it). */
const WHAT_CHARS = 160

const STATUSES = new Set(['pending', 'running', 'completed', 'error'])

/** A part `toolPart()` read. */
export function renderTool(tool: ToolPart, limits: PartLimits): string {
  const { name, status, error } = tool
  // The part is JSON (a document's), so its fields are too.
  const input = tool.input as JsonValue | undefined
  const output = tool.output as JsonValue | undefined
  const what = toolSummary(tool)
  const duration = elapsed(tool.start, tool.end)
  const line = [
    `<span class="tool-name">${label(name)}</span>${what === undefined ? '' : ` <code class="tool-what">${escapeHtml(printable(oneLine(what)))}</code>`}`,
    status === undefined ? '' : `<span class="status${STATUSES.has(status) ? ` ${status}` : ''}">${label(status)}</span>`,
    duration === undefined ? '' : `<span class="duration">${duration}</span>`,
  ].filter(Boolean).join(' · ')
  const sections = [
    input === undefined ? '' : `<div class="label">input</div>${clipped(input, limits)}`,
    output === undefined ? '' : `<div class="label">output</div>${clipped(output, limits)}`,
  ].join('')
  const shown = error === undefined ? '' : `<div class="tool-error">${clipped(error, limits)}</div>`
  return `<div class="tool${status === 'error' ? ' failed' : ''}"><details><summary>${line}</summary>` +
    `${sections || '<p class="muted">No input or output.</p>'}</details>${shown}</div>`
}

/** The first line, spaces collapsed, cut to WHAT_CHARS; "…" when anything was left out. */
function oneLine(text: string): string {
  const head = cut(text.trim(), WHAT_CHARS * 4)
  const first = head.split('\n', 1)[0]!.replace(/\s+/g, ' ').trim()
  const short = first.length > WHAT_CHARS ? cut(first, WHAT_CHARS) : first
  return short.length < text.trim().length ? `${short}…` : short
}

/** From a call's start to its end (epoch milliseconds), as "340 ms", "1.2 s", "2 min 5 s". */
export function elapsed(start: number | undefined, end: number | undefined): string | undefined {
  if (start === undefined || end === undefined) return undefined
  const ms = end - start
  if (!Number.isFinite(ms) || ms < 0) return undefined
  if (ms < 999.5) return `${Math.round(ms)} ms`
  if (ms < 9950) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  return `${count(Math.floor(seconds / 3600))} h ${Math.floor(seconds % 3600 / 60)} min`
}
