/**
 * Codex response items -> journal parts: message content, reasoning summaries, and the tool
 * calls (function, custom, local shell, web search) with their outputs (docs/import.md#codex-cli).
 */
import { isRecord, parseArguments, str, urlFilePart } from './peer-records.js'

export type CodexPart = { id: string, type: string, [key: string]: unknown }

/**
 * Text the tool injects as user messages (environment, AGENTS.md, skills, aborted turns):
 * context, not typed by the user. Codex's own markers, compared case-insensitively.
 */
const CONTEXT_MARKERS = [
  '<environment_context>', '<user_instructions>', '# agents.md', '<instructions>', '<turn_aborted>',
  '<context_update>', '<skill>', '<skills_instructions>', '<user_shell_command>', '<subagent_notification>',
]

export function isInjectedContext(texts: string[]): boolean {
  return texts.some(text => {
    const start = text.trimStart().slice(0, 40).toLowerCase()
    return CONTEXT_MARKERS.some(marker => start.startsWith(marker))
  })
}

/** `message.content` items -> text and file parts; the texts are returned too, for the markers. */
export function contentParts(messageId: string, content: unknown): { parts: CodexPart[], texts: string[] } {
  const parts: CodexPart[] = []
  const texts: string[] = []
  const items = Array.isArray(content) ? content : typeof content === 'string' ? [{ type: 'input_text', text: content }] : []
  items.forEach((item, i) => {
    const id = `${messageId}.${i}`
    if (!isRecord(item)) return
    const text = str(item.text)
    if (text !== undefined) {
      texts.push(text)
      parts.push({ id, type: 'text', text })
      return
    }
    const url = str(item.image_url)
    if (url !== undefined) {
      parts.push(urlFilePart(id, url, 'image/*'))
      return
    }
    parts.push({ id, type: `x.codex.${safeName(str(item.type))}`, data: item })
  })
  return { parts, texts }
}

/** A record type usable in an `x.codex.<type>` name; anything else is `unknown`. */
export function safeName(type: string | undefined): string {
  return type !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(type) ? type : 'unknown'
}

/** A reasoning item's readable text: its summary, else its raw reasoning text; '' when only encrypted. */
export function reasoningText(payload: Record<string, unknown>): string {
  const texts = (list: unknown) => (Array.isArray(list) ? list : []).map(s => (isRecord(s) ? str(s.text) : undefined)).filter(t => t !== undefined)
  const summary = texts(payload.summary)
  return (summary.length > 0 ? summary : texts(payload.content)).join('\n\n')
}

/** The tool call a response item makes, or undefined when it is not one. */
export function toolCall(payload: Record<string, unknown>): { tool: string, callID: string | undefined, input: unknown, status: string } | undefined {
  switch (payload.type) {
    case 'function_call':
      return { tool: str(payload.name) ?? 'unknown', callID: str(payload.call_id), input: parseArguments(payload.arguments), status: 'pending' }
    case 'custom_tool_call':
      return { tool: str(payload.name) ?? 'unknown', callID: str(payload.call_id), input: parseArguments(payload.input), status: 'pending' }
    case 'local_shell_call':
      return { tool: 'local_shell', callID: str(payload.call_id), input: payload.action ?? {}, status: 'pending' }
    case 'web_search_call': {
      // No output item follows a web search: its own status is its end.
      const status = payload.status === 'completed' ? 'completed' : payload.status === 'failed' ? 'error' : 'pending'
      return { tool: 'web_search', callID: undefined, input: payload.action ?? {}, status }
    }
    default: return undefined
  }
}

/**
 * A `*_output` item's result: a string; a list of content items (texts joined, images
 * counted); or the older `{ content, success }`, where `success: false` is an error.
 */
export function toolOutput(output: unknown): { output: string, error: boolean } {
  if (typeof output === 'string') return { output, error: false }
  if (Array.isArray(output)) {
    const texts = output.map(item => (isRecord(item) ? str(item.text) ?? (item.image_url !== undefined ? '[image]' : undefined) : undefined))
    return { output: texts.filter(t => t !== undefined).join('\n'), error: false }
  }
  if (isRecord(output)) {
    const content = str(output.content) ?? JSON.stringify(output)
    return { output: content, error: output.success === false }
  }
  return { output: output === undefined ? '' : JSON.stringify(output), error: false }
}
