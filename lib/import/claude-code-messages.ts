/**
 * Claude Code history lines -> journal messages. The lines of one API response (same
 * `message.id`) become one assistant message, a part per content block; a `tool_use` and the
 * `tool_result` answering it (by id) become one tool part, OpenCode's shape; `thinking` is a
 * reasoning part; images and documents are file parts. User lines made of tool results only
 * fill those parts and make no message. Pure.
 */
import type { PeerEvent } from './peer.js'
import { MAX_INLINE_BYTES } from './peer.js'
import { blocksOf, isObj, messageIdOf, str, type Line, type Rec } from './claude-code-history.js'

type Part = { id: string, type: string, [key: string]: unknown }

export interface Built {
  /** The message, and the file line it starts at (events are ordered by line). */
  line: number
  event: PeerEvent
}

interface Tool {
  part: Part
  start: number | undefined
}

const ms = (ts: unknown) => (str(ts) && !Number.isNaN(Date.parse(ts)) ? Date.parse(ts) : undefined)

/** `ts(l)`: the line's time (or the one before it, for lines without). */
export function buildMessages(lines: readonly Line[], history: ReadonlySet<string>, ts: (l: Line) => string): { messages: Built[], orphans: Line[] } {
  const messages: Built[] = []
  const byId = new Map<string, { type: 'message', id: string, role: 'assistant', parts: Part[], meta: Rec }>()
  const tools = new Map<string, Tool>()
  const orphans: Line[] = []
  for (const l of lines) {
    const rec = l.rec
    if (!str(rec.uuid) || !history.has(rec.uuid)) continue
    const blocks = contentOf(rec)
    if (rec.type === 'assistant') {
      const id = messageIdOf(rec) ?? rec.uuid
      let body = byId.get(id)
      if (body === undefined) {
        body = { type: 'message', id, role: 'assistant', parts: [], meta: {} }
        byId.set(id, body)
        messages.push({ line: l.line, event: { ts: ts(l), body } })
      }
      // The last line of a response knows most (its stop reason).
      body.meta = { ...body.meta, ...assistantMeta(rec) }
      const parts = body.parts
      blocks.forEach((b, i) => {
        const part = blockPart(`${rec.uuid}:${i}`, b)
        parts.push(part)
        if (part.type === 'tool') tools.set(part.callID as string, { part, start: ms(rec.timestamp) })
      })
      continue
    }
    const parts: Part[] = []
    let answered = 0
    blocks.forEach((b, i) => {
      if (isObj(b) && b.type === 'tool_result' && str(b.tool_use_id) && tools.has(b.tool_use_id)) {
        answer(tools.get(b.tool_use_id)!, b, rec)
        answered++
      } else {
        parts.push(blockPart(`${rec.uuid}:${i}`, b))
      }
    })
    if (parts.length === 0 && answered > 0) continue
    if (parts.length > 0 && parts.every(p => p.type === 'x.claude-code.tool_result')) {
      orphans.push(l) // results of calls not on the history: kept whole, not as a message
      continue
    }
    const meta = userMeta(rec)
    messages.push({ line: l.line, event: { ts: ts(l), body: { type: 'message', id: rec.uuid, role: 'user', parts, ...(meta ? { meta } : {}) } } })
  }
  return { messages, orphans }
}

/** A string content is one text block. */
function contentOf(rec: Rec): unknown[] {
  const message = rec.message
  if (isObj(message) && str(message.content)) return [{ type: 'text', text: message.content }]
  return blocksOf(rec)
}

function assistantMeta(rec: Rec): Rec {
  // A line without a message object is damage, not a reason to lose the transcript.
  const message: Rec = isObj(rec.message) ? rec.message : {}
  return {
    ...(str(message.model) ? { model: message.model } : {}),
    ...(str(message.stop_reason) ? { stopReason: message.stop_reason } : {}),
    ...(rec.isApiErrorMessage === true ? { apiError: true } : {}),
  }
}

/** Injected lines (isMeta) and compaction summaries are not what the user typed. */
function userMeta(rec: Rec): Rec | undefined {
  if (rec.isCompactSummary === true) return { synthetic: true, compaction: true }
  if (rec.isMeta === true) return { synthetic: true }
  return undefined
}

function blockPart(id: string, b: unknown): Part {
  if (!isObj(b)) return { id, type: 'x.claude-code.block', block: b as never }
  switch (b.type) {
    case 'text': return { id, type: 'text', text: str(b.text) ? b.text : '' }
    case 'thinking': return { id, type: 'reasoning', text: str(b.thinking) ? b.thinking : '', ...(str(b.signature) ? { signature: b.signature } : {}) }
    case 'redacted_thinking': return { id, type: 'reasoning', text: '', redacted: str(b.data) ? b.data : '' }
    case 'tool_use':
      return { id, type: 'tool', tool: str(b.name) ? b.name : '', callID: str(b.id) ? b.id : id, state: { status: 'pending', input: b.input ?? {} } }
    case 'image': case 'document': return filePart(id, b)
    case 'tool_result': return { id, type: 'x.claude-code.tool_result', block: b }
    default: return { id, type: 'x.claude-code.block', block: b }
  }
}

/** A data URL only up to MAX_INLINE_BYTES decoded; larger ones keep their size and lose the bytes. */
function filePart(id: string, b: Rec): Part {
  const source = isObj(b.source) ? b.source : {}
  const mime = str(source.media_type) ? source.media_type : b.type === 'image' ? 'image/*' : 'application/octet-stream'
  const filename = str(b.title) ? { filename: b.title } : {}
  if (source.type === 'url' && str(source.url)) return { id, type: 'file', mime, ...filename, url: source.url }
  if (source.type === 'base64' && str(source.data)) {
    const size = Math.floor(source.data.length * 3 / 4)
    return size <= MAX_INLINE_BYTES ? { id, type: 'file', mime, ...filename, url: `data:${mime};base64,${source.data}` } : { id, type: 'file', mime, ...filename, size }
  }
  if (source.type === 'text' && str(source.data)) return { id, type: 'file', mime: str(source.media_type) ? source.media_type : 'text/plain', ...filename, text: source.data }
  return { id, type: 'file', mime, ...filename }
}

/** The result goes into the call's part: output or error, its images as attachments, the structured result as metadata. */
function answer(tool: Tool, b: Rec, rec: Rec): void {
  const content = b.content
  const blocks = Array.isArray(content) ? content : []
  const text = str(content) ? content : blocks.filter(x => isObj(x) && x.type === 'text' && str(x.text)).map(x => (x as Rec).text as string).join('\n')
  const attachments = blocks.filter(x => isObj(x) && x.type !== 'text').map((x, i) => blockPart(`${tool.part.id}:result:${i}`, x))
  const start = tool.start
  const end = ms(rec.timestamp)
  const input = (tool.part.state as Rec).input
  tool.part.state = {
    status: b.is_error === true ? 'error' : 'completed',
    input,
    ...(b.is_error === true ? { error: text } : { output: text }),
    ...(start !== undefined && end !== undefined ? { time: { start, end } } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(rec.toolUseResult !== undefined ? { metadata: rec.toolUseResult } : {}),
  }
}
