/**
 * Text to import: an export document (JSON), or a raw NDJSON event log (`cat log.ndjson |
 * session-journal import -`), which becomes a document with events. So a host that holds the
 * text of either can import it as the CLI does.
 */
import { Readable } from 'node:stream'
import { InvalidExportError } from '../core/errors.js'
import { eventProblem } from '../core/event.js'
import { fold } from '../core/fold.js'
import type { JournalEvent } from '../core/types.js'
import { EXPORT_FORMAT, EXPORT_VERSION } from './validate.js'

/** Parses `text` into a value for import(); `source` names it in errors (a file, or stdin). */
export async function parseImportText(text: string, source = 'the text'): Promise<unknown> {
  return isEventStream(text) ? fromEvents(text) : parseDocument(text, source)
}

/** A log's first line is a whole JSON header event; a document's is `{` or the whole document. */
function isEventStream(text: string): boolean {
  const first = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')).trim()
  try {
    const value = JSON.parse(first) as { type?: unknown, seq?: unknown }
    return value?.type === 'session' && 'seq' in value
  } catch {
    return false
  }
}

function parseDocument(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new InvalidExportError(`${source} is not JSON: ${(error as Error).message}`)
  }
}

async function fromEvents(text: string): Promise<unknown> {
  const events: JournalEvent[] = []
  try {
    // Loaded here, not at start-up: only raw-log imports need it.
    const { default: ndjson } = await import('ndjson')
    for await (const event of Readable.from([text]).pipe(ndjson.parse({ strict: true }))) events.push(event as JournalEvent)
  } catch (error) {
    throw new InvalidExportError(`event stream is not NDJSON: ${(error as Error).message}`)
  }
  // Checked as the reader checks lines before folding: the fold trusts its input.
  events.forEach((event, i) => {
    const problem = eventProblem(event) ?? (i === 0 && event.type !== 'session' ? 'the first event is not the session header' : undefined)
    if (problem) throw new InvalidExportError(`event stream line ${i + 1}: ${problem}`)
  })
  // A seq that does not grow is a duplicated or interleaved line: read() skips it, so does import.
  let last = -1
  const kept = events.filter(event => event.seq > last && (last = event.seq, true))
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, ...fold(kept), events: kept }
}
