/**
 * OpenCode's session -> a PeerSession: pure, shared by the three sources (export documents,
 * the 1.1.x storage tree, the 1.18 database), which each read a session into the shape of an
 * export document first. OpenCode's parts already are the journal's part convention, so they
 * are kept as they are, minus their `sessionID`/`messageID` (the message holds them).
 * docs/import.md#opencode has the mapping table.
 */
import { assertPlainJson } from '../core/event.js'
import { usageProblem } from '../core/usage.js'
import { MAX_INLINE_BYTES, type ImportProblem, type PeerEvent, type PeerSession } from './peer.js'

type Json = Record<string, unknown>

/** One session as an export document holds it: `{ info, messages: [{ info, parts }] }`. */
export interface OpenCodeSession {
  info: Json
  messages: Array<{ info: unknown, parts: unknown[] }>
  /** Records beside the session (its todo list), when the source has them. */
  todos?: unknown
}

/** OpenCode's session ids: `ses_` and letters and digits; nothing that could climb a path. */
const SESSION_ID = /^ses[A-Za-z0-9_-]{1,200}$/

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const isRef = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** Epoch milliseconds -> ISO, or undefined for anything that is not a representable time. */
export function isoTime(ms: unknown): string | undefined {
  const n = num(ms)
  return n !== undefined && Math.abs(n) <= 8.64e15 ? new Date(n).toISOString() : undefined
}

/** `value` without `keys`; defined, not assigned, so a `__proto__` key stays a plain own key. */
function without(value: Json, ...keys: string[]): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  return out
}

/** The bytes a `data:` URL holds. */
function dataBytes(url: string): number {
  const comma = url.indexOf(',')
  const payload = url.slice(comma + 1)
  return url.slice(0, comma).endsWith(';base64') ? Buffer.byteLength(payload, 'base64') : payload.length
}

/** A data URL past MAX_INLINE_BYTES is left out, its size kept (the import conventions, peer.ts). */
function slimFile(file: Json): Json {
  const url = file.url
  if (typeof url !== 'string' || !url.startsWith('data:') || url.length <= MAX_INLINE_BYTES) return file
  const size = dataBytes(url)
  return size <= MAX_INLINE_BYTES ? file : { ...without(file, 'url'), size }
}

function slimPart(part: Json): Json {
  if (part.type === 'file') return slimFile(part)
  const state = part.state
  if (part.type === 'tool' && isObject(state) && Array.isArray(state.attachments)) {
    return { ...part, state: { ...state, attachments: state.attachments.map(a => (isObject(a) ? slimFile(a) : a)) } }
  }
  return part
}

/** Is it storable as an event field (plain JSON, not nested past the journal's limit)? */
function storable(value: unknown): string | undefined {
  try {
    assertPlainJson(value, '')
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

interface Mapping {
  path: string
  problems: ImportProblem[]
  events: PeerEvent[]
}

function problem(m: Mapping, message: string): void {
  m.problems.push({ path: m.path, message })
}

/** A record the journal has no event for: kept as `x.opencode.<type>`, unless it cannot be stored. */
function keep(m: Mapping, ts: string, type: string, data: unknown): void {
  const bad = storable(data)
  if (bad) return problem(m, `${type} not imported: it${bad}`)
  m.events.push({ ts, body: { type: `x.opencode.${type}`, data } })
}

/** One `usage` per model step: the step-finish parts, or the message's own tokens when it has none. */
function usageOf(m: Mapping, info: Json, key: string, tokens: unknown, cost: unknown, ts: string): void {
  if (!isObject(tokens)) return
  const cache = isObject(tokens.cache) ? tokens.cache : {}
  const reasoning = num(tokens.reasoning) ?? 0
  const body: Json = {
    type: 'usage',
    key,
    messageId: info.id,
    model: isRef(info.modelID) ? info.modelID : 'unknown',
    ...(isRef(info.providerID) ? { provider: info.providerID } : {}),
    input: tokens.input,
    // OpenCode counts reasoning apart from output; the journal's output includes it (docs/usage.md).
    output: typeof tokens.output === 'number' ? tokens.output + reasoning : tokens.output,
    reasoning,
    cacheRead: cache.read ?? 0,
    cacheWrite: cache.write ?? 0,
    ...(num(cost) !== undefined ? { cost, currency: 'USD' } : {}),
  }
  // A step that used nothing (an import, an aborted call) is no usage to count.
  if (['input', 'output', 'cacheRead', 'cacheWrite'].every(k => body[k] === 0) && !num(cost)) return
  const bad = usageProblem(without(body, 'type'), true)
  if (bad) return problem(m, `message ${String(info.id)}: usage of ${key} not imported: ${bad}`)
  m.events.push({ ts, body: body as PeerEvent['body'] })
}

function mapMessage(m: Mapping, raw: { info: unknown, parts: unknown[] }, index: number, fallbackTs: string): void {
  const info = raw.info
  const at = `messages[${index}]`
  if (!isObject(info) || !isRef(info.id) || (info.role !== 'user' && info.role !== 'assistant')) {
    problem(m, `${at} is not a user or assistant message with an id: kept as x.opencode.message`)
    return keep(m, fallbackTs, 'message', raw)
  }
  const time = isObject(info.time) ? info.time : {}
  const ts = isoTime(time.created) ?? fallbackTs
  const parts: Json[] = []
  const steps: Json[] = []
  for (const [i, p] of raw.parts.entries()) {
    if (!isObject(p) || !isRef(p.id) || typeof p.type !== 'string' || p.type === '') {
      problem(m, `message ${info.id}: part ${i} has no id or type: kept as x.opencode.part`)
      keep(m, ts, 'part', { messageId: info.id, part: p })
      continue
    }
    const part = slimPart(without(p, 'sessionID', 'messageID'))
    const bad = storable(part)
    if (bad) {
      problem(m, `message ${info.id}: part ${p.id} not imported: it${bad}`)
      continue
    }
    parts.push(part)
    if (part.type === 'step-finish') steps.push(part)
  }
  // The message's own fields (model, agent, tokens, times…) in OpenCode's words.
  const meta = without(info, 'id', 'sessionID', 'role')
  const texts = parts.filter(p => p.type === 'text')
  if (info.summary === true) Object.assign(meta, { synthetic: true, compaction: true })
  else if (texts.length > 0 && texts.every(p => p.synthetic === true)) meta.synthetic = true
  const bad = storable(meta)
  if (bad) problem(m, `message ${info.id}: its info (model, tokens, times) not imported: it${bad}`)
  m.events.push({ ts, body: { type: 'message', id: info.id, role: info.role, parts, ...(bad ? {} : { meta }) } })
  if (info.role !== 'assistant') return
  const done = isoTime(time.completed) ?? ts
  for (const step of steps) usageOf(m, info, step.id as string, step.tokens, step.cost, done)
  if (steps.length === 0) usageOf(m, info, info.id, info.tokens, info.cost, done)
}

/** The session, mapped; `problems` gathers what the reader already found wrong. */
export function mapSession(session: OpenCodeSession, path: string, problems: ImportProblem[] = []): PeerSession {
  const { info } = session
  const id = info.id as string
  const m: Mapping = { path, problems, events: [] }
  const time = isObject(info.time) ? info.time : {}
  const firstMessage = session.messages.find(x => isObject(x.info) && isObject(x.info.time))
  let created = isoTime(time.created) ?? isoTime((firstMessage?.info as { time: Json } | undefined)?.time.created)
  if (created === undefined) {
    problem(m, `session ${id} has no time.created`)
    created = new Date(0).toISOString()
  }
  const updated = isoTime(time.updated) ?? created
  keep(m, created, 'session', without(info, 'id', 'title', 'directory', 'parentID', 'share', 'revert'))
  session.messages.forEach((raw, i) => mapMessage(m, raw, i, created))
  if (session.todos !== undefined) keep(m, updated, 'todo', session.todos)
  const share = isObject(info.share) && typeof info.share.url === 'string' ? info.share.url : undefined
  if (share !== undefined) keep(m, updated, 'share', { url: share })
  const revert = info.revert
  if (isObject(revert) && isRef(revert.messageID)) {
    m.events.push({ ts: updated, body: { type: 'revert', messageId: revert.messageID } })
    // A part to revert from, a snapshot, a diff: what a journal revert cannot say.
    if (Object.keys(revert).length > 1) keep(m, updated, 'revert', revert)
  } else if (revert !== undefined && revert !== null) {
    problem(m, `session ${id}: revert without a messageID: kept as x.opencode.revert`)
    keep(m, updated, 'revert', revert)
  }
  return {
    origin: { tool: 'opencode', id, path, version: typeof info.version === 'string' ? info.version : null },
    projectPath: typeof info.directory === 'string' ? info.directory : '',
    title: typeof info.title === 'string' ? info.title : null,
    created,
    parentOriginId: isRef(info.parentID) ? info.parentID : null,
    events: m.events,
    problems: m.problems,
  }
}

/** An export document (or what a reader built like one) -> its session, or why it is not one. */
export function asSession(doc: unknown): OpenCodeSession | string {
  if (!isObject(doc)) return 'not a JSON object'
  if (!isObject(doc.info)) return 'no "info" object'
  if (typeof doc.info.id !== 'string' || !SESSION_ID.test(doc.info.id)) return 'info.id is not an OpenCode session id (ses_…)'
  if (!Array.isArray(doc.messages)) return 'no "messages" array'
  const messages = doc.messages.map(x => (isObject(x) ? { info: x.info, parts: Array.isArray(x.parts) ? x.parts : [] } : { info: x, parts: [] }))
  return { info: doc.info, messages }
}
