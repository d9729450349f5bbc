/**
 * A peer for a format of our own, so the driver's tests control every byte of the source:
 * `*.toy.jsonl` files whose `{ "session": {...} }` lines start a session and whose
 * `{ "ts", "body" }` lines are its events. It reads through the same helpers the real peers use
 * (findFiles, fileFingerprint, readJsonLines) and follows the contract in lib/import/peer.ts.
 */
import path from 'node:path'
import { InvalidImportError } from '../../lib/core/errors.js'
import { fileFingerprint, findFiles } from '../../lib/import/files.js'
import { readJsonLines } from '../../lib/import/jsonl.js'
import type { Peer, PeerSession, PeerUnit } from '../../lib/import/peer.js'

export interface ToySession {
  id: string
  project?: string
  title?: string | null
  created: string
  parent?: string
  version?: string
}

export const toyPeer: Peer = {
  tool: 'codex', // the driver only needs a PeerTool name; these tests never touch a real codex file
  defaultSources: home => [path.join(home, '.toy')],
  async discover(paths) {
    const files = await findFiles(paths, file => file.endsWith('.toy.jsonl'))
    return Promise.all(files.map(async file => ({ path: file, fingerprint: await fileFingerprint(file) })))
  },
  async read(unit: PeerUnit) {
    const problems: PeerSession['problems'] = []
    const lines = await readJsonLines(unit.path, problems)
    const first = lines[0]?.value as { session?: ToySession } | undefined
    if (!first?.session) throw new InvalidImportError(`${unit.path} is not a toy transcript`, { path: unit.path, line: lines[0]?.line ?? 1 })
    const sessions: PeerSession[] = []
    for (const { line, value } of lines) {
      const v = value as { session?: ToySession, ts?: string, body?: PeerSession['events'][number]['body'] }
      if (v.session) {
        const s = v.session
        sessions.push({
          origin: { tool: 'codex', id: s.id, path: unit.path, version: s.version ?? null },
          projectPath: s.project ?? '',
          title: s.title ?? null,
          created: s.created,
          parentOriginId: s.parent ?? null,
          events: [],
          problems,
        })
      } else if (v.body && typeof v.ts === 'string') {
        sessions.at(-1)!.events.push({ ts: v.ts, body: v.body })
      } else {
        problems.push({ path: unit.path, line, message: 'not a toy line' })
      }
    }
    // The problems are the unit's: reported once, with its first session.
    for (const s of sessions.slice(1)) s.problems = []
    return sessions
  },
}

export function toyLines(session: ToySession, events: Array<{ ts: string, body: Record<string, unknown> }>): string {
  return [{ session }, ...events].map(l => JSON.stringify(l)).join('\n') + '\n'
}

export const msg = (ts: string, id: string, role: string, text: string) =>
  ({ ts, body: { type: 'message', id, role, parts: [{ id: `${id}.0`, type: 'text', text }] } })
