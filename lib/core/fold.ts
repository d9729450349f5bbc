/**
 * The fold: a pure function from events to history. One pass, no I/O, no per-event copying
 * of messages: state is mutated in place and handed out once at the end, so folding a
 * stream costs memory in proportion to the result, not to the log.
 */
import type {
  HeaderEvent, JournalEvent, KeptEvent, Message, MessageEvent, Part, PartEvent, SessionInfo, UsageEvent,
} from './types.js'
import { addSessionEvent, emptySessionUsage } from './usage.js'

/** What the fold uses when the header is missing or damaged (from the file's name and folder). */
export interface FoldDefaults {
  id?: string
  projectId?: string
  projectPath?: string
}

/**
 * Events that are not conversation activity: they never move `updated`, so sharing a session
 * or setting a torn tail aside does not bring it to the top of a listing (summary.ts agrees).
 */
export const PASSIVE_EVENTS: ReadonlySet<string> = new Set(['share', 'unshare', 'repair'])

/** Most messages have a handful of parts: a linear search beats a Map until a message has many. */
const INDEX_PARTS_FROM = 24

interface Entry {
  message: Message
  /** Where the message stands in `messages`: reverts only cut the end, so it never moves. */
  at: number
  partIndex: Map<string, number> | null
}

/**
 * The LAST part with `partId`, whatever the message's size: the Map keeps the last index of
 * each id, and the linear search runs backwards, so both answer the same.
 */
function findPart(entry: Entry, partId: string): number {
  const parts = entry.message.parts
  if (entry.partIndex) return entry.partIndex.get(partId) ?? -1
  if (parts.length < INDEX_PARTS_FROM) {
    for (let i = parts.length - 1; i >= 0; i--) if (parts[i]!.id === partId) return i
    return -1
  }
  entry.partIndex = new Map(parts.map((p, i) => [p.id, i]))
  return entry.partIndex.get(partId) ?? -1
}

/** The fold in progress: push events one by one, take the result once (history.ts folds incrementally with it). */
export class FoldState {
  private readonly info: SessionInfo
  private readonly messages: Message[] = []
  private readonly byId = new Map<string, Entry>()
  private headerSeen = false
  /** Usage keys counted so far: a repeated key (a retried append, a resumed stream) counts once. */
  private readonly usageKeys = new Set<string>()

  constructor(defaults: FoldDefaults = {}) {
    this.info = {
      id: defaults.id ?? '',
      projectId: defaults.projectId ?? '',
      projectPath: defaults.projectPath ?? '',
      title: null,
      parentId: null,
      created: '',
      updated: '',
      share: null,
      usage: emptySessionUsage(),
      meta: { host: null, events: [] },
    }
  }

  push(event: JournalEvent): void {
    const info = this.info
    if (info.created === '') info.created = event.ts
    // A passive event still stands in when nothing else has happened yet (a log without a header).
    if (!PASSIVE_EVENTS.has(event.type) || info.updated === '') info.updated = event.ts
    switch (event.type) {
      case 'session': return this.header(event as HeaderEvent)
      case 'message': return this.message(event as MessageEvent)
      case 'part': return this.part(event as PartEvent)
      case 'title': info.title = (event as { title: string }).title; return
      case 'revert': return this.revert((event as { messageId: string }).messageId)
      case 'share': {
        const e = event as { url: string, shareId: string, ts: string }
        info.share = { url: e.url, shareId: e.shareId, ts: e.ts }
        return
      }
      case 'unshare': info.share = null; return
      // A log written by import() ends with `import`: a share before it was the original's.
      case 'import': info.share = null; return
      case 'repair': return
      // Counted once per key, and kept whole as older readers keep it (export and import carry it).
      case 'usage': this.usage(event as UsageEvent)
    }
    // Host-defined (x.*), usage and newer-version events are kept, in order, without seq:
    // seq numbers belong to one file and mean nothing after export or import.
    const { seq: _seq, ...kept } = event
    this.info.meta.events.push(kept as KeptEvent)
  }

  private usage(e: UsageEvent): void {
    if (this.usageKeys.has(e.key)) return
    this.usageKeys.add(e.key)
    addSessionEvent(this.info.usage, e)
  }

  /** The history so far. Hands out the fold's own objects: push no more after calling it. */
  result(): { info: SessionInfo, messages: Message[] } {
    return { info: this.info, messages: this.messages }
  }

  private header(e: HeaderEvent): void {
    if (this.headerSeen) return
    this.headerSeen = true
    const info = this.info
    info.id = e.id
    info.projectId = e.projectId
    info.projectPath = e.projectPath
    if (e.title !== null) info.title = e.title
    info.parentId = e.parentId
    info.created = e.ts
    info.meta.host = e.host ?? null
  }

  private message(e: MessageEvent): void {
    const message: Message = { id: e.id, role: e.role, created: e.ts, parts: e.parts.slice() }
    if (e.meta !== undefined) message.meta = e.meta
    const existing = this.byId.get(e.id)
    if (existing) {
      // A repeated message id replaces that message where it stands (first creation time kept).
      message.created = existing.message.created
      this.messages[existing.at] = message
      existing.message = message
      existing.partIndex = null
    } else {
      this.byId.set(e.id, { message, at: this.messages.length, partIndex: null })
      this.messages.push(message)
    }
  }

  private part(e: PartEvent): void {
    // A part for a reverted or unknown message has nothing to attach to: its line stays, unseen.
    const target = this.byId.get(e.messageId)
    if (!target) return
    const at = findPart(target, e.part.id)
    if (at === -1) {
      target.partIndex?.set(e.part.id, target.message.parts.length)
      target.message.parts.push(e.part as Part)
    } else {
      target.message.parts[at] = e.part as Part
    }
  }

  private revert(messageId: string): void {
    const target = this.byId.get(messageId)
    if (!target) return
    // Each message is cut at most once after it was pushed: reverts cost O(n) over a whole log.
    for (const removed of this.messages.splice(target.at)) this.byId.delete(removed.id)
  }
}

/** Folds events into `{ info, messages }`. Pure: the events are not modified. */
export function fold(events: Iterable<JournalEvent>, defaults?: FoldDefaults): { info: SessionInfo, messages: Message[] } {
  const folder = new FoldState(defaults)
  for (const event of events) folder.push(event)
  return folder.result()
}
