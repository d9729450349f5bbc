/** Message parts for human formats: text in full (show), tool calls on one line (show, tail). */
import type { Part } from '../index.js'
import { brief } from './format.js'
import { oneLine, printable } from './text.js'

// Hosts name tool parts differently; these are the spellings in the wild (opencode, AI SDK, Anthropic).
const TOOL_TYPES = new Set(['tool', 'tool-call', 'tool_call', 'tool-use', 'tool_use', 'tool-result', 'tool_result'])

export interface ToolCall {
  /** `[bash] ls -la -> done, 3 line(s) of output`, sanitized. */
  line: string
  /** The error text of a failed call, raw (sanitized where it is printed). */
  error?: string
}

/** A tool part summarized, or undefined when the part is no tool call. */
export function toolCall(part: Record<string, unknown>): ToolCall | undefined {
  if (!TOOL_TYPES.has(String(part.type))) return undefined
  const state = isObject(part.state) ? part.state : {}
  const name = [part.tool, part.name, part.toolName].find(v => typeof v === 'string') ?? String(part.type)
  const input = part.input ?? part.args ?? part.arguments ?? state.input
  const output = part.output ?? part.result ?? state.output
  const status = part.status ?? state.status
  const error = errorText(part.error ?? state.error)
  const inputText = isObject(input) && Object.keys(input).length === 1 ? brief(Object.values(input)[0], 80) : brief(input, 80)
  const outcome = [
    typeof status === 'string' ? oneLine(status) : error === undefined ? '' : 'error',
    typeof output === 'string' ? `${output === '' ? 0 : output.split('\n').length} line(s) of output` : output === undefined ? '' : 'output',
  ].filter(Boolean).join(', ')
  return {
    line: [`[${oneLine(String(name))}]`, inputText, outcome ? `-> ${outcome}` : ''].filter(Boolean).join(' '),
    ...(error === undefined ? {} : { error }),
  }
}

/** Text in full; a tool call on one line, with a failed call's error below it; the rest in brief. */
export function renderPart(part: Part): string {
  const p = part as Record<string, unknown>
  if (part.type === 'text' && typeof p.text === 'string') return printable(p.text)
  if (part.type === 'reasoning' && typeof p.text === 'string') return `(reasoning) ${brief(p.text, 100)}`
  const call = toolCall(p)
  if (call) {
    if (call.error === undefined) return `  ${call.line}`
    return [`  ${call.line}`, ...printable(call.error).split('\n').map(l => `    ${l}`.trimEnd())].join('\n')
  }
  const { id: _id, type: _type, ...rest } = p
  return `  [${oneLine(String(part.type))}] ${brief(rest, 100)}`
}

/** One line for tail: a part's text, or its tool call. */
export function partSummary(part: Record<string, unknown>, max: number): string {
  const call = toolCall(part)
  if (call) return call.error === undefined ? call.line : `${call.line}: ${brief(call.error, max)}`
  return `${oneLine(String(part.type))}${typeof part.text === 'string' ? `: ${brief(part.text, max)}` : ''}`
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
