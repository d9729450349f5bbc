/**
 * A hand-written validator for export documents that mirrors docs/export.schema.json rule for
 * rule (the tests run both on the same good and bad documents and expect the same verdict and
 * the same first path). It exists so import() needs no schema engine at run time and can name
 * the first bad path in plain words: `messages[3].parts[0].type must be a string`.
 */
import { InvalidExportError } from '../core/errors.js'
import { MAX_JSON_DEPTH } from '../core/event.js'
import { ULID_PATTERN } from '../core/ids.js'
import { usageFieldProblem } from './usage-fields.js'

export const EXPORT_FORMAT = 'session-journal'
export const EXPORT_VERSION = 1

const PROJECT_ID = /^[a-z0-9][a-z0-9._-]{0,47}-[0-9a-f]{12}$/
const ROLES = ['user', 'assistant', 'system']
const FOLDED_TYPES = ['session', 'message', 'part', 'title', 'revert', 'share', 'unshare', 'repair', 'import']

/**
 * Levels of arrays and objects an export document may nest. Content the journal accepts nests
 * MAX_JSON_DEPTH levels and sits at most 5 levels down (`info.meta.events[i].data`), so every
 * log the journal wrote exports; deeper is refused before JSON.stringify or a recursive reader
 * would overflow the stack on it.
 */
export const MAX_EXPORT_DEPTH = MAX_JSON_DEPTH + 5

/** Where a problem is and what it is. `path` is '' for the document itself. */
export interface ExportProblem {
  path: string
  message: string
}

class Problem extends Error {
  constructor(readonly at: string, readonly why: string) { super(why) }
}

type Obj = Record<string, unknown>
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const join = (base: string, key: string) => (base === '' ? key : `${base}.${key}`)

function object(v: unknown, at: string, required: string[], allowed?: string[]): Obj {
  if (!isObject(v)) throw new Problem(at, 'must be an object')
  for (const key of required) if (!(key in v)) throw new Problem(join(at, key), 'is required')
  if (allowed) for (const key of Object.keys(v)) if (!allowed.includes(key)) throw new Problem(join(at, key), 'is not allowed here')
  return v
}
function string(v: unknown, at: string, pattern?: RegExp, what?: string): void {
  if (typeof v !== 'string') throw new Problem(at, 'must be a string')
  if (pattern && !pattern.test(v)) throw new Problem(at, `must be ${what}`)
}
function stringOrNull(v: unknown, at: string): void {
  if (v !== null && typeof v !== 'string') throw new Problem(at, 'must be a string or null')
}
function array(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new Problem(at, 'must be an array')
  return v
}
function role(v: unknown, at: string): void {
  if (!ROLES.includes(v as string)) throw new Problem(at, `must be one of ${ROLES.join(', ')}`)
}
/** Optional properties are checked only when present, as `properties` does in the schema. */
function optional(o: Obj, key: string, at: string, check: (v: unknown, at: string) => void): void {
  if (key in o) check(o[key], join(at, key))
}

function host(v: unknown, at: string): void {
  if (v === null) return
  const h = object(v, at, ['name'])
  string(h.name, join(at, 'name'))
  optional(h, 'version', at, string)
}

function part(v: unknown, at: string): void {
  const p = object(v, at, ['id', 'type'])
  string(p.id, join(at, 'id'))
  string(p.type, join(at, 'type'))
}

function parts(v: unknown, at: string): void {
  array(v, at).forEach((p, i) => part(p, `${at}[${i}]`))
}

function meta(v: unknown, at: string): void {
  object(v, at, [])
}

function keptEvent(v: unknown, at: string): void {
  const e = object(v, at, ['ts', 'type'])
  if ('seq' in e) throw new Problem(join(at, 'seq'), 'is not allowed here (kept events carry no seq)')
  string(e.ts, join(at, 'ts'))
  string(e.type, join(at, 'type'))
  if (FOLDED_TYPES.includes(e.type as string)) throw new Problem(join(at, 'type'), `must not be a folded type (${FOLDED_TYPES.join(', ')})`)
  if (e.type === 'usage') usage(e, at)
}

function usage(e: Obj, at: string): void {
  const problem = usageFieldProblem(e, at)
  if (problem) throw new Problem(...problem)
}

function info(v: unknown, at: string): void {
  const i = object(v, at, ['id', 'projectId', 'projectPath', 'title', 'parentId', 'created', 'updated', 'share', 'meta'],
    ['id', 'projectId', 'projectPath', 'title', 'parentId', 'created', 'updated', 'share', 'usage', 'meta'])
  string(i.id, join(at, 'id'), ULID_PATTERN, 'a ULID')
  string(i.projectId, join(at, 'projectId'), PROJECT_ID, 'a project id')
  string(i.projectPath, join(at, 'projectPath'))
  stringOrNull(i.title, join(at, 'title'))
  stringOrNull(i.parentId, join(at, 'parentId'))
  string(i.created, join(at, 'created'))
  string(i.updated, join(at, 'updated'))
  if (i.share !== null) {
    const s = object(i.share, join(at, 'share'), ['url', 'shareId', 'ts'], ['url', 'shareId', 'ts'])
    string(s.url, join(at, 'share.url'))
    string(s.shareId, join(at, 'share.shareId'))
    string(s.ts, join(at, 'share.ts'))
  }
  // Derived from the usage events (import recomputes it): only its shape is checked.
  optional(i, 'usage', at, meta)
  const m = object(i.meta, join(at, 'meta'), ['host', 'events'], ['host', 'events'])
  host(m.host, join(at, 'meta.host'))
  array(m.events, join(at, 'meta.events')).forEach((e, n) => keptEvent(e, `${at}.meta.events[${n}]`))
}

function message(v: unknown, at: string): void {
  const m = object(v, at, ['id', 'role', 'created', 'parts'], ['id', 'role', 'created', 'parts', 'meta'])
  string(m.id, join(at, 'id'))
  role(m.role, join(at, 'role'))
  string(m.created, join(at, 'created'))
  parts(m.parts, join(at, 'parts'))
  optional(m, 'meta', at, meta)
}

function seq(v: unknown, at: string): void {
  if (!Number.isInteger(v)) throw new Problem(at, 'must be an integer')
  if ((v as number) < 0) throw new Problem(at, 'must be >= 0')
}

function header(v: unknown, at: string): void {
  const h = object(v, at, ['seq', 'ts', 'type', 'id', 'projectId', 'projectPath', 'title', 'parentId'])
  seq(h.seq, join(at, 'seq'))
  string(h.ts, join(at, 'ts'))
  if (h.type !== 'session') throw new Problem(join(at, 'type'), 'must be "session" (the header comes first)')
  string(h.id, join(at, 'id'), ULID_PATTERN, 'a ULID')
  string(h.projectId, join(at, 'projectId'), PROJECT_ID, 'a project id')
  string(h.projectPath, join(at, 'projectPath'))
  stringOrNull(h.title, join(at, 'title'))
  stringOrNull(h.parentId, join(at, 'parentId'))
  optional(h, 'host', at, host)
}

/** The common fields, then the fields each known type needs (as the reader checks them). */
function event(v: unknown, at: string): void {
  const e = object(v, at, ['seq', 'ts', 'type'])
  seq(e.seq, join(at, 'seq'))
  string(e.ts, join(at, 'ts'))
  string(e.type, join(at, 'type'))
  const field = (key: string) => join(at, key)
  const need = (...keys: string[]) => { for (const key of keys) if (!(key in e)) throw new Problem(field(key), 'is required') }
  switch (e.type) {
    case 'session':
      need('id', 'projectId', 'projectPath', 'title', 'parentId')
      string(e.id, field('id')); string(e.projectId, field('projectId')); string(e.projectPath, field('projectPath'))
      stringOrNull(e.title, field('title')); stringOrNull(e.parentId, field('parentId'))
      return
    case 'message':
      need('id', 'role', 'parts')
      string(e.id, field('id')); role(e.role, field('role')); parts(e.parts, field('parts'))
      optional(e, 'meta', at, meta)
      return
    case 'part':
      need('messageId', 'part')
      string(e.messageId, field('messageId')); part(e.part, field('part'))
      return
    case 'title': need('title'); string(e.title, field('title')); return
    case 'revert': need('messageId'); string(e.messageId, field('messageId')); return
    case 'share': need('url', 'shareId'); string(e.url, field('url')); string(e.shareId, field('shareId')); return
    case 'usage': usage(e, at); return
  }
}

export const TOO_DEEP = `nests deeper than an export document may (${MAX_EXPORT_DEPTH} levels from its top)`

/** True when `value` nests more than `levels` levels of arrays and objects. A loop: any depth is safe. */
export function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  const nodes: object[] = [value]
  const depths: number[] = [1]
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const depth = depths.pop()!
    // A cycle only ever goes deeper, so it ends here too.
    if (depth > levels) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) {
        nodes.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}

/**
 * The first part of a document (info, a message, an event) that nests past MAX_EXPORT_DEPTH
 * counted from the document's top, or undefined. Beyond the schema, which cannot say it.
 */
export function depthProblem(doc: { info?: unknown, messages?: unknown, events?: unknown }): ExportProblem | undefined {
  const message = TOO_DEEP
  if (deeperThan(doc.info, MAX_EXPORT_DEPTH - 1)) return { path: 'info', message }
  for (const key of ['messages', 'events'] as const) {
    const items = doc[key]
    if (!Array.isArray(items)) continue
    const at = items.findIndex(item => deeperThan(item, MAX_EXPORT_DEPTH - 2))
    if (at !== -1) return { path: `${key}[${at}]`, message }
  }
  return undefined
}

/** The first problem in `doc`, in the order the schema's keywords name them, or undefined. */
export function exportProblem(doc: unknown): ExportProblem | undefined {
  try {
    const d = object(doc, '', ['format', 'version', 'info', 'messages'], ['format', 'version', 'info', 'messages', 'events'])
    if (d.format !== EXPORT_FORMAT) throw new Problem('format', `must be "${EXPORT_FORMAT}"`)
    if (d.version !== EXPORT_VERSION) throw new Problem('version', `must be ${EXPORT_VERSION}`)
    info(d.info, 'info')
    array(d.messages, 'messages').forEach((m, i) => message(m, `messages[${i}]`))
    if ('events' in d) {
      const events = array(d.events, 'events')
      if (events.length === 0) throw new Problem('events', 'must hold at least the header')
      header(events[0], 'events[0]')
      for (let i = 1; i < events.length; i++) event(events[i], `events[${i}]`)
    }
    return depthProblem(d)
  } catch (error) {
    if (error instanceof Problem) return { path: error.at, message: error.why }
    throw error
  }
}

/** Throws ERR_INVALID_EXPORT naming the first bad path. */
export function assertExport(doc: unknown): void {
  const problem = exportProblem(doc)
  if (problem) {
    throw new InvalidExportError(`invalid export document: ${problem.path === '' ? 'the document' : problem.path} ${problem.message}`)
  }
}
