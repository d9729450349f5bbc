/**
 * One log's catch-up: the events appended since the last one, applied with the rules of
 * core/fold.ts (a repeated message id replaces that message where it stands; a part replaces
 * the part with its id or is added; parts of unknown or reverted messages are ignored; a
 * revert hides that message and every later one; the last title wins). Events change
 * messages in memory; the result is one write per touched message (writes.ts), so a part
 * streamed 500 times costs one row update, not 500. Nothing is written here: the index is
 * only read, for the messages the events touch. test/search/fold.test.ts holds the indexed
 * text equal to what read()'s messages give.
 */
import type { HeaderEvent, JournalEvent, MessageEvent, Part, PartEvent, Role } from '../core/types.js'
import type { Db } from './db.js'
import { clean, segment } from './text.js'
import type { LogRow, LogWrite, MessageWrite } from './writes.js'

/** A part of a message in memory: the segment it had in the stored text, or the part itself once changed. */
interface PartSlot { id: string, start: number, len: number, part: Part | null }

/** A message the events touched: what its write says, and its parts until then. */
interface Msg extends Pick<MessageWrite, 'doc' | 'id' | 'position' | 'role' | 'created' | 'reverted'> {
  parts: PartSlot[]
  /** Its text must be made again (some part changed, or the whole message). */
  changed: boolean
}

type Statements = ReturnType<typeof prepare>
const prepared = new WeakMap<Db, Statements>()

function prepare(db: Db) {
  return {
    findMsg: db.prepare('SELECT id, position, role, created, spans FROM docs WHERE log = ? AND msg = ? AND reverted = 0'),
    text: db.prepare('SELECT text FROM fts WHERE rowid = ?').pluck(),
  }
}

function statements(db: Db): Statements {
  let st = prepared.get(db)
  if (!st) prepared.set(db, st = prepare(db))
  return st
}

export class LogIndex {
  private readonly st: Statements
  /** Messages looked at, by id: the visible one, or null when none is visible. */
  private readonly visible = new Map<string, Msg | null>()
  private readonly touched = new Set<Msg>()
  private titleTs: string | null = null
  /** Messages already in the index from this position on are reverted (and no longer found meanwhile). */
  private revertedFrom = Number.POSITIVE_INFINITY
  /** The log's row as this catch-up leaves it. */
  private readonly row: Omit<LogRow, 'id' | 'title_doc'>

  /**
   * `from`: the row to go on from, or null to read the log from the start (new to the index,
   * or replaced: then `replaced` is the row it had). `start`: a new row's values until the
   * header says more (the defaults the fold uses).
   */
  constructor(db: Db, private readonly from: LogRow | null, start: Omit<LogRow, 'id' | 'title_doc'>, private readonly replaced: LogRow | null) {
    this.st = statements(db)
    const { id: _id, title_doc: _doc, ...row } = from ?? { ...start, id: 0, title_doc: null }
    this.row = row
  }

  push(event: JournalEvent): void {
    switch (event.type) {
      case 'session': return this.header(event as HeaderEvent)
      case 'message': return this.message(event as MessageEvent)
      case 'part': return this.part(event as PartEvent)
      case 'title': return this.title((event as { title: string }).title, event.ts)
      case 'revert': return this.revert((event as { messageId: string }).messageId)
    }
  }

  /** What to write: every touched message once, the title, and where the scan stopped. */
  result(position: { offset: number, lines: number, lastSeq: number }, size: number): LogWrite {
    const seen = this.from ?? this.replaced
    return {
      kind: 'log',
      from: seen ? { ino: seen.ino, born: seen.born, offset: seen.offset } : null,
      fresh: this.from === null,
      row: { ...this.row, size: Math.max(size, position.offset), offset: position.offset, lines: position.lines, last_seq: position.lastSeq },
      revertedFrom: this.revertedFrom === Number.POSITIVE_INFINITY ? null : this.revertedFrom,
      messages: [...this.touched].map(msg => this.write(msg)),
      title: this.titleTs === null ? null : { text: this.row.title ?? '', ts: this.titleTs },
    }
  }

  private header(e: HeaderEvent): void {
    if (this.row.header) return // only the first header counts, as in the fold
    this.row.header = 1
    this.row.project_path = e.projectPath
    if (e.title !== null) this.title(e.title, e.ts)
  }

  private title(title: string, ts: string): void {
    this.row.title = clean(title) // hits show it: one line, no escape sequences
    this.titleTs = ts
  }

  private message(e: MessageEvent): void {
    const parts = e.parts.map(part => ({ id: part.id, start: 0, len: 0, part }))
    const existing = this.find(e.id)
    if (existing) {
      existing.role = e.role
      existing.parts = parts
      existing.changed = true
      this.touched.add(existing)
      return
    }
    const msg: Msg = { doc: null, id: e.id, position: this.row.next_pos++, role: e.role, created: e.ts, reverted: false, parts, changed: true }
    this.visible.set(e.id, msg)
    this.touched.add(msg)
  }

  private part(e: PartEvent): void {
    const msg = this.find(e.messageId)
    if (!msg) return
    const slot = msg.parts.find(p => p.id === e.part.id)
    if (slot) slot.part = e.part
    else msg.parts.push({ id: e.part.id, start: 0, len: 0, part: e.part })
    msg.changed = true
    this.touched.add(msg)
  }

  private revert(messageId: string): void {
    const target = this.find(messageId)
    if (!target) return
    this.revertedFrom = Math.min(this.revertedFrom, target.position)
    for (const [id, msg] of this.visible) {
      if (msg && msg.position >= target.position) {
        msg.reverted = true
        this.visible.set(id, null)
        this.touched.add(msg)
      }
    }
  }

  private find(id: string): Msg | null {
    let msg = this.visible.get(id)
    if (msg === undefined) {
      msg = this.from === null ? null : this.load(this.from.id, id)
      this.visible.set(id, msg)
    }
    return msg
  }

  private load(log: number, id: string): Msg | null {
    const r = this.st.findMsg.get(log, id) as { id: number, position: number, role: Role, created: string, spans: string } | undefined
    if (!r || r.position >= this.revertedFrom) return null
    let start = 0
    const parts = (JSON.parse(r.spans) as Array<[string, number]>).map(([partId, len]) => {
      const slot = { id: partId, start, len, part: null }
      start += len
      return slot
    })
    return { doc: r.id, id, position: r.position, role: r.role, created: r.created, reverted: false, parts, changed: false }
  }

  private write(msg: Msg): MessageWrite {
    const base = { doc: msg.doc, id: msg.id, position: msg.position, role: msg.role, created: msg.created, reverted: msg.reverted }
    if (!msg.changed) return { ...base, spans: JSON.stringify(msg.parts.map(p => [p.id, p.len])), text: null }
    // Unchanged parts keep their segment of the stored text; changed ones are made from the part.
    const old = msg.parts.some(p => p.part === null) ? this.st.text.get(msg.doc) as string : ''
    const lengths: Array<[string, number]> = []
    let text = ''
    for (const slot of msg.parts) {
      const piece = slot.part ? segment(slot.part) : old.slice(slot.start, slot.start + slot.len)
      lengths.push([slot.id, piece.length])
      text += piece
    }
    return { ...base, spans: JSON.stringify(lengths), text }
  }
}
