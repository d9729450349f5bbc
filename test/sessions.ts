/** Sessions the export, import and CLI suites share: small, but using every kind of event. */
import fs from 'node:fs'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { Journal } from '../lib/journal.js'
import type { OpenSession } from '../lib/core/session.js'
import { tempDir } from './helpers.js'

export function journalIn(t: TestContext): { journal: Journal, root: string, project: string } {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const project = path.join(dir, 'proj')
  fs.mkdirSync(project)
  return { journal: new Journal({ root, fsync: 'never' }), root, project }
}

/** Unicode where it hurts: emoji, a line separator, newlines, quotes, an astral character. */
export const TRICKY = 'multi\nline "quoted" \u2028 sep \u2029 para 🙂👩🏽‍💻 𝄞 \t tab \\ back'

/**
 * A session with a title change, a repeated message id, a part replaced and one added, a
 * revert, host events, a share and an unshare-free end: everything the fold keeps or drops.
 */
export async function richSession(journal: Journal, project: string): Promise<string> {
  const s = await journal.create({ project, title: 'first title', host: { name: 'test-host', version: '1.0' } })
  const u = await s.message({ role: 'user', parts: [{ type: 'text', text: `hello ${TRICKY}` }] })
  const a = await s.message({ role: 'assistant', parts: [{ id: 'p1', type: 'text', text: 'thinking' }], meta: { model: 'm-1', tokens: { in: 3, out: 4 } } })
  await s.part(a, { id: 'p1', type: 'text', text: `answer ${TRICKY}` })
  await s.part(a, { id: 'p2', type: 'tool', tool: 'bash', input: { command: 'ls -la' }, output: 'a\nb\nc', status: 'done' })
  await s.append('x.test.note', { note: TRICKY, n: [1, 2.5, null, true] })
  await s.title(`second title ${TRICKY}`)
  const gone = await s.message({ role: 'user', parts: [{ type: 'text', text: 'to be reverted' }] })
  await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'also reverted' }] })
  await s.revert(gone)
  await (s as OpenSession).record({ type: 'share', url: 'https://share.example/s/abc', shareId: 'abc' })
  await s.message({ role: 'user', id: u, parts: [{ type: 'text', text: 'replaced first message' }] })
  await s.message({ role: 'system', parts: [] })
  await s.append('x.test.end')
  await s.close()
  return s.id
}

/** A session created and last updated at chosen times: written now, exported, re-imported with those times. */
export async function sessionAt(j: Journal, project: string, created: string, updated: string, title: string | null, prompt = title ?? ''): Promise<string> {
  const s = await j.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: prompt }] })
  await s.close()
  const doc = await j.export(s.id)
  await j.delete(s.id)
  doc.info = { ...doc.info, created, updated, title }
  doc.messages = doc.messages.map(m => ({ ...m, created }))
  return j.import(doc)
}
