/** journal.usage({ by: 'day' }) over many sessions against list() of the same root, side by side. */
import fs from 'node:fs'
import path from 'node:path'
import { Journal } from '../lib/index.js'
import { sideBySide, tempRoot, timed, type Row } from './util.js'

export async function usageScenario(sessions: number, projects: number, rounds: number): Promise<Row> {
  const root = tempRoot('usage')
  const journal = new Journal({ root, fsync: 'never', env: {}, configDir: path.join(root, 'no-config') })
  let input = 0
  for (let i = 0; i < sessions; i++) {
    const s = await journal.create({ project: path.join(root, 'work', `project-${i % projects}`) })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `question ${i}` }] })
    // A few responses each, one of them re-sent (counted once), two models.
    for (let k = 0; k < 3; k++) {
      await s.usage({ key: `r${k}`, model: k % 2 ? 'model-a' : 'model-b', input: 100 + k, output: 10, cacheRead: 1000 })
      input += 100 + k
    }
    await s.usage({ key: 'r0', model: 'model-b', input: 100, output: 10, cacheRead: 1000 })
    await s.close()
  }
  const day = () => journal.usage({ by: 'day', timeZone: 'Europe/Berlin' })
  const cold = await timed(() => journal.list())
  const r = await sideBySide(rounds, () => journal.list(), day)
  const report = await day()
  const wrong = report.total.input === input && report.total.events === sessions * 3 ? 0 : 1
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.journal / r.baseline
  return {
    scenario: `usage --by day, ${sessions} sessions in ${projects} projects`,
    target: '<= 2x list(), totals right',
    ratio,
    ok: ratio <= 2 && wrong === 0,
    journal: `${r.journal.toFixed(0)} ms (list cold: ${cold.toFixed(0)} ms), totals ${wrong ? 'WRONG' : 'right'}`,
    baseline: `${r.baseline.toFixed(0)} ms list()`,
  }
}
