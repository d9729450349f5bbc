/**
 * One Codex rollout's records, in order -> journal event bodies. Messages come from
 * `response_item` only (the `event_msg` user/agent messages repeat them). The assistant's
 * items of one turn (reasoning, tool calls, text) are one assistant message: its first item
 * writes the message, later ones add parts, and a tool's output replaces its call's part,
 * so the events of a rollout's first lines stay the first events when the rollout grows.
 */
import type { ImportProblem, PeerEvent } from './peer.js'
import { contentParts, isInjectedContext, reasoningText, safeName, toolCall, toolOutput, type CodexPart } from './codex-items.js'
import { CodexUsage } from './codex-usage.js'
import { str } from './peer-records.js'

/** `event_msg` types that only repeat a `response_item`: not imported twice. */
const DUPLICATES = new Set(['user_message', 'agent_message', 'agent_reasoning', 'agent_reasoning_raw_content'])

interface Call { messageId: string, part: CodexPart, start: number }

export class CodexMapper {
  readonly events: PeerEvent[] = []
  title: string | null = null
  private assistant: { id: string, parts: number } | null = null
  private lastAssistant: string | undefined
  private readonly calls = new Map<string, Call>()
  /** The typed user messages still standing, oldest first: a rollback cuts the last turns. */
  private turns: string[] = []
  private model = ''
  private readonly usage: CodexUsage

  constructor(
    sessionId: string,
    private readonly file: string,
    private readonly problems: ImportProblem[],
    private readonly provider: string | undefined,
  ) {
    this.usage = new CodexUsage(sessionId)
  }

  private emit(ts: string, body: PeerEvent['body']): void {
    this.events.push({ ts, body })
  }

  keep(ts: string, type: string | undefined, data: unknown): void {
    this.emit(ts, { type: `x.codex.${safeName(type)}`, data })
  }

  problem(line: number, message: string): void {
    this.problems.push({ path: this.file, line, message })
  }

  /** A part of the turn's assistant message: the first one writes the message. */
  private assistantPart(ts: string, line: number, make: (id: string) => CodexPart): CodexPart {
    if (!this.assistant) {
      const id = `L${line}`
      const part = make(`${id}.0`)
      this.assistant = { id, parts: 1 }
      this.lastAssistant = id
      this.emit(ts, { type: 'message', id, role: 'assistant', parts: [part] })
      return part
    }
    const part = make(`${this.assistant.id}.${this.assistant.parts++}`)
    this.emit(ts, { type: 'part', messageId: this.assistant.id, part })
    return part
  }

  responseItem(ts: string, line: number, payload: Record<string, unknown>): void {
    const type = str(payload.type)
    if (type === 'message') return this.message(ts, line, payload)
    if (type === 'reasoning') {
      const text = reasoningText(payload)
      if (text !== '') this.assistantPart(ts, line, id => ({ id, type: 'reasoning', text }))
      return
    }
    if (type === 'function_call_output' || type === 'custom_tool_call_output') return this.output(ts, payload)
    const call = toolCall(payload)
    if (call) {
      const start = Date.parse(ts)
      const part = this.assistantPart(ts, line, id => ({
        id, type: 'tool', tool: call.tool, callID: call.callID ?? id,
        state: { status: call.status, input: call.input, ...(call.status === 'pending' ? {} : { output: '' }) },
      }))
      if (call.callID !== undefined && this.assistant) this.calls.set(call.callID, { messageId: this.assistant.id, part, start })
      return
    }
    if (type === 'compaction' || type === 'compaction_summary') this.assistant = null
    this.keep(ts, type, payload)
  }

  private message(ts: string, line: number, payload: Record<string, unknown>): void {
    const role = str(payload.role)
    const id = `L${line}`
    const { parts, texts } = contentParts(id, payload.content)
    if (role === 'assistant') {
      for (const part of parts) this.assistantPart(ts, line, partId => ({ ...part, id: partId }))
      return
    }
    this.assistant = null
    if (role === 'user') {
      const injected = isInjectedContext(texts)
      this.emit(ts, { type: 'message', id, role: 'user', parts, ...(injected ? { meta: { synthetic: true } } : {}) })
      if (!injected) this.turns.push(id)
      return
    }
    // developer (and system) messages are the tool's instructions: never typed by the user.
    this.emit(ts, { type: 'message', id, role: 'system', parts, meta: { synthetic: true, ...(role === 'developer' ? {} : { role: role ?? null }) } })
  }

  private output(ts: string, payload: Record<string, unknown>): void {
    const callId = str(payload.call_id)
    const call = callId === undefined ? undefined : this.calls.get(callId)
    if (!call) return this.keep(ts, str(payload.type), payload)
    const { output, error } = toolOutput(payload.output)
    const end = Date.parse(ts)
    const state = call.part.state as Record<string, unknown>
    const time = Number.isNaN(call.start) || Number.isNaN(end) ? {} : { time: { start: call.start, end } }
    const part = { ...call.part, state: { status: error ? 'error' : 'completed', input: state.input, ...(error ? { error: output } : { output }), ...time } }
    call.part = part
    this.emit(ts, { type: 'part', messageId: call.messageId, part })
  }

  eventMsg(ts: string, line: number, payload: Record<string, unknown>): void {
    const type = str(payload.type)
    if (type !== undefined && DUPLICATES.has(type)) return
    if (type === 'token_count') {
      const usage = this.usage.next(payload, line, { model: this.model, provider: this.provider, messageId: this.lastAssistant })
      if (typeof usage === 'string') this.problem(line, usage)
      else if (usage) this.emit(ts, usage)
      return
    }
    if (type === 'thread_name_updated' && typeof payload.thread_name === 'string') {
      this.title = payload.thread_name
      return this.emit(ts, { type: 'title', title: payload.thread_name })
    }
    if (type === 'thread_rolled_back') this.rollback(ts, line, payload.num_turns)
    this.keep(ts, type, payload)
  }

  /** The last `n` turns are cut: a revert of the first one's user message cuts it and all after. */
  private rollback(ts: string, line: number, n: unknown): void {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return this.problem(line, 'thread_rolled_back: num_turns is not a non-negative integer')
    if (n === 0) return
    if (this.turns.length === 0) return this.problem(line, 'thread_rolled_back: no turn to roll back')
    const at = Math.max(0, this.turns.length - n)
    this.assistant = null
    this.emit(ts, { type: 'revert', messageId: this.turns[at]! })
    this.turns = this.turns.slice(0, at)
  }

  turnContext(ts: string, payload: Record<string, unknown>): void {
    if (typeof payload.model === 'string') this.model = payload.model
    this.keep(ts, 'turn_context', payload)
  }

  /** The summary a compaction left: a system message marked as one; what it replaced is kept aside. */
  compacted(ts: string, line: number, payload: Record<string, unknown>): void {
    this.assistant = null
    const id = `L${line}`
    const text = str(payload.message) ?? ''
    this.emit(ts, { type: 'message', id, role: 'system', parts: [{ id: `${id}.0`, type: 'text', text }], meta: { synthetic: true, compaction: true } })
    const { message: _message, ...rest } = payload
    if (Object.keys(rest).length > 0) this.keep(ts, 'compacted', rest)
  }
}
