/**
 * What a tool call ran, in a few words: the one line the share page, the markdown export,
 * `show` and `tail` print after the tool's name. By kind of tool (the name's last segment:
 * `mcp__fs__read_file` is `read_file`) the field that says it: the command of a shell, the
 * path of a read or an edit, the pattern of a search, the URL of a fetch. Codex's argv arrays
 * are joined, an `apply_patch` body is the files it touches, and OpenAI's `arguments` as a
 * JSON string is parsed when short. Pure; each surface cuts the line to its own width.
 */
import { cutChars, jsonLine } from './json-line.js'
import type { ToolPart } from './tool-part.js'

/** What `toolSummary` keeps of an input shown as JSON: more than any surface shows, bounded whatever the input. */
export const SUMMARY_JSON_CHARS = 1000
/** Bounds on the work for one line: a longer `arguments` string is not parsed, a longer patch not searched. */
const PARSE_CHARS = 65_536
const NAME_CHARS = 200

// Which input field says what a call did, by kind of tool.
const WHAT_FIELDS: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/bash|shell|exec|command|terminal|^sh$|^run/, ['command', 'cmd', 'script']],
  [/fetch|url|http|browse/, ['url', 'uri', 'href']],
  [/grep|glob|search|find|^rg$|^ls$|list/, ['pattern', 'query', 'regex', 'glob', 'path']],
  [/read|write|edit|patch|file|view|create|notebook/, ['filePath', 'file_path', 'path', 'filename', 'file', 'notebook_path']],
  [/task|agent/, ['description', 'prompt']],
]

/** What the call ran: the command, the path, the pattern, the URL; else its first string input; undefined when none says anything. */
export function whatRan(name: string, input: unknown): string | undefined {
  const args = typeof input === 'string' ? parsedObject(input) ?? input : input
  if (typeof args === 'string') return said(args) ? args : undefined
  if (!isObject(args)) return undefined
  const kind = name.slice(0, NAME_CHARS).toLowerCase().split(/__|[./:]/).at(-1) ?? ''
  const fields = WHAT_FIELDS.find(([pattern]) => pattern.test(kind))?.[1] ?? []
  for (const field of fields) {
    // Own fields only: an input is data, never a prototype's.
    if (!Object.hasOwn(args, field)) continue
    const value = args[field]
    if (said(value)) return value
    // Codex-style argv: ["bash", "-lc", "npm test"].
    if (Array.isArray(value) && value.length > 0 && value.every(v => typeof v === 'string')) return value.join(' ')
  }
  // An apply_patch body anywhere says it best; else the first string that says something.
  let first: string | undefined
  for (const value of Object.values(args)) {
    if (typeof value !== 'string') continue
    if (value.startsWith('*** Begin Patch')) return patchedFiles(value)
    if (first === undefined && said(value)) first = value
  }
  return first
}

/**
 * The one line every surface prints for a call: what it ran, else the host's title of the
 * call, else its input as JSON (cut at SUMMARY_JSON_CHARS); undefined when the call has no input.
 */
export function toolSummary(tool: Pick<ToolPart, 'name' | 'input' | 'title'>): string | undefined {
  const { input } = tool
  const ran = whatRan(tool.name, input) ?? tool.title
  if (ran !== undefined || input === undefined || input === null) return ran
  if (typeof input === 'string') return said(input) ? cutChars(input, SUMMARY_JSON_CHARS) : undefined
  if (typeof input === 'object' && isEmpty(input)) return undefined
  return jsonLine(input, SUMMARY_JSON_CHARS)
}

/** `arguments` as a JSON string (OpenAI style); parsed only when short, as it only feeds one line. */
function parsedObject(text: string): Record<string, unknown> | undefined {
  if (text.length > PARSE_CHARS || !text.trimStart().startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

function patchedFiles(patch: string): string {
  const files = [...patch.slice(0, PARSE_CHARS).matchAll(/^\*\*\* (?:Update|Add|Delete) File: (.+)$/gm)].map(m => m[1]!)
  return files.length === 0 ? 'patch' : files.join(', ')
}

/** No items, no own keys; asks for at most one key (Object.keys of a 5-million-item array costs 5 million strings). */
function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0
  for (const key in value) if (Object.hasOwn(value, key)) return false
  return true
}

/** A string that says something (not empty, not only spaces). */
function said(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
