/**
 * A session as OpenCode's export document, `{ info, messages: [{ info, parts }] }`, which
 * `opencode import <file>` reads (docs/import.md#opencode-export). Ids become OpenCode's
 * (`ses_…`, `msg_…`, `prt_…`), derived from the journal's so the same session always exports
 * the same document; a session imported from OpenCode gets its own ids back. Parts OpenCode
 * does not know, or that lack what it requires, are filled in or written as text (opencode-parts.ts).
 */
import { createHash } from 'node:crypto'
import { SessionNotFoundError } from '../core/errors.js'
import type { CorePorts } from '../core/ports.js'
import type { History, JsonObject, Message } from '../core/types.js'
import { toOpenCodePart, isObject, type OpenCodeIds } from './opencode-parts.js'
import { redactValue, toRedactor, type Redactor } from './redact.js'

export type OpenCodeExportPorts = Pick<CorePorts, 'readHistory'>

/** The OpenCode version whose import this document was made for (and tested with). */
export const OPENCODE_VERSION = '1.18.33'

export interface OpenCodeDocument {
  info: JsonObject
  messages: Array<{ info: JsonObject, parts: JsonObject[] }>
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * OpenCode's id layout: 12 hex digits of (milliseconds * 4096 + a counter), inverted for
 * sessions (newest first), then 14 characters; here the 14 come from a hash of `seed`.
 */
export function openCodeId(prefix: 'ses' | 'msg' | 'prt', value: bigint, seed: string): string {
  const low = value & 0xffffffffffffn
  const hex = (prefix === 'ses' ? ~low & 0xffffffffffffn : low).toString(16).padStart(12, '0')
  const hash = createHash('sha256').update(seed).digest()
  let tail = ''
  for (let i = 0; i < 14; i++) tail += BASE62[hash[i]! % 62]
  return `${prefix}_${hex}${tail}`
}

const ms = (iso: string) => {
  const n = Date.parse(iso)
  return Number.isFinite(n) ? n : 0
}

/** The OpenCode session id a journal session had when it was imported from OpenCode. */
export function originOpenCodeId(history: Pick<History, 'info'>): string | undefined {
  const origin = history.info.meta.events.findLast(e => e.type === 'x.import.origin')
  const data = origin?.data
  return isObject(data) && data.tool === 'opencode' && typeof data.id === 'string' && /^ses[A-Za-z0-9_-]{1,200}$/.test(data.id) ? data.id : undefined
}

/** The session's OpenCode id: its original one, or one derived from the journal id. */
export function sessionIdOf(history: Pick<History, 'info'>): string {
  return originOpenCodeId(history) ?? openCodeId('ses', BigInt(ms(history.info.created)) * 4096n, history.info.id)
}

/** What OpenCode recorded about the session when it came from there (slug, project, version…). */
function openCodeSession(history: History): JsonObject {
  const kept = history.info.meta.events.findLast(e => e.type === 'x.opencode.session')?.data
  return isObject(kept) ? kept : {}
}

function slugOf(title: string | null): string {
  const words = (title ?? '').toLowerCase().match(/[a-z0-9]+/g) ?? []
  return words.slice(0, 4).join('-') || 'session'
}

function messageInfo(message: Message, ids: OpenCodeIds, sessionID: string, lastUser: string | undefined, history: History): JsonObject {
  const meta: JsonObject = message.meta ?? {}
  const created = ms(message.created)
  const time = isObject(meta.time) ? { ...meta.time, created } : { created }
  const model = isObject(meta.model) ? meta.model : { providerID: typeof meta.providerID === 'string' ? meta.providerID : 'session-journal', modelID: typeof meta.modelID === 'string' ? meta.modelID : typeof meta.model === 'string' ? meta.model : 'unknown' }
  const agent = typeof meta.agent === 'string' ? meta.agent : 'build'
  const id = ids.message(message)
  if (message.role !== 'assistant') {
    const info: JsonObject = { id, sessionID, role: 'user', time, agent, model }
    for (const key of ['summary', 'system', 'tools'] as const) if (meta[key] !== undefined) info[key] = meta[key]!
    return info
  }
  const tokens = isObject(meta.tokens) && typeof meta.tokens.input === 'number' ? meta.tokens : { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } }
  const info: JsonObject = {
    id,
    sessionID,
    role: 'assistant',
    time,
    parentID: lastUser ?? id,
    modelID: typeof model.modelID === 'string' ? model.modelID : 'unknown',
    providerID: typeof model.providerID === 'string' ? model.providerID : 'session-journal',
    mode: typeof meta.mode === 'string' ? meta.mode : agent,
    agent,
    path: isObject(meta.path) ? meta.path : { cwd: history.info.projectPath, root: history.info.projectPath },
    cost: typeof meta.cost === 'number' ? meta.cost : 0,
    tokens,
  }
  for (const key of ['finish', 'error', 'summary'] as const) if (meta[key] !== undefined) info[key] = meta[key]!
  return info
}

/** The document for a folded history (pure). `parentID`: the OpenCode id of its parent session. */
export function toOpenCode(history: History, parentID?: string): OpenCodeDocument {
  const { info } = history
  const sessionID = sessionIdOf(history)
  const kept = openCodeSession(history)
  let counter = BigInt(ms(info.created)) * 4096n
  const next = (iso: string) => {
    const at = BigInt(ms(iso)) * 4096n
    counter = at > counter ? at : counter + 1n
    return counter
  }
  const ids: OpenCodeIds = {
    message: m => (/^msg[A-Za-z0-9_-]{1,200}$/.test(m.id) ? m.id : openCodeId('msg', next(m.created), `${info.id}/${m.id}`)),
    part: (m, p) => (/^prt[A-Za-z0-9_-]{1,200}$/.test(p.id) ? p.id : openCodeId('prt', next(m.created), `${info.id}/${m.id}/${p.id}`)),
  }
  const messages: OpenCodeDocument['messages'] = []
  let lastUser: string | undefined
  for (const message of history.messages) {
    const mInfo = messageInfo(message, ids, sessionID, lastUser, history)
    const messageID = mInfo.id as string
    if (mInfo.role === 'user') lastUser = messageID
    const parts = message.parts.map(part => toOpenCodePart(part, message, { sessionID, messageID, id: ids.part(message, part) }))
    // A system message has no OpenCode role: it goes as a user message whose text is marked synthetic.
    if (message.role === 'system') for (const p of parts) if (p.type === 'text') p.synthetic = true
    messages.push({ info: mInfo, parts })
  }
  const doc: JsonObject = {
    id: sessionID,
    slug: typeof kept.slug === 'string' ? kept.slug : slugOf(info.title),
    projectID: typeof kept.projectID === 'string' ? kept.projectID : 'global',
    directory: info.projectPath,
    title: info.title ?? 'Untitled',
    version: typeof kept.version === 'string' ? kept.version : OPENCODE_VERSION,
    time: { created: ms(info.created), updated: ms(info.updated) },
  }
  if (parentID !== undefined) doc.parentID = parentID
  return { info: doc, messages }
}

export interface OpenCodeExportOptions {
  /** `true` for the built-in secret redactor, or a function applied to every string value. */
  redact?: boolean | Redactor
}

/** Reads the session (and its parent, for the parent's OpenCode id) and makes the document. */
export async function exportOpenCode(ports: OpenCodeExportPorts, id: string, options: OpenCodeExportOptions = {}): Promise<OpenCodeDocument> {
  const history = await ports.readHistory(id)
  const parent = history.info.parentId
  let parentID: string | undefined
  if (parent !== null) {
    try {
      parentID = sessionIdOf(await ports.readHistory(parent))
    } catch (error) {
      // A parent deleted since: the session goes without one.
      if (!(error instanceof SessionNotFoundError)) throw error
    }
  }
  const doc = toOpenCode(history, parentID)
  const redact = toRedactor(options.redact)
  return redact ? redactValue(doc, redact) : doc
}
