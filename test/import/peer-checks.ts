/** Shared by the peer suites: what a peer's session folds to, and proof the journal would take every event. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { assertPlainJson, assertRef, eventProblem, toCustomBody, toMessageBody } from '../../lib/core/event.js'
import { fold } from '../../lib/core/fold.js'
import { Journal } from '../../lib/journal.js'
import { usageProblem } from '../../lib/core/usage.js'
import type { JournalEvent, Message } from '../../lib/core/types.js'
import type { Peer, PeerSession } from '../../lib/import/peer.js'
import { fixture, tempDir } from '../helpers.js'

/** The session's events as the fold sees them: the history a journal would show. */
export function foldSession(session: PeerSession): { messages: Message[], title: string | null, usage: ReturnType<typeof fold>['info']['usage'] } {
  const events = session.events.map((e, seq) => ({ seq, ts: e.ts, ...e.body }) as JournalEvent)
  const { info, messages } = fold(events)
  return { messages, title: info.title, usage: info.usage }
}

/** Every event passes the checks the journal's writer makes: a peer never hands over what a write would refuse. */
export function assertWritable(session: PeerSession): void {
  session.events.forEach((e, seq) => {
    assert.ok(!Number.isNaN(Date.parse(e.ts)), `event ${seq}: ts ${e.ts}`)
    const where = `event ${seq} (${e.body.type})`
    assert.equal(eventProblem({ seq, ts: e.ts, ...e.body }), undefined, where)
    const body = e.body as Record<string, unknown>
    if (body.type === 'message') {
      toMessageBody(body as never)
      assertRef(body.id, `${where}.id`)
    } else if (body.type === 'part') {
      assertRef(body.messageId, `${where}.messageId`)
      assertRef((body.part as { id: unknown }).id, `${where}.part.id`)
      assertPlainJson(body.part, where)
    } else if (body.type === 'usage') {
      assert.equal(usageProblem(body, true), undefined, where)
    } else if (body.type === 'revert') {
      assertRef(body.messageId, where)
    } else if (body.type !== 'title') {
      toCustomBody(body.type, body.data)
      assert.deepEqual(Object.keys(body), ['type', 'data'], where)
    }
  })
}

/** Reads one file with `peer` (discovered first, as the driver does) and checks its events. */
export async function readOne(peer: Peer, file: string): Promise<PeerSession> {
  const units = await peer.discover([file])
  assert.equal(units.length, 1, file)
  const sessions = await peer.read(units[0]!)
  assert.equal(sessions.length, 1)
  assertWritable(sessions[0]!)
  return sessions[0]!
}

/** Writes JSON lines (objects, or raw strings as they are) to `file`, folders made. */
export function writeLines(file: string, lines: Array<object | string>): string {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, lines.map(l => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join(''))
  return file
}

export function textOf(message: Message): string {
  return message.parts.filter(p => p.type === 'text').map(p => p.text as string).join('')
}

/**
 * fixtures/import/<tool> (less its damaged/ files) as `~/<dotDir>` under a temp HOME, a journal
 * beside it, and the import of the tool's default sources from that home.
 */
export function homeWith(t: Parameters<typeof tempDir>[0], tool: 'codex' | 'gemini', dotDir: string) {
  const dir = tempDir(t)
  const home = path.join(dir, 'home')
  fs.cpSync(fixture('import', tool), path.join(home, dotDir), { recursive: true })
  fs.rmSync(path.join(home, dotDir, 'damaged'), { recursive: true })
  const journal = new Journal({ root: path.join(dir, 'root'), fsync: 'never' })
  return {
    root: journal.root,
    journal,
    /** Where a fixture file is in that home. */
    inHome: (file: string) => path.join(home, dotDir, path.relative(fixture('import', tool), file)),
    run: () => journal.importFrom(tool, undefined, { home, env: {} }),
  }
}
