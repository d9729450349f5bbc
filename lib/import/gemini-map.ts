/**
 * A Gemini CLI session's records, in order -> journal event bodies. The file is a log of
 * edits to a message list: a record with a known id replaces that message (where it stands),
 * `$rewindTo` cuts a message and all after it (a `revert`), `$set` merges metadata
 * (`summary` -> title) and `$set.messages` replaces the whole list (a checkpoint: the
 * messages it changed are written again, the ones it dropped reverted). A message's time is
 * that of its first record: a checkpoint re-stamps them.
 */
import type { ImportProblem, PeerEvent } from './peer.js'
import { functionResponseIds, messageOf, usageOf } from './gemini-parts.js'
import { isRecord, isoTime, safeId } from './peer-records.js'

const TYPES = new Set(['user', 'gemini', 'info', 'error', 'warning'])

export function isMessageRecord(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.id === 'string' && typeof value.type === 'string'
}

export class GeminiMapper {
  readonly events: PeerEvent[] = []
  title: string | null = null
  /** The ids standing, in order (and as a set, to ask). */
  private order: string[] = []
  private readonly standing = new Set<string>()
  /** What each id was last written as, and when it was first seen. */
  private readonly written = new Map<string, { json: string, ts: string }>()
  private readonly counted = new Set<string>()
  private readonly calls = new Set<string>()
  private ts: string

  constructor(private readonly file: string, private readonly problems: ImportProblem[], created: string) {
    this.ts = created
  }

  problem(line: number | undefined, message: string): void {
    this.problems.push({ path: this.file, ...(line === undefined ? {} : { line }), message })
  }

  keep(type: string, data: unknown): void {
    this.events.push({ ts: this.ts, body: { type: `x.gemini.${type}`, data } })
  }

  /** One message record (a line, or an entry of a legacy file's `messages`). */
  message(record: Record<string, unknown>, line: number | undefined): void {
    if (!TYPES.has(record.type as string)) {
      this.problem(line, `unknown message type ${JSON.stringify(record.type).slice(0, 60)}`)
      return this.keep('message', record)
    }
    this.ts = isoTime(record.timestamp) ?? this.ts
    const id = safeId(record.id, 'unknown')
    // A user record that only repeats tool results already imported with their calls.
    this.noteCalls(record)
    if (this.repeatsResults(record)) return
    this.write(record, id, this.standing.has(id), line)
  }

  private noteCalls(record: Record<string, unknown>): void {
    if (!Array.isArray(record.toolCalls)) return
    for (const call of record.toolCalls) if (isRecord(call) && typeof call.id === 'string') this.calls.add(call.id)
  }

  /** A user record that only repeats tool results already imported with their calls. */
  private repeatsResults(record: Record<string, unknown>): boolean {
    const responses = record.type === 'user' ? functionResponseIds(record.content) : null
    return responses !== null && responses.every(r => this.calls.has(r))
  }

  private write(record: Record<string, unknown>, id: string, standing: boolean, line: number | undefined): void {
    const body = messageOf(record, this.calls)
    const json = JSON.stringify(body)
    const before = this.written.get(id)
    const ts = before?.ts ?? isoTime(record.timestamp) ?? this.ts
    if (!standing) {
      this.order.push(id)
      this.standing.add(id)
    }
    if (!standing || before?.json !== json) {
      this.events.push({ ts, body })
      this.written.set(id, { json, ts })
    }
    const usage = this.counted.has(id) ? null : usageOf(record, id)
    if (typeof usage === 'string') this.problem(line, `message ${id}: ${usage}`)
    else if (usage) {
      this.counted.add(id)
      this.events.push({ ts, body: usage })
    }
  }

  /** `$rewindTo`: that message and all after it go; an id not standing clears the list (as Gemini does). */
  rewind(target: string): void {
    const at = Math.max(0, this.order.indexOf(safeId(target, 'unknown')))
    this.cut(at)
  }

  private cut(at: number): void {
    if (at >= this.order.length) return
    this.events.push({ ts: this.ts, body: { type: 'revert', messageId: this.order[at]! } })
    for (const id of this.order.splice(at)) this.standing.delete(id)
  }

  /** `$set`: metadata merged; `summary` is the title; `messages` a checkpoint of the whole list. */
  set(update: Record<string, unknown>, line: number | undefined): void {
    this.ts = isoTime(update.lastUpdated) ?? this.ts
    const { messages, summary, lastUpdated: _clock, ...rest } = update
    if (Array.isArray(messages)) this.checkpoint(messages, line)
    if (typeof summary === 'string' && summary !== this.title) {
      this.title = summary
      this.events.push({ ts: this.ts, body: { type: 'title', title: summary } })
    }
    // A `$set` of the clock alone follows every message: it is the time, not an event.
    if (Object.keys(rest).length > 0 || (summary !== undefined && typeof summary !== 'string')) this.keep('set', { ...rest, ...(summary === undefined ? {} : { summary }) })
  }

  private checkpoint(messages: unknown[], line: number | undefined): void {
    const valid = messages.filter((m): m is Record<string, unknown> => {
      if (isMessageRecord(m)) return true
      this.problem(line, '$set.messages holds an entry that is not a message record')
      return false
    })
    for (const record of valid) this.noteCalls(record)
    const records = valid.filter(record => !this.repeatsResults(record))
    const ids = records.map(r => safeId(r.id, 'unknown'))
    let same = 0
    while (same < this.order.length && same < ids.length && this.order[same] === ids[same]) same++
    this.cut(same)
    records.forEach((record, i) => {
      if (!TYPES.has(record.type as string)) return this.message(record, line)
      this.write(record, ids[i]!, i < same, line)
    })
  }
}
