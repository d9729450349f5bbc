/**
 * Journal parts -> OpenCode parts that `opencode import` (1.18) validates: each known type
 * with the fields OpenCode requires (filled in when a host's part lacks them), anything else
 * as a text part holding the part's JSON, marked synthetic. Parts imported from OpenCode
 * already have OpenCode's shape and pass through unchanged but for their ids.
 */
import type { JsonObject, JsonValue, Message, Part } from '../core/types.js'

export interface OpenCodeIds {
  message(message: Message): string
  part(message: Message, part: Part): string
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): v is string => typeof v === 'string'
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const text = (v: unknown): string => (str(v) ? v : v === undefined ? '' : JSON.stringify(v))

const TOKENS = { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } }

function toolState(part: Part, at: number): JsonObject {
  const given = isObject(part.state) ? part.state : {}
  const input: JsonValue = given.input ?? part.input ?? {}
  const inputObject = isObject(input) ? input : { value: input }
  const error = given.error ?? part.error
  const output = given.output ?? part.output
  let status = given.status ?? part.status
  if (!['pending', 'running', 'completed', 'error'].includes(status as string)) {
    status = error !== undefined ? 'error' : output !== undefined ? 'completed' : 'pending'
  }
  const time = isObject(given.time) ? given.time : {}
  const start = num(time.start) ? time.start : at
  const end = num(time.end) ? time.end : start
  switch (status) {
    case 'completed':
      return {
        ...given, status, input: inputObject, output: text(output),
        title: str(given.title) ? given.title : text(part.tool ?? part.name),
        metadata: isObject(given.metadata) ? given.metadata : {}, time: { ...time, start, end },
      }
    case 'error':
      return { ...given, status, input: inputObject, error: text(error), time: { ...time, start, end } }
    case 'running':
      return { ...given, status, input: inputObject, time: { ...time, start } }
    default:
      return { ...given, status: 'pending', input: inputObject, raw: str(given.raw) ? given.raw : JSON.stringify(inputObject) }
  }
}

/** The part's own fields, checked for what OpenCode requires of its type; undefined when it cannot be one. */
function shaped(part: Part, at: number): JsonObject | undefined {
  const { id: _id, ...rest } = part
  switch (part.type) {
    case 'text':
      return { ...rest, text: text(part.text) }
    case 'reasoning': {
      const time = isObject(part.time) && num(part.time.start) ? part.time : { start: at, end: at }
      return { ...rest, text: text(part.text), time }
    }
    case 'tool': {
      // A host's own tool fields move into the state OpenCode reads.
      const { input: _input, output: _output, status: _status, error: _error, ...own } = rest
      return {
        ...own,
        callID: str(part.callID) ? part.callID : part.id,
        tool: str(part.tool) ? part.tool : str(part.name) ? part.name : 'unknown',
        state: toolState(part, at),
      }
    }
    case 'file':
      // A file kept without its bytes (too large to import) has no url for OpenCode to open.
      return str(part.url) && str(part.mime) ? rest : undefined
    case 'step-start': case 'snapshot': case 'agent': case 'compaction':
      return rest
    case 'step-finish':
      return { ...rest, reason: str(part.reason) ? part.reason : 'stop', cost: num(part.cost) ? part.cost : 0, tokens: isObject(part.tokens) ? part.tokens : TOKENS }
    case 'patch':
      return str(part.hash) && Array.isArray(part.files) ? rest : undefined
    case 'subtask':
      return str(part.prompt) && str(part.description) && str(part.agent) ? rest : undefined
    case 'retry':
      return num(part.attempt) && isObject(part.error) && isObject(part.time) ? rest : undefined
    default:
      return undefined
  }
}

export function toOpenCodePart(part: Part, message: Message, ids: { sessionID: string, messageID: string, id: string }): JsonObject {
  const at = Date.parse(message.created) || 0
  const fields = shaped(part, at) ?? {
    type: 'text',
    text: part.type === 'file' ? `[file ${text(part.filename ?? part.mime)}${num(part.size) ? `, ${part.size} bytes` : ''}: not kept]` : `[${part.type}] ${JSON.stringify(part)}`,
    synthetic: true,
  }
  return { ...fields, id: ids.id, sessionID: ids.sessionID, messageID: ids.messageID }
}
