/** list() of many sessions in many projects against a two-level readdir + stat of every log. */
import fs from 'node:fs'
import path from 'node:path'
import { Journal } from '../lib/index.js'
import { sideBySide, tempRoot, timed, type Row } from './util.js'

export async function listScenario(sessions: number, projects: number, rounds: number): Promise<Row> {
  const root = tempRoot('list')
  const journal = new Journal({ root, fsync: 'never' })
  const expected = new Map<string, { title: string, messages: number }>()
  for (let i = 0; i < sessions; i++) {
    const s = await journal.create({ project: path.join(root, 'work', `project-${i % projects}`), title: 'untitled' })
    const messages = i % 7
    for (let m = 0; m < messages; m++) await s.message({ role: m % 2 ? 'assistant' : 'user', parts: [{ type: 'text', text: `message ${m} of ${i}` }] })
    await s.title(`session ${i}`)
    await s.close()
    expected.set(s.id, { title: `session ${i}`, messages })
  }
  const projectsDir = path.join(root, 'projects')
  // The fastest raw walk there is: synchronous calls, no promise per file.
  const baseline = () => {
    let n = 0
    for (const project of fs.readdirSync(projectsDir)) {
      const dir = path.join(projectsDir, project, 'sessions')
      for (const name of fs.readdirSync(dir)) {
        fs.statSync(path.join(dir, name))
        n++
      }
    }
    return n
  }
  const cold = await timed(() => journal.list())
  const r = await sideBySide(rounds, baseline, () => journal.list())

  // Every row must be right, not just fast.
  const rows = await journal.list()
  let wrong = rows.length === sessions ? 0 : Math.abs(rows.length - sessions)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const want = expected.get(row.id)
    if (!want || row.title !== want.title || row.messages !== want.messages || row.damaged) wrong++
    if (i > 0 && rows[i - 1]!.updated < row.updated) wrong++
  }
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.journal / r.baseline
  return {
    scenario: `list() ${sessions} sessions in ${projects} projects`,
    target: '<= 3x time, all rows right',
    ratio,
    ok: ratio <= 3 && wrong === 0,
    journal: `${r.journal.toFixed(0)} ms (cold, index built: ${cold.toFixed(0)} ms), ${wrong} wrong rows`,
    baseline: `${r.baseline.toFixed(0)} ms`,
  }
}
