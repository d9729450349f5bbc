/**
 * Finding a session by id: resume() and read() of an id this Journal never located, in a root
 * of N projects, against the same call on an id it located already. The first look into a
 * root without claims (written before them) walks every project and claims every log; that
 * one-time cost is printed too.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Journal } from '../lib/index.js'
import { median, tempRoot, timed, type Row } from './util.js'

export async function locateScenario(projects: number, rounds: number): Promise<Row> {
  const root = tempRoot('locate')
  const writer = new Journal({ root, fsync: 'never' })
  const ids: string[] = []
  for (let i = 0; i < projects; i++) {
    const s = await writer.create({ project: path.join(root, 'work', `project-${i}`), title: `session ${i}` })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `hello ${i}` }] })
    await s.close()
    ids.push(s.id)
  }
  fs.rmSync(path.join(root, 'ids'), { recursive: true }) // as in a root written before claims
  const heal = await timed(() => new Journal({ root }).read(ids[0]!))
  const unclaimedWalk = await timed(() => new Journal({ root }).read(ids[0]!)) // claimed now: for comparison

  const resume = async (journal: Journal, id: string) => (await journal.resume(id)).close()
  const t = { resumeNew: [] as number[], resumeKnown: [] as number[], readNew: [] as number[], readKnown: [] as number[] }
  for (let i = 0; i < rounds * 4; i++) {
    const id = ids[(i * 7919 + 1) % projects]!
    const journal = new Journal({ root, fsync: 'never' })
    if (i % 2 === 0) {
      t.resumeNew.push(await timed(() => resume(journal, id)))
      t.resumeKnown.push(await timed(() => resume(journal, id)))
    } else {
      t.readNew.push(await timed(() => journal.read(id)))
      t.readKnown.push(await timed(() => journal.read(id)))
    }
  }
  fs.rmSync(root, { recursive: true, force: true })
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>
  const ratio = Math.max(m.resumeNew / m.resumeKnown, m.readNew / m.readKnown)
  return {
    scenario: `resume()/read() of a never-located id, ${projects} projects`,
    target: '<= 2x an id located already',
    ratio,
    ok: ratio <= 2,
    journal: `resume ${m.resumeNew.toFixed(2)} ms, read ${m.readNew.toFixed(2)} ms`,
    baseline: `resume ${m.resumeKnown.toFixed(2)} ms, read ${m.readKnown.toFixed(2)} ms`,
    note: `first look into the root without claims (walk + claiming ${projects} logs): ${heal.toFixed(0)} ms, once; the next new Journal: ${unclaimedWalk.toFixed(2)} ms`,
  }
}
