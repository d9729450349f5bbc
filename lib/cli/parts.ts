/** Message parts for human formats: text in full (show), tool calls on one line (show, tail). */
import { cutOutput, toolPart, toolSummary, type Part } from '../index.js'
import { brief } from './format.js'
import { oneLine, printable } from './text.js'

export interface ToolCall {
  /** `[bash] ls -la -> done, 3 line(s) of output`, sanitized. */
  line: string
  /** The error text of a failed call, raw (sanitized where it is printed). */
  error?: string
  /** The output, raw, when it is text (shown by `show`, cut). */
  output?: string
}

/** A tool part summarized, or undefined when the part is no tool call (the core's recognizer: every host's spelling). */
export function toolCall(part: Record<string, unknown>): ToolCall | undefined {
  const tool = toolPart(part)
  if (!tool) return undefined
  const { output, status, error } = tool
  const outcome = [
    status === undefined ? '' : oneLine(status),
    typeof output === 'string' ? `${output === '' ? 0 : output.split('\n').length} line(s) of output` : output === undefined ? '' : 'output',
  ].filter(Boolean).join(', ')
  return {
    line: [`[${oneLine(tool.name)}]`, brief(toolSummary(tool), 80), outcome ? `-> ${outcome}` : ''].filter(Boolean).join(' '),
    ...(error === undefined ? {} : { error }),
    ...(typeof output === 'string' && output !== '' ? { output } : {}),
  }
}

/**
 * Text in full; a tool call on one line, with a failed call's error below it and, when
 * `maxOutput` is given, its output's first `maxOutput` lines (and how many more there are).
 */
export function renderPart(part: Part, maxOutput?: number): string {
  const p = part as Record<string, unknown>
  if (part.type === 'text' && typeof p.text === 'string') return printable(p.text)
  if (part.type === 'reasoning' && typeof p.text === 'string') return `(reasoning) ${brief(p.text, 100)}`
  const call = toolCall(p)
  if (call) {
    const lines = [`  ${call.line}`]
    if (call.error !== undefined) lines.push(...indented(call.error))
    if (call.output !== undefined && maxOutput !== undefined && maxOutput > 0) {
      const cut = cutOutput(call.output, maxOutput)
      lines.push(...indented(cut.text), ...(cut.moreLines === 0 ? [] : [`    … ${cut.moreLines} more line${cut.moreLines === 1 ? '' : 's'}`]))
    }
    return lines.join('\n')
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

function indented(text: string): string[] {
  return printable(text).split('\n').map(l => `    ${l}`.trimEnd())
}
