/**
 * Messages as an agent reads them: tool outputs (every long string of a non-text part) cut at
 * `maxOutput` characters with a note of how much was cut, and a plain-text rendering (role and
 * time per message, text whole, tool calls on a line with their cut output below).
 */
import { jsonLine, toolPart, type JsonValue, type Message, type Part, type SessionInfo } from '../index.js'

export function cutText(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, max)}\n…[${text.length - max} more characters cut; raise maxOutput to see them]`
}

/** Past this depth a value is shown as cut JSON text: a log written elsewhere may nest past any stack. */
const DEPTH = 64

function cutValue(value: JsonValue, max: number, depth = 0): JsonValue {
  if (typeof value === 'string') return cutText(value, max)
  if (typeof value !== 'object' || value === null) return value
  if (depth === DEPTH) return jsonLine(value, max)
  if (Array.isArray(value)) return value.map(v => cutValue(v, max, depth + 1))
  // Prototype-less: a key named __proto__ in a log stays a key.
  const out = Object.create(null) as Record<string, JsonValue>
  for (const [k, v] of Object.entries(value)) out[k] = cutValue(v, max, depth + 1)
  return out
}

/** Text parts stay whole (they are what was said); every other part's strings are cut. */
export function cutPart(part: Part, max: number): Part {
  if (part.type === 'text') return part
  return cutValue(part, max) as Part
}

export function cutMessage(message: Message, max: number): Message {
  return { ...message, parts: message.parts.map(p => cutPart(p, max)) }
}

export function renderHead(info: SessionInfo, total: number): string {
  return [
    `# ${info.title ?? '(untitled)'}`,
    `id: ${info.id}`,
    `project: ${info.projectPath}`,
    `created: ${info.created}  updated: ${info.updated}`,
    `${total} message(s)`,
  ].join('\n')
}

/** One message, already cut; `index` is its place in the whole history (1-based in the text). */
export function renderMessage(message: Message, index: number): string {
  const lines = [`## [${index + 1}] ${message.role} · ${message.created}`]
  for (const part of message.parts) lines.push(renderPart(part))
  if (message.parts.length === 0) lines.push('(empty)')
  return lines.join('\n')
}

function renderPart(part: Part): string {
  const p = part as Record<string, JsonValue>
  if (part.type === 'text' && typeof p.text === 'string') return p.text
  if (part.type === 'reasoning' && typeof p.text === 'string') return `(reasoning) ${p.text}`
  const tool = toolPart(p)
  if (tool) {
    const { name, input, output, status, error } = tool
    const head = `[tool ${name}]${input === undefined ? '' : ` ${JSON.stringify(input)}`}${status === undefined ? '' : ` -> ${status}`}`
    const body = [
      ...(output === undefined || output === null ? [] : [typeof output === 'string' ? output : JSON.stringify(output)]),
      ...(error === undefined ? [] : [`error: ${error}`]),
    ]
    return [head, ...body.map(b => indent(b))].join('\n')
  }
  const { id: _id, type, ...rest } = p
  return `[${type}] ${JSON.stringify(rest)}`
}

function indent(text: string): string {
  return text.split('\n').map(l => `    ${l}`.trimEnd()).join('\n')
}
