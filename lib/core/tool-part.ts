/**
 * Tool parts as hosts spell them. The journal's convention is OpenCode's
 * (`{ type: 'tool', tool, callID, state: { status, input, output, error } }`); the AI SDK,
 * Anthropic and others write `tool-call`, `tool_use`… with `name`/`toolName` and the fields at
 * the top. One recognizer, so the listing's counts, `show`, the markdown export and the MCP
 * transcript agree on what a tool call is.
 */

/** Types of parts that are a call (counted in listings). */
const CALL_TYPES: ReadonlySet<string> = new Set(['tool', 'tool-call', 'tool_call', 'tool-use', 'tool_use'])
/** Types of parts that only carry a call's result (shown, never counted: the call was). */
const RESULT_TYPES: ReadonlySet<string> = new Set(['tool-result', 'tool_result'])

/** Whether a part of this type is a tool part (a call or a result-only part): what the share page renders as one. */
export function isToolPartType(type: string): boolean {
  return CALL_TYPES.has(type) || RESULT_TYPES.has(type)
}

/** A name longer than this is cut in listings: a hostile log must not bloat the listing cache. */
export const TOOL_NAME_CHARS = 64

export interface ToolPart {
  /** The tool's name (`bash`, `read`…), else the part's type. */
  name: string
  /** A result-only part (`tool_result`), which the listing does not count as a call. */
  result: boolean
  input: unknown
  output: unknown
  status: string | undefined
  /** The error of a failed call as text (a string as written, an object's `message`, else its JSON). */
  error: string | undefined
}

/** The fields of a tool part wherever the host put them, or undefined when it is no tool part. */
export function toolPart(part: Readonly<Record<string, unknown>>): ToolPart | undefined {
  const type = part.type
  if (typeof type !== 'string') return undefined
  const result = RESULT_TYPES.has(type)
  if (!result && !CALL_TYPES.has(type)) return undefined
  const state = isObject(part.state) ? part.state : {}
  const name = typeof part.tool === 'string' ? part.tool : typeof part.name === 'string' ? part.name : typeof part.toolName === 'string' ? part.toolName : type
  const status = part.status ?? state.status
  return {
    name,
    result,
    input: part.input ?? part.args ?? part.arguments ?? state.input,
    output: part.output ?? part.result ?? state.output,
    status: typeof status === 'string' ? status : undefined,
    error: errorText(part.error ?? state.error),
  }
}

/** The name a listing counts a part under (cut at TOOL_NAME_CHARS), or null when it is no call. */
export function toolCallName(part: Readonly<Record<string, unknown>>): string | null {
  // Cheap first: most parts are text, and the summary asks of every part.
  if (typeof part.type !== 'string' || !CALL_TYPES.has(part.type)) return null
  return toolPart(part)!.name.slice(0, TOOL_NAME_CHARS)
}

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null || error === false) return undefined
  if (typeof error === 'string') return error
  if (isObject(error) && typeof error.message === 'string') return error.message
  return JSON.stringify(error)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
