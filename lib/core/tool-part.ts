/**
 * Tool parts as hosts spell them. The journal's convention is OpenCode's
 * (`{ type: 'tool', tool, callID, state: { status, input, output, error, title, time } }`); the
 * AI SDK, Anthropic and others write `tool-call`, `tool_use`, `tool_result`… with
 * `name`/`toolName` and the fields at the top. One reader, so the listing's counts, the share
 * page, `show`, `tail`, the markdown export and the MCP transcript agree on what a call is.
 *
 * One precedence rule for every field: `state`'s field first, when the part has a `state`
 * object, then the top-level spellings. A `state` object is the convention (OpenCode writes
 * nothing else, every importer builds one, the OpenCode export reads it first), and it is what
 * a host updates as the call runs; a top-level field beside it is at best a copy, possibly
 * stale (a host that wrote its own `input` at the pending stage). Hosts without a `state`
 * (Anthropic, the AI SDK, Gemini's raw calls, or the AI SDK 5's `state` that is a string)
 * have only the top-level fields, so the rule changes nothing for them.
 *
 * The AI SDK 5/6 UI messages type a call by its tool: `tool-<name>` (with a `toolCallId`, so a
 * host's own `tool-…` part is not taken for one) or `dynamic-tool` with `toolName`; their
 * `state` string (`input-available`, `output-error`…) is the status, `errorText` the error.
 */
import { jsonLine } from './json-line.js'

/** Types of parts that are a call (counted in listings), besides the AI SDK's `tool-<name>`. */
const CALL_TYPES: ReadonlySet<string> = new Set(['tool', 'tool-call', 'tool_call', 'tool-use', 'tool_use', 'dynamic-tool'])
/** Types of parts that only carry a call's result (shown, never counted: the call was). */
const RESULT_TYPES: ReadonlySet<string> = new Set(['tool-result', 'tool_result'])

/** A name longer than this is cut in listings: a hostile log must not bloat the listing cache. */
export const TOOL_NAME_CHARS = 64
/** An error object without a message is shown as JSON cut here: enough to read, bounded whatever the log holds. */
export const ERROR_JSON_CHARS = 10_000

export interface ToolPart {
  /** The tool's name (`bash`, `read`…), else the part's type. */
  name: string
  /** A result-only part (`tool_result`), which the listing does not count as a call. */
  result: boolean
  input: unknown
  /** `output`, `result`, or an Anthropic `tool_result`'s `content`. */
  output: unknown
  /** As written; else `error` for a call that failed (an error, or Anthropic's `is_error: true`). */
  status: string | undefined
  /** The error of a failed call as text (a string as written, an object's `message` or OpenCode's `data.message`, else its JSON). */
  error: string | undefined
  /** The host's own one-line title of the call (OpenCode's `state.title`, Gemini's display name), when not empty. */
  title: string | undefined
  /** When the call started and ended (`time.start`, `time.end`, epoch milliseconds), when they are finite numbers. */
  start: number | undefined
  end: number | undefined
}

/** The fields of a tool part wherever the host put them, or undefined when it is no tool part. */
export function toolPart(part: Readonly<Record<string, unknown>>): ToolPart | undefined {
  const type = part.type
  if (typeof type !== 'string') return undefined
  const result = RESULT_TYPES.has(type)
  if (!result && !isCall(part, type)) return undefined
  const state = isObject(part.state) ? part.state : {}
  const error = errorText(state.error ?? part.error ?? part.errorText)
  const status = text(state.status ?? part.status) ?? text(part.state) ?? (error !== undefined || part.is_error === true ? 'error' : undefined)
  const time = isObject(state.time) ? state.time : isObject(part.time) ? part.time : {}
  return {
    name: nameOf(part, type),
    result,
    input: state.input ?? part.input ?? part.args ?? part.arguments,
    output: state.output ?? part.output ?? part.result ?? (result ? part.content : undefined),
    status,
    error,
    title: text(state.title ?? part.title) || undefined,
    start: finite(time.start),
    end: finite(time.end),
  }
}

/** The name a listing counts a part under (cut at TOOL_NAME_CHARS), or null when it is no call. */
export function toolCallName(part: Readonly<Record<string, unknown>>): string | null {
  // Cheap: most parts are text, the summary asks of every part, and only the name counts.
  if (typeof part.type !== 'string' || !isCall(part, part.type)) return null
  return nameOf(part, part.type).slice(0, TOOL_NAME_CHARS)
}

function isCall(part: Readonly<Record<string, unknown>>, type: string): boolean {
  return CALL_TYPES.has(type) || isTypedCall(part, type)
}

/** The AI SDK 5's `tool-<name>`: a call of the tool the type names. */
function isTypedCall(part: Readonly<Record<string, unknown>>, type: string): boolean {
  return type.length > 5 && type.startsWith('tool-') && !RESULT_TYPES.has(type) && typeof part.toolCallId === 'string'
}

function nameOf(part: Readonly<Record<string, unknown>>, type: string): string {
  return text(part.tool) ?? text(part.name) ?? text(part.toolName) ?? (isTypedCall(part, type) ? type.slice(5) : type)
}

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null || error === false || error === '') return undefined
  if (typeof error === 'string') return error
  if (!isObject(error)) return jsonLine(error, ERROR_JSON_CHARS)
  return text(error.message) ?? (isObject(error.data) ? text(error.data.message) : undefined) ?? jsonLine(error, ERROR_JSON_CHARS)
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
