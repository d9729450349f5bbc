/**
 * Import: writes an export document back as a new log. With raw `events` the log is those
 * events again (seq renumbered from 0, header changed only in id/project when asked). Without,
 * the folded history is re-expressed as events whose timestamps make `read()` of the new
 * session deep-equal the original's: header at `info.created`, each message at its `created`,
 * kept events at their own ts, the share, and a final `import` event at `info.updated`.
 *
 * A share belongs to the session that published it: the fold ends at an `import` event any
 * share recorded before it, so the copy keeps the original's share events as history but is
 * not shared. Raw events that leave the session shared get that closing `import` too.
 */
import path from 'node:path'
import { InvalidExportError, UsageError } from '../core/errors.js'
import { FORMAT_VERSION } from '../core/event.js'
import { assertExport } from './validate.js'
import type { ExportDocument } from './export.js'
import { assertSessionId, newId as freshId } from '../core/ids.js'
import type { CorePorts } from '../core/ports.js'
import { projectIdOf } from '../core/paths.js'
import type { HeaderEvent } from '../core/types.js'

export interface ImportOptions {
  /** Put the session in this project folder instead of the one it was exported from. */
  project?: string
  /** `true`: a fresh id; a ULID: that id. Without it the document's id is kept. */
  newId?: boolean | string
  /** Names the input in error messages when it is text (a file name, `stdin`). */
  source?: string
}

/** What import needs of the core. */
export type ImportPorts = Pick<CorePorts, 'importLog'>

type Body = { type: string, [key: string]: unknown }
interface Timed { ts: string, body: Body }


export async function importSession(ports: ImportPorts, doc: unknown, options: ImportOptions = {}): Promise<string> {
  assertExport(doc)
  const d = doc as ExportDocument
  const original = d.events ? (d.events[0] as HeaderEvent) : undefined
  if (original && original.id !== d.info.id) {
    throw new InvalidExportError(`invalid export document: events[0].id ${original.id} is not info.id ${d.info.id}`)
  }
  const id = options.newId === true ? freshId()
    : typeof options.newId === 'string' ? assertSessionId(options.newId)
    : options.newId === undefined || options.newId === false ? d.info.id
    : badNewId(options.newId)

  // A share document (GET /api/share/:id) carries only the folder's name: a relative path is
  // resolved against the current folder, and the project id follows the path it became.
  const given = options.project ?? original?.projectPath ?? d.info.projectPath
  const kept = options.project === undefined && path.isAbsolute(given)
  const projectPath = kept ? given : path.resolve(given)
  const projectId = kept ? (original?.projectId ?? d.info.projectId) : projectIdOf(projectPath)
  const { seq: _seq, ...header } = original ?? {
    seq: 0,
    ts: d.info.created,
    type: 'session' as const,
    version: FORMAT_VERSION,
    id,
    projectId,
    projectPath,
    title: d.info.title,
    parentId: d.info.parentId,
    host: d.info.meta.host,
  }
  // All or nothing: the log appears under its id only once whole; the id must be free in every project.
  await ports.importLog({ ...header, id, projectId, projectPath },
    session => session.recordAll(d.events ? raw(d, d.events) : reexpress(d)))
  return id
}

function badNewId(value: unknown): never {
  throw new UsageError(`newId must be true or a session id, got ${JSON.stringify(value)}`)
}


/**
 * The history as events. Messages, kept events and the share are merged by ts (each list keeps
 * its own order, so a clock that stepped back never reorders messages), then `import` pins `updated`.
 */
function* reexpress(d: ExportDocument): Generator<Timed> {
  const messages: Timed[] = d.messages.map(m => ({
    ts: m.created,
    body: { type: 'message', id: m.id, role: m.role, parts: m.parts, ...(m.meta === undefined ? {} : { meta: m.meta }) },
  }))
  const kept: Timed[] = d.info.meta.events.map(({ ts, ...body }) => ({ ts, body: body as Body }))
  const share: Timed[] = d.info.share ? [{ ts: d.info.share.ts, body: { type: 'share', url: d.info.share.url, shareId: d.info.share.shareId } }] : []
  const lists = [messages, kept, share]
  const at = lists.map(() => 0)
  for (;;) {
    let pick = -1
    for (let i = 0; i < lists.length; i++) {
      const head = lists[i]![at[i]!]
      if (head && (pick === -1 || head.ts < lists[pick]![at[pick]!]!.ts)) pick = i
    }
    if (pick === -1) break
    yield lists[pick]![at[pick]!++]!
  }
  yield closing(d)
}

/** The events again; a log that is shared at its end is closed, so the copy is not. */
function* raw(d: ExportDocument, events: NonNullable<ExportDocument['events']>): Generator<Timed> {
  let shared = false
  for (const { seq: _s, ts, ...body } of events.slice(1)) {
    if (['share', 'unshare', 'import'].includes(body.type)) shared = body.type === 'share'
    yield { ts, body }
  }
  if (shared) yield closing(d)
}

/** The copy's own life starts here: `updated` is the original's, and no share of the original's goes on. */
function closing(d: ExportDocument): Timed {
  return { ts: d.info.updated, body: { type: 'import', from: d.info.id } }
}

