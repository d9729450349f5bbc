/**
 * Export: one session as a self-contained JSON document (docs/export.md, docs/export.schema.json).
 * `info` and `messages` are exactly what `read()` folds; `events`, when asked for, are the raw
 * events. `exportTo` writes the same document piece by piece for sessions too large to
 * hold as one JSON string: the output parses to exactly what `exportSession` returns, byte for
 * byte the same as `JSON.stringify(doc, null, 2)` plus a final newline.
 */
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { InvalidExportError } from '../core/errors.js'
import type { CorePorts } from '../core/ports.js'
import type { JournalEvent, Message, SessionInfo } from '../core/types.js'
import { redactValue, toRedactor, type Redactor } from './redact.js'
import { deeperThan, depthProblem, EXPORT_FORMAT, EXPORT_VERSION, MAX_EXPORT_DEPTH, TOO_DEEP, type ExportProblem } from './validate.js'

export { EXPORT_FORMAT, EXPORT_VERSION }

/** What export needs of the core. */
export type ExportPorts = Pick<CorePorts, 'readHistory' | 'events'>

export interface ExportOptions {
  /** Include the raw events of the log (header first) under `events`. */
  events?: boolean
  /** `true` for the built-in secret redactor, or a function applied to every string value. */
  redact?: boolean | Redactor
}

export interface ExportDocument {
  format: typeof EXPORT_FORMAT
  version: typeof EXPORT_VERSION
  info: SessionInfo
  messages: Message[]
  events?: JournalEvent[]
}

export interface StreamedExport {
  messages: number
  events: number
  /** Bytes written (UTF-8). */
  bytes: number
}

/**
 * Folds the log as `read()` does and counts the events it folded, so a second pass over the
 * raw events can stop at the same place even if a writer appends in between. Refuses a log
 * too deep for a document before anything is written: info and messages (and kept events)
 * once folded, and with `check` every event as it passes (exportTo holds none of them).
 */
async function foldCounting(ports: ExportPorts, id: string, keep?: JournalEvent[], check = false): Promise<{ info: SessionInfo, messages: Message[], count: number }> {
  let count = 0
  const { info, messages } = await ports.readHistory(id, {
    onBatch: batch => {
      for (const event of batch) {
        if (check && deeperThan(event, MAX_EXPORT_DEPTH - 2)) tooDeep(id, { path: `events[${count}]`, message: TOO_DEEP })
        keep?.push(event)
        count++
      }
    },
  })
  const problem = depthProblem({ info, messages, ...(keep ? { events: keep } : {}) })
  if (problem) tooDeep(id, problem)
  return { info, messages, count }
}

/**
 * A log written by another tool can hold an event nested deeper than any document may
 * (MAX_EXPORT_DEPTH): refused as a whole, before a byte is written.
 */
function tooDeep(id: string, problem: ExportProblem): never {
  throw new InvalidExportError(`session ${id} cannot be exported: ${problem.path} ${problem.message}`, { id })
}

export async function exportSession(ports: ExportPorts, id: string, options: ExportOptions = {}): Promise<ExportDocument> {
  const events: JournalEvent[] | undefined = options.events ? [] : undefined
  const { info, messages } = await foldCounting(ports, id, events)
  const doc: ExportDocument = { format: EXPORT_FORMAT, version: EXPORT_VERSION, info, messages }
  if (events) doc.events = events
  const redact = toRedactor(options.redact)
  return redact ? redactValue(doc, redact) : doc
}

/**
 * `value` pretty-printed as it stands `depth` levels deep in a 2-space-indented document:
 * stringified inside `depth` one-element arrays, whose brackets are then sliced off, which
 * is cheaper than re-indenting every line of a large message with a replace.
 */
function indented(value: unknown, depth: number): string {
  let wrapped = value
  for (let i = 0; i < depth; i++) wrapped = [wrapped]
  const text = JSON.stringify(wrapped, null, 2)
  // Line k of the prefix is 2k spaces, '[' and '\n'; the value's own first line is indented 2*depth.
  const head = depth * (depth + 1) + 2 * depth
  const tail = depth * depth + depth
  return text.slice(head, text.length - tail)
}

/**
 * Writes the document to `out` (pretty, 2-space indent) with backpressure, one message and one
 * event at a time: memory is the folded history, never the raw log or the whole JSON text.
 * Does not end `out` (it may be stdout); resolves once everything was handed to it.
 */
export async function exportTo(ports: ExportPorts, id: string, out: Writable, options: ExportOptions = {}): Promise<StreamedExport> {
  const redact = toRedactor(options.redact)
  const shape = <T>(value: T): T => (redact ? redactValue(value, redact) : value)
  const { info, messages, count } = await foldCounting(ports, id, undefined, options.events === true)
  let bytes = 0
  let pending = ''
  // Small pieces are gathered into ~64 KiB writes; big ones go out as they are.
  const write = async (text: string, flush = false) => {
    pending += text
    if (pending.length < 65536 && !flush) return
    const chunk = pending
    pending = ''
    bytes += Buffer.byteLength(chunk)
    if (!out.write(chunk)) await once(out, 'drain')
  }
  const nested = (value: unknown, indent: string) => indented(value, indent.length / 2)
  const array = async function* <T>(items: AsyncIterable<T> | Iterable<T>): AsyncGenerator<void> {
    let n = 0
    for await (const item of items) {
      await write(`${n++ === 0 ? '\n    ' : ',\n    '}${nested(shape(item), '    ')}`)
      yield
    }
    await write(n === 0 ? ']' : '\n  ]')
  }

  await write(`{\n  "format": ${JSON.stringify(EXPORT_FORMAT)},\n  "version": ${EXPORT_VERSION},\n  "info": ${nested(shape(info), '  ')},\n  "messages": [`)
  for await (const _ of array(messages)) { /* written */ }
  let events = 0
  if (options.events) {
    await write(',\n  "events": [')
    for await (const _ of array(firstEvents(ports, id, count))) events++
  }
  await write('\n}\n', true)
  return { messages: messages.length, events, bytes }
}

/** The log's first `count` events: what the fold pass saw, whatever was appended since. */
async function* firstEvents(ports: ExportPorts, id: string, count: number): AsyncGenerator<JournalEvent> {
  if (count === 0) return
  let n = 0
  for await (const event of ports.events(id)) {
    yield event
    if (++n === count) return
  }
}
