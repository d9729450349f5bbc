/**
 * A tool call on the viewer page: one line a reader can scan (the tool, what it ran,
 * status, duration), a failure's error text in plain sight, and the input and output
 * behind the line, clipped like every tool field. The part's shape is OpenCode's
 * (`{ tool, state: { status, input, output, error, time: { start, end }, title } }`);
 * the spellings other hosts use (tool_use, tool-call; name, toolName; args, arguments;
 * result, content) are read too, as the CLI reads them.
 */

import type { JsonValue, Part } from '../core/types.js'
import { clipped, count, cut, escapeHtml, isObject, label, printable, stringField, type PartLimits } from './viewer-html.js'

/** The summary line says what ran in at most this many characters (the input behind it has all of it). */
const WHAT_CHARS = 160

// Which input field says what a call did, by kind of tool (the name's last segment: mcp__fs__read_file is read_file).
const WHAT_FIELDS: Array<[RegExp, string[]]> = [
  [/bash|shell|exec|command|terminal|^sh$|^run/, ['command', 'cmd', 'script']],
  [/fetch|url|http|browse/, ['url', 'uri', 'href']],
  [/grep|glob|search|find|^rg$|^ls$|list/, ['pattern', 'query', 'regex', 'glob', 'path']],
  [/read|write|edit|patch|file|view|create|notebook/, ['filePath', 'file_path', 'path', 'filename', 'file', 'notebook_path']],
  [/task|agent/, ['description', 'prompt']],
]

const STATUSES = new Set(['pending', 'running', 'completed', 'error'])

export function renderTool(part: Part, limits: PartLimits): string {
  const state = isObject(part.state) ? part.state : {}
  const name = stringField(part, 'tool') ?? stringField(part, 'name') ?? stringField(part, 'toolName') ?? part.type
  const input = state.input ?? part.input ?? part.args ?? part.arguments
  const output = state.output ?? part.output ?? part.result ?? part.content
  const error = failure(state.error ?? part.error)
  const status = stringField(state, 'status') ?? stringField(part, 'status') ??
    (error !== undefined || part.is_error === true ? 'error' : undefined)
  const what = whatRan(name, input) ?? stringField(state, 'title') ?? stringField(part, 'title')
  const duration = elapsed(state.time ?? part.time)
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

/** What the call ran: the command, the path, the pattern, the URL; else its first string input. */
export function whatRan(name: string, input: JsonValue | undefined): string | undefined {
  const args = typeof input === 'string' ? parsedObject(input) ?? input : input
  if (typeof args === 'string') return args === '' ? undefined : args
  if (!isObject(args)) return undefined
  const kind = cut(name, 200).toLowerCase().split(/__|[./:]/).at(-1) ?? ''
  const fields = WHAT_FIELDS.find(([pattern]) => pattern.test(kind))?.[1] ?? []
  for (const field of fields) {
    const value = args[field]
    if (typeof value === 'string' && value !== '') return value
    // Codex-style argv: ["bash", "-lc", "npm test"].
    if (Array.isArray(value) && value.length > 0 && value.every(v => typeof v === 'string')) return value.join(' ')
  }
  const patch = Object.values(args).find((v): v is string => typeof v === 'string' && v.startsWith('*** Begin Patch'))
  if (patch !== undefined) return patchedFiles(patch)
  return Object.values(args).find((v): v is string => typeof v === 'string' && v.trim() !== '')
}

/** `arguments` as a JSON string (OpenAI style); parsed only when short, as it only feeds one line. */
function parsedObject(text: string): JsonValue | undefined {
  if (text.length > 65_536 || !text.trimStart().startsWith('{')) return undefined
  try {
    const value = JSON.parse(text) as JsonValue
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

function patchedFiles(patch: string): string {
  const files = [...cut(patch, 65_536).matchAll(/^\*\*\* (?:Update|Add|Delete) File: (.+)$/gm)].map(m => m[1]!)
  return files.length === 0 ? 'patch' : files.join(', ')
}

/** The first line, spaces collapsed, cut to WHAT_CHARS; "…" when anything was left out. */
function oneLine(text: string): string {
  const head = cut(text.trim(), WHAT_CHARS * 4)
  const first = head.split('\n', 1)[0]!.replace(/\s+/g, ' ').trim()
  const short = first.length > WHAT_CHARS ? cut(first, WHAT_CHARS) : first
  return short.length < text.trim().length ? `${short}…` : short
}

/** What to show of an error: its text (a string, `{ message }`, OpenCode's `{ name, data: { message } }`), else the value. */
export function failure(error: JsonValue | undefined): JsonValue | undefined {
  if (error === undefined || error === null || error === false || error === '') return undefined
  if (!isObject(error)) return error
  return stringField(error, 'message') ?? (isObject(error.data) ? stringField(error.data, 'message') : undefined) ?? error
}

/** `state.time.{start,end}` in epoch milliseconds, as "340 ms", "1.2 s", "2 min 5 s". */
export function elapsed(time: JsonValue | undefined): string | undefined {
  if (!isObject(time) || typeof time.start !== 'number' || typeof time.end !== 'number') return undefined
  const ms = time.end - time.start
  if (!Number.isFinite(ms) || ms < 0) return undefined
  if (ms < 999.5) return `${Math.round(ms)} ms`
  if (ms < 9950) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  return `${count(Math.floor(seconds / 3600))} h ${Math.floor(seconds % 3600 / 60)} min`
}
