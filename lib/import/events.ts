/**
 * What a peer hands over, checked as a host's appends are (event.ts, usage.ts) before anything
 * is written: the driver writes with `record()`, which trusts its input. An event that cannot be
 * written (a tool input nested past the journal's depth limit, a line past maxLineBytes, a bad
 * usage count) is left out and named in the problems, so the rest of the session still imports.
 */
import { InvalidEventError } from '../core/errors.js'
import { assertRef, toCustomBody, toLine, toMessageBody, toPart, type MessageInput } from '../core/event.js'
import { toUsageBody } from '../core/usage.js'
import type { ImportProblem, PeerEvent, PeerSession } from './peer.js'

type Body = PeerEvent['body']

/** The body in the journal's own key order, or InvalidEventError. */
export function checkedBody(body: Body): Body {
  if (typeof body !== 'object' || body === null) throw new InvalidEventError('an event body must be an object')
  const { type, ...rest } = body
  switch (type) {
    case 'message':
      // Generated ids would differ at each read, and a re-import could not tell known from new.
      if (rest.id === undefined) throw new InvalidEventError('message needs an id (stable across reads)')
      if (Array.isArray(rest.parts) && rest.parts.some(p => (p as { id?: unknown } | null)?.id === undefined)) {
        throw new InvalidEventError(`message ${String(rest.id).slice(0, 80)} has a part without an id (stable across reads)`)
      }
      return toMessageBody(rest as unknown as MessageInput)
    case 'part':
      if ((rest.part as { id?: unknown } | null)?.id === undefined) throw new InvalidEventError('part needs an id (stable across reads)')
      return { type, messageId: assertRef(rest.messageId, 'part.messageId'), part: toPart(rest.part, 'part') }
    case 'title':
      if (typeof rest.title !== 'string') throw new InvalidEventError('title must be a string')
      return { type, title: rest.title }
    case 'revert': return { type, messageId: assertRef(rest.messageId, 'revert.messageId') }
    case 'usage': return toUsageBody(rest, message => { throw new InvalidEventError(message) })
    default:
      if (typeof type === 'string' && type.startsWith('x.')) return toCustomBody(type, rest.data)
      throw new InvalidEventError(`an import cannot write events of type ${JSON.stringify(type)}`)
  }
}

export function isTime(ts: unknown): ts is string {
  return typeof ts === 'string' && ts.length <= 64 && !Number.isNaN(Date.parse(ts))
}

/**
 * The session's events, checked and in journal key order; what cannot be written becomes a
 * problem. A missing or unreadable time takes the one before it (the session's start first).
 */
export function checkedEvents(session: PeerSession, maxLineBytes: number): { events: PeerEvent[], problems: ImportProblem[] } {
  const events: PeerEvent[] = []
  const problems: ImportProblem[] = []
  const where = session.origin.path
  let last = isTime(session.created) ? session.created : new Date(0).toISOString()
  session.events.forEach((event, i) => {
    try {
      const body = checkedBody(event.body)
      const ts = isTime(event.ts) ? event.ts : last
      // seq is at most 16 digits: measured with a placeholder of that width.
      const bytes = Buffer.byteLength(toLine({ seq: 1e15, ts, ...body }))
      if (bytes > maxLineBytes) throw new InvalidEventError(`${body.type} event of ${bytes} bytes exceeds maxLineBytes ${maxLineBytes}`)
      last = ts
      events.push({ ts, body })
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error
      problems.push({ path: where, message: `session ${session.origin.id}: event ${i + 1} left out: ${error.message}` })
    }
  })
  return { events, problems }
}
