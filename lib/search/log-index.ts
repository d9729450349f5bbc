/**
 * One log's entries in the index, brought up to date from the events appended since the
 * last catch-up, with the rules of core/fold.ts: a repeated message id replaces that message
 * where it stands; a part replaces the part with its id or is added; parts of unknown or
 * reverted messages are ignored; a revert hides that message and every later one; titles
 * replace the title. Events change messages in memory first and each touched message is
 * written once at the end, so a part streamed 500 times costs one row update, not 500.
 * test/search/fold.test.ts holds the indexed text equal to what read()'s messages give.
 */
import type { HeaderEvent, JournalEvent, MessageEvent, Part, PartEvent, Role } from '../core/types.js'
import type { Db } from './db.js'
import { clean, segment } from './text.js'

/** A log's row in the index: which file, where the last catch-up stopped, and the fold's session-level state. */
export interface LogRow {
  id: number
  project: string
  session: string
  project_path: string
  ino: number
  born: number
  size: number
  offset: number
  lines: number
  last_seq: number
  header: number
  title: string | null
  title_doc: number | null
  next_pos: number
}

/** A part of a message in memory: the segment it had in the stored text, or the part itself once changed. */
interface PartSlot { id: string, start: number, len: number, part: Part | null }

interface Msg {
  doc: number | null
  id: string
  position: number
  role: Role
  created: string
  reverted: boolean
  parts: PartSlot[]
  changed: boolean
}

type Statements = ReturnType<typeof prepare>
const prepared = new WeakMap<Db, Statements>()

function prepare(db: Db) {
  return {
    findMsg: db.prepare('SELECT id, position, role, created, spans FROM docs WHERE log = ? AND msg = ? AND reverted = 0'),
    revertFrom: db.prepare('UPDATE docs SET reverted = 1 WHERE log = ? AND msg IS NOT NULL AND reverted = 0 AND position >= ?'),
    text: db.prepare('SELECT text FROM fts WHERE rowid = ?').pluck(),
    insertDoc: db.prepare('INSERT INTO docs (log, msg, position, role, created, reverted, spans) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    updateDoc: db.prepare('UPDATE docs SET role = ?, reverted = ?, spans = ? WHERE id = ?'),
    insertFts: db.prepare('INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)'),
    updateText: db.prepare('UPDATE fts SET text = ? WHERE rowid = ?'),
    updateTitle: db.prepare('UPDATE fts SET title = ? WHERE rowid = ?'),
    titleCreated: db.prepare('UPDATE docs SET created = ? WHERE id = ?'),
    updateLog: db.prepare(`UPDATE logs SET size = @size, offset = @offset, lines = @lines, last_seq = @last_seq, header = @header,
      project_path = @project_path, title = @title, title_doc = @title_doc, next_pos = @next_pos WHERE id = @id`),
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
  /** Rows already in the index from this position on are reverted (written at flush: nothing is written before). */
  private revertedFrom = Number.POSITIVE_INFINITY

  /** `fresh`: the log has nothing in the index yet, so nothing need be looked up. */
  constructor(db: Db, private readonly row: LogRow, private readonly fresh: boolean) {
    this.st = statements(db)
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

  /**
   * Writes every touched message once, the title, and where the scan stopped, under the log's
   * row `id` (made by the caller for a fresh log). Until then nothing was written, so a log
   * whose read fails half-way is dropped without undoing anything.
   */
  flush(position: { offset: number, lines: number, lastSeq: number }, size: number, id: number): void {
    const row = this.row
    row.id = id
    if (this.revertedFrom !== Number.POSITIVE_INFINITY) this.st.revertFrom.run(row.id, this.revertedFrom)
    for (const msg of this.touched) this.write(msg)
    if (this.titleTs !== null) {
      const title = row.title ?? ''
      if (row.title_doc === null) {
        row.title_doc = Number(this.st.insertDoc.run(row.id, null, 0, null, this.titleTs, 0, '[]').lastInsertRowid)
        this.st.insertFts.run(row.title_doc, title, '')
      } else {
        this.st.updateTitle.run(title, row.title_doc)
        this.st.titleCreated.run(this.titleTs, row.title_doc)
      }
    }
    Object.assign(row, { size: Math.max(size, position.offset), offset: position.offset, lines: position.lines, last_seq: position.lastSeq })
    this.st.updateLog.run(row)
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
    // Rows in the index are marked at flush (and no longer found meanwhile); those in memory carry the flag.
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
      msg = this.fresh ? null : this.load(id)
      this.visible.set(id, msg)
    }
    return msg
  }

  private load(id: string): Msg | null {
    const r = this.st.findMsg.get(this.row.id, id) as { id: number, position: number, role: Role, created: string, spans: string } | undefined
    if (!r || r.position >= this.revertedFrom) return null
    let start = 0
    const parts = (JSON.parse(r.spans) as Array<[string, number]>).map(([partId, len]) => {
      const slot = { id: partId, start, len, part: null }
      start += len
      return slot
    })
    return { doc: r.id, id, position: r.position, role: r.role, created: r.created, reverted: false, parts, changed: false }
  }

  private write(msg: Msg): void {
    let text = ''
    let spans = ''
    if (msg.changed) {
      const old = msg.parts.some(p => p.part === null) ? this.st.text.get(msg.doc) as string : ''
      const lengths: Array<[string, number]> = []
      for (const slot of msg.parts) {
        const piece = slot.part ? segment(slot.part) : old.slice(slot.start, slot.start + slot.len)
        lengths.push([slot.id, piece.length])
        text += piece
      }
      spans = JSON.stringify(lengths)
    }
    const reverted = msg.reverted ? 1 : 0
    if (msg.doc === null) {
      msg.doc = Number(this.st.insertDoc.run(this.row.id, msg.id, msg.position, msg.role, msg.created, reverted, spans).lastInsertRowid)
      this.st.insertFts.run(msg.doc, '', text)
      return
    }
    if (msg.changed) {
      this.st.updateDoc.run(msg.role, reverted, spans, msg.doc)
      this.st.updateText.run(text, msg.doc)
    } else {
      this.st.updateDoc.run(msg.role, reverted, JSON.stringify(msg.parts.map(p => [p.id, p.len])), msg.doc)
    }
  }
}
