/**
 * Codex token counts -> usage events. `token_count` events repeat (the same call is reported
 * more than once) and carry the session's cumulative total, so each DISTINCT total becomes
 * one event holding the difference from the previous one: the events sum exactly to the
 * final total. Codex's `input_tokens` includes the cached ones and `output_tokens` the
 * reasoning ones; the journal's `input` is the uncached input (docs/usage.md), so
 * input = input_tokens - cached_input_tokens, cacheRead = cached_input_tokens,
 * output = output_tokens, reasoning = reasoning_output_tokens (a breakdown of output).
 */
import type { UsageBody } from '../core/usage.js'
import { isRecord, safeId } from './peer-records.js'

const FIELDS = ['input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'] as const


/** [uncached input, cached input, output, reasoning]. */
type Counts = [number, number, number, number]

export class CodexUsage {
  private previous: Counts | null = null
  private previousTotal = -1
  private readonly keys = new Set<string>()

  private readonly sessionId: string

  constructor(sessionId: string) {
    this.sessionId = safeId(sessionId, 'codex')
  }

  /**
   * One `token_count` payload -> a usage body, or null for a repeat (or an event without
   * totals). A string is returned for a payload that is not usable, to be reported.
   */
  next(payload: Record<string, unknown>, line: number, context: { model: string, provider?: string, messageId?: string }): UsageBody | null | string {
    const info = payload.info
    if (info === null || info === undefined) return null
    const total = isRecord(info) ? info.total_token_usage : undefined
    if (!isRecord(total)) return 'token_count without total_token_usage'
    const values: number[] = []
    for (const field of FIELDS) {
      const v = total[field] ?? 0
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `token_count: ${field} is not a non-negative integer`
      values.push(v)
    }
    const [input, cached, output, reasoning, totalTokens] = values as [number, number, number, number, number]
    const counts: Counts = [Math.max(0, input - cached), cached, output, reasoning]
    const previous = this.previous
    if (previous && totalTokens === this.previousTotal && counts.every((c, i) => c === previous[i])) return null
    let delta = counts.map((c, i) => c - (previous?.[i] ?? 0)) as Counts
    // Totals that went down started again from zero (a resumed process): count the new total whole.
    if (delta.some(d => d < 0)) delta = counts
    this.previous = counts
    this.previousTotal = totalTokens
    let key = `${this.sessionId}:${totalTokens}`
    if (this.keys.has(key)) key = `${key}:${line}`
    this.keys.add(key)
    return {
      type: 'usage', key,
      ...(context.messageId !== undefined ? { messageId: context.messageId } : {}),
      model: safeId(context.model, 'unknown'),
      ...(context.provider ? { provider: safeId(context.provider, 'unknown') } : {}),
      input: delta[0], output: delta[2], reasoning: delta[3], cacheRead: delta[1],
    }
  }
}
