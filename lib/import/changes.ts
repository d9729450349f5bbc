/**
 * Incremental import, pure: the journal's copy of a session as it reads now, the source as it
 * reads now, and the events that bring the copy up to date. Both sides are compared as the fold
 * sees them, so what a re-read of an unchanged source yields is nothing at all.
 *
 * - messages: the longest run of ids both have in the same order stays; a copy message the
 *   source no longer has there (a rewind, a branch switch) is cut with one `revert`, and the
 *   source's messages from that point on are appended; a kept message whose content changed is
 *   written again under its id (the fold replaces it where it stands);
 * - the title when it changed; usage events whose key the copy lacks; kept (`x.*`) events the
 *   copy lacks, compared whole (time included), as a multiset.
 */
import { fold } from '../core/fold.js'
import type { JournalEvent, KeptEvent, Message, SessionInfo } from '../core/types.js'
import { ORIGIN_EVENT } from './origins.js'
import type { PeerEvent } from './peer.js'

export interface View {
  info: SessionInfo
  messages: Message[]
}

/** How the source's session reads once written: the journal's fold over a header and its events. */
export function viewOf(created: string, title: string | null, events: readonly PeerEvent[]): View {
  const header: JournalEvent = {
    seq: 0, ts: created, type: 'session', version: 1, id: '', projectId: '', projectPath: '', title, parentId: null, host: null,
  }
  return fold([header, ...events.map((e, i) => ({ seq: i + 1, ts: e.ts, ...e.body }))])
}

/** The latest time in the source: appended events that have no time of their own take it. */
export function lastTime(created: string, events: readonly PeerEvent[]): string {
  let last = created
  for (const e of events) if (e.ts > last) last = e.ts
  return last
}

const content = (m: Message) => JSON.stringify([m.role, m.parts, m.meta ?? null])

function identity(e: KeptEvent): string {
  return e.type === 'usage' ? `usage\u0000${String(e.key)}` : JSON.stringify(e)
}

/** The events to append to `copy` so it reads as `source`; [] when nothing changed. */
export function changes(copy: View, source: View, last: string): PeerEvent[] {
  const out: PeerEvent[] = []
  const had = copy.messages
  const want = source.messages
  let same = 0
  while (same < had.length && same < want.length && had[same]!.id === want[same]!.id) same++
  const head: PeerEvent[] = same < had.length ? [{ ts: last, body: { type: 'revert', messageId: had[same]!.id } }] : []
  for (let i = 0; i < want.length; i++) {
    const m = want[i]!
    if (i < same && content(m) === content(had[i]!)) continue
    const body = { type: 'message', id: m.id, role: m.role, parts: m.parts, ...(m.meta === undefined ? {} : { meta: m.meta }) }
    out.push({ ts: i < same ? last : m.created, body })
  }
  if (source.info.title !== null && source.info.title !== copy.info.title) out.push({ ts: last, body: { type: 'title', title: source.info.title } })

  const seen = new Map<string, number>()
  for (const e of copy.info.meta.events) {
    if (e.type === ORIGIN_EVENT) continue
    const id = identity(e)
    seen.set(id, (seen.get(id) ?? 0) + 1)
  }
  for (const e of source.info.meta.events) {
    const id = identity(e)
    const n = seen.get(id) ?? 0
    if (n > 0) {
      // Usage keys count once however often they come: one is enough to have it.
      if (e.type !== 'usage') seen.set(id, n - 1)
      continue
    }
    const { ts, ...body } = e
    out.push({ ts, body: body as PeerEvent['body'] })
    if (e.type === 'usage') seen.set(id, 1)
  }
  // Messages in the source's order (the fold's order is the log's, whatever the clocks said).
  return [...head, ...out]
}
