/**
 * One Gemini CLI message record -> a journal message body (and its usage): content parts
 * (text, inline data, file data), thoughts -> reasoning, toolCalls with their results -> tool
 * parts. docs/import.md#gemini-cli has the table.
 */
import { inlineFilePart, isRecord, isoTime, safeId, str } from './peer-records.js'

type Part = { id: string, type: string, [key: string]: unknown }

export interface MessageBody {
  type: 'message'
  id: string
  role: 'user' | 'assistant' | 'system'
  parts: Part[]
  meta?: Record<string, unknown>
  [key: string]: unknown
}

/** Gemini's tool statuses -> the tool part's. */
function toolStatus(status: unknown): 'completed' | 'error' | 'pending' {
  if (status === 'success') return 'completed'
  if (status === 'error' || status === 'cancelled') return 'error'
  return 'pending'
}

/** A tool result (a part list with `functionResponse`s, or a string) -> its text. */
export function resultText(result: unknown): string {
  if (typeof result === 'string') return result
  const items = Array.isArray(result) ? result : result === undefined || result === null ? [] : [result]
  return items.map(item => {
    if (typeof item === 'string') return item
    if (!isRecord(item)) return ''
    if (typeof item.text === 'string') return item.text
    const response = isRecord(item.functionResponse) ? item.functionResponse.response : undefined
    if (isRecord(response)) return str(response.output) ?? str(response.error) ?? JSON.stringify(response)
    return JSON.stringify(item)
  }).join('\n')
}

/** The ids of the tool calls whose result a `functionResponse` part carries. */
export function functionResponseIds(content: unknown): string[] | null {
  const items = Array.isArray(content) ? content : [content]
  const ids: string[] = []
  for (const item of items) {
    const response = isRecord(item) ? item.functionResponse : undefined
    if (!isRecord(response) || typeof response.id !== 'string') return null
    ids.push(response.id)
  }
  return ids.length > 0 ? ids : null
}

function contentParts(id: string, content: unknown): Part[] {
  const items = Array.isArray(content) ? content : content === undefined || content === null ? [] : [content]
  const parts: Part[] = []
  items.forEach((item, i) => {
    const partId = `${id}.c${i}`
    // Gemini writes '' as the content of a message that only calls tools.
    if (item === '' || (isRecord(item) && item.text === '' && Object.keys(item).length === 1)) return
    if (typeof item === 'string') return void parts.push({ id: partId, type: 'text', text: item })
    if (!isRecord(item)) return
    if (typeof item.text === 'string') {
      return void parts.push(item.thought === true ? { id: partId, type: 'reasoning', text: item.text } : { id: partId, type: 'text', text: item.text })
    }
    const inline = item.inlineData
    if (isRecord(inline) && typeof inline.data === 'string') {
      return void parts.push(inlineFilePart(partId, str(inline.mimeType) ?? 'application/octet-stream', inline.data))
    }
    const file = item.fileData
    if (isRecord(file) && typeof file.fileUri === 'string') {
      return void parts.push({ id: partId, type: 'file', mime: str(file.mimeType) ?? 'application/octet-stream', url: file.fileUri })
    }
    const call = item.functionCall ?? item.functionResponse
    if (isRecord(call)) {
      const done = item.functionResponse !== undefined
      return void parts.push({
        id: partId, type: 'tool', tool: str(call.name) ?? 'unknown', callID: safeId(call.id, partId),
        state: done ? { status: 'completed', input: {}, output: resultText([item]) } : { status: 'pending', input: call.args ?? {} },
      })
    }
    parts.push({ id: partId, type: 'x.gemini.part', data: item })
  })
  return parts
}

function toolPart(id: string, call: Record<string, unknown>): Part {
  const status = toolStatus(call.status)
  const text = resultText(call.result)
  const start = isoTime(call.timestamp)
  const state: Record<string, unknown> = { status, input: isRecord(call.args) ? call.args : call.args ?? {} }
  if (status === 'completed') state.output = text
  if (status === 'error') state.error = call.status === 'cancelled' && text === '' ? 'cancelled' : text
  if (typeof call.resultDisplay === 'string') state.metadata = { resultDisplay: call.resultDisplay }
  if (start !== undefined) state.time = { start: Date.parse(start) }
  return { id, type: 'tool', tool: str(call.name) ?? 'unknown', callID: safeId(call.id, id), ...(typeof call.displayName === 'string' ? { title: call.displayName } : {}), state }
}

const ROLES = { user: 'user', gemini: 'assistant', info: 'system', error: 'system', warning: 'system' } as const

/**
 * A record -> its message: `user` and `gemini` as typed and said; `info`, `error` and `warning`
 * (the CLI's notices, not sent to the model) as system messages marked synthetic, with their level.
 * `skipCalls`: tool call ids whose result is already a tool part (a `functionResponse` repeating it).
 */
export function messageOf(record: Record<string, unknown>, skipCalls: ReadonlySet<string>): MessageBody {
  const type = record.type as keyof typeof ROLES
  const id = safeId(record.id, 'unknown')
  const parts: Part[] = []
  if (Array.isArray(record.thoughts)) {
    record.thoughts.forEach((thought, i) => {
      if (!isRecord(thought)) return
      const subject = str(thought.subject)
      const description = str(thought.description) ?? ''
      parts.push({ id: `${id}.t${i}`, type: 'reasoning', text: subject ? `**${subject}**\n${description}` : description })
    })
  }
  for (const part of contentParts(id, record.content)) {
    if (part.type === 'tool' && skipCalls.has(part.callID as string) && (part.state as { status: string }).status === 'completed') continue
    parts.push(part)
  }
  if (Array.isArray(record.toolCalls)) {
    record.toolCalls.forEach((call, i) => { if (isRecord(call)) parts.push(toolPart(`${id}.k${i}`, call)) })
  }
  const body: MessageBody = { type: 'message', id, role: ROLES[type], parts }
  if (type === 'info' || type === 'error' || type === 'warning') body.meta = { synthetic: true, level: type }
  if (record.displayContent !== undefined && record.displayContent !== null) body.meta = { ...body.meta, displayContent: record.displayContent }
  return body
}

/**
 * A `gemini` record's `tokens` -> a usage body keyed by the message id. Gemini's `input`
 * (promptTokenCount) includes `cached`, and `tool` (toolUsePromptTokenCount) and `thoughts`
 * are counted apart from `input` and `output`; the journal's `input` is the uncached input
 * and its `output` includes reasoning (docs/usage.md), so input = input - cached + tool,
 * cacheRead = cached, output = output + thoughts, reasoning = thoughts: the four sum to `total`.
 */
export function usageOf(record: Record<string, unknown>, messageId: string): Record<string, unknown> & { type: string } | null | string {
  const tokens = record.tokens
  if (tokens === undefined || tokens === null) return null
  if (!isRecord(tokens)) return 'tokens is not an object'
  const n: Record<string, number> = {}
  for (const field of ['input', 'output', 'cached', 'thoughts', 'tool']) {
    const v = tokens[field] ?? 0
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `tokens.${field} is not a non-negative integer`
    n[field] = v
  }
  return {
    type: 'usage', key: messageId, messageId, model: safeId(record.model, 'unknown'), provider: 'google',
    input: Math.max(0, n.input! - n.cached! + n.tool!), output: n.output! + n.thoughts!, reasoning: n.thoughts!, cacheRead: n.cached!,
  }
}
