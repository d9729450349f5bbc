/**
 * `import <file|glob|->...`: export documents, or raw NDJSON event streams (a log, e.g.
 * `cat log.ndjson | session-journal import -`), which are parsed with ndjson and imported as
 * documents with events. Globs are expanded with fast-glob, so `'exports/*.json'` works the
 * same in every shell, Windows' included.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import fg from 'fast-glob'
import ndjson from 'ndjson'
import { InvalidExportError, UsageError } from '../core/errors.js'
import { eventProblem } from '../core/event.js'
import { EXPORT_FORMAT, EXPORT_VERSION } from '../export/export.js'
import { fold } from '../core/fold.js'
import type { JournalEvent } from '../core/types.js'
import type { Command } from './command.js'

export const importCommand: Command = {
  name: 'import',
  summary: 'Write an exported session (or a raw log) as a new session; prints its id',
  usage: '<file|glob|->... [--project DIR] [--new-id]',
  description: [
    'Reads an export document (or an NDJSON event log) from each <file> (globs like',
    '\'exports/*.json\' are expanded), or from stdin with "-", writes each as a new session',
    'and prints its id, one per line, in file-name order. The id of the document is kept',
    'unless --new-id is given; a taken id is an error (ERR_SESSION_EXISTS).',
  ].join('\n'),
  options: {
    project: { type: 'string', value: 'DIR', description: 'Put the session in project folder DIR' },
    'new-id': { type: 'boolean', description: 'Give the session a fresh id' },
  },
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(ctx) {
    const cwd = ctx.io.cwd ?? process.cwd()
    const sources = await expand(ctx.positionals, cwd)
    const project = ctx.string('project')
    for (const source of sources) {
      const text = source === '-' ? await readAll(ctx.io.stdin) : await fs.promises.readFile(path.resolve(cwd, source), 'utf8')
      const doc = isEventStream(text) ? await fromEvents(text) : parseDocument(text, source)
      const id = await ctx.journal.import(doc, {
        ...(project === undefined ? {} : { project: path.resolve(cwd, project) }),
        ...(ctx.flag('new-id') ? { newId: true } : {}),
      })
      await ctx.out(ctx.json ? `${JSON.stringify({ id, source })}\n` : `${id}\n`)
    }
    return 0
  },
}

/** Plain names stay as they are (a missing file is reported by its name); globs expand, sorted. */
async function expand(args: string[], cwd: string): Promise<string[]> {
  if (args.includes('-') && args.length > 1) throw new UsageError('import: "-" (stdin) cannot be combined with files')
  const out: string[] = []
  for (const arg of args) {
    if (arg === '-' || !fg.isDynamicPattern(arg)) {
      out.push(arg)
      continue
    }
    const matches = (await fg(arg, { cwd, onlyFiles: true, dot: false })).sort()
    if (matches.length === 0) throw new UsageError(`import: no file matches ${JSON.stringify(arg)}`)
    out.push(...matches)
  }
  return out
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
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
    throw new InvalidExportError(`${source === '-' ? 'stdin' : source} is not JSON: ${(error as Error).message}`)
  }
}

async function fromEvents(text: string): Promise<unknown> {
  const events: JournalEvent[] = []
  try {
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
