/** Builds big sessions the way a host writes them: messages, streamed part updates, tool output. */
import fs from 'node:fs'
import { Journal } from '../lib/index.js'
import { text } from './util.js'

/** Writes a session of about `bytes`; most lines are streamed replacements, as in real use. */
export async function bigSession(root: string, bytes: number): Promise<{ id: string, path: string }> {
  const journal = new Journal({ root, fsync: 'never' })
  const s = await journal.create({ project: `${root}/project`, title: 'big session' })
  let turn = 0
  while (fs.statSync(s.path).size < bytes) {
    const pending: Promise<unknown>[] = []
    for (let k = 0; k < 50; k++, turn++) {
      pending.push(s.message({ role: 'user', parts: [{ type: 'text', text: text(300, turn) }] }))
      const reply = `r${turn}`
      pending.push(s.message({ id: reply, role: 'assistant', parts: [] }))
      for (let u = 1; u <= 5; u++) pending.push(s.part(reply, { id: 'answer', type: 'text', text: text(200 * u, turn + u) }))
      pending.push(s.part(reply, { id: 'tool', type: 'tool', tool: 'bash', state: { status: 'completed', output: text(2000, turn * 7) } }))
    }
    await Promise.all(pending)
  }
  await s.close()
  return { id: s.id, path: s.path }
}
