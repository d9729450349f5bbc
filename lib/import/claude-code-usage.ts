/**
 * Claude Code's token counts as usage events. One API response is written as several lines,
 * each repeating `usage`, and lines written while it streamed can carry partial counts: so one
 * event per (`message.id`, `requestId`), each field at its largest value over the pair's lines,
 * key `<message.id>:<requestId>`. Every assistant line counts, on the history or not (an
 * abandoned branch's tokens were spent too); `<synthetic>` lines (the tool's own error notes)
 * used no API. The file's last response, while none of its lines has a stop reason, is still
 * streaming: its counts are left for the next import (a key, once written, counts once). Pure.
 */
import { isObj, messageIdOf, str, type Line } from './claude-code-history.js'
import type { PeerEvent } from './peer.js'

const FIELDS = [
  ['input', 'input_tokens'],
  ['output', 'output_tokens'],
  ['cacheRead', 'cache_read_input_tokens'],
  ['cacheWrite', 'cache_creation_input_tokens'],
] as const

const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0)

export function usageEvents(lines: readonly Line[], ts: (l: Line) => string): Array<{ order: number, event: PeerEvent }> {
  const pairs = new Map<string, { last: Line, stopped: boolean, body: Record<string, unknown> }>()
  for (const l of lines) {
    const message = l.rec.message
    if (l.rec.type !== 'assistant' || !isObj(message) || !isObj(message.usage)) continue
    const id = messageIdOf(l.rec)
    const model = str(message.model) && message.model !== '' ? message.model.slice(0, 256) : undefined
    if (id === undefined || model === undefined || model === '<synthetic>') continue
    const key = `${id}:${str(l.rec.requestId) ? l.rec.requestId : ''}`.slice(0, 256)
    let pair = pairs.get(key)
    if (pair === undefined) {
      pair = { last: l, stopped: false, body: { type: 'usage', key, messageId: id.slice(0, 256), model, provider: 'anthropic', input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }
      pairs.set(key, pair)
    }
    pair.last = l
    if (str(message.stop_reason)) pair.stopped = true
    for (const [field, source] of FIELDS) pair.body[field] = Math.max(pair.body[field] as number, count(message.usage[source]))
  }
  // Right after the pair's last line: the response's counts are final there.
  const all = [...pairs.values()]
  const streaming = all.at(-1)
  if (streaming !== undefined && !streaming.stopped && !lines.slice(lines.indexOf(streaming.last) + 1).some(l => l.rec.type === 'user')) all.pop()
  return all.map(p => ({ order: p.last.line + 0.5, event: { ts: ts(p.last), body: p.body as PeerEvent['body'] } }))
}
