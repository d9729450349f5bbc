/**
 * list() from nothing (no index.json: a new root, or the caches deleted) against a synchronous
 * read + JSON.parse of every log, and list() warm against the readdir + stat walk, at several
 * sizes. The logs are written directly as files (header, messages, a title), in the journal's
 * format, so 50k sessions take seconds to make rather than minutes.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { Journal } from '../lib/index.js'
import { median, settle, sideBySide, tempRoot, timed, type Row } from './util.js'

const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const id = (n: number) => {
  let tail = ''
  for (let v = n, i = 0; i < 16; i++, v = Math.floor(v / 32)) tail = B32[v % 32] + tail
  return `01JC000000${tail}`
}

export function writeLogs(root: string, sessions: number, projects: number): void {
  const t0 = Date.UTC(2024, 9, 1)
  for (let p = 0; p < projects; p++) {
    const projectId = `project-${p}-${(0xa00000000000 + p).toString(16)}`
    const dir = path.join(root, 'projects', projectId, 'sessions')
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    fs.writeFileSync(path.join(root, 'projects', projectId, 'project.json'), `${JSON.stringify({ path: `/work/project-${p}`, created: new Date(t0).toISOString() })}\n`, { mode: 0o600 })
  }
  for (let i = 0; i < sessions; i++) {
    const p = i % projects
    const projectId = `project-${p}-${(0xa00000000000 + p).toString(16)}`
    const sid = id(i)
    const ts = (k: number) => new Date(t0 + i * 1000 + k).toISOString()
    const lines = [{ seq: 0, ts: ts(0), type: 'session', version: 1, id: sid, projectId, projectPath: `/work/project-${p}`, title: 'untitled', parentId: null, host: null }]
    for (let m = 0; m < i % 7; m++) {
      lines.push({ seq: m + 1, ts: ts(m + 1), type: 'message', id: `${sid.slice(0, 20)}M${String(m).padStart(5, '0')}`, role: m % 2 ? 'assistant' : 'user', parts: [{ id: 'p1', type: 'text', text: `message ${m} of ${i}: the test fails on mondays because the week starts on sunday` }] } as never)
    }
    lines.push({ seq: lines.length, ts: ts(99), type: 'title', title: `session ${i}` } as never)
    fs.writeFileSync(path.join(root, 'projects', projectId, 'sessions', `${sid}.ndjson`), lines.map(l => `${JSON.stringify(l)}\n`).join(''), { mode: 0o600 })
  }
}

export async function coldListScenario(sessions: number, rounds: number): Promise<Row[]> {
  const projects = Math.max(1, Math.round(sessions / 10))
  const root = tempRoot('cold-list')
  writeLogs(root, sessions, projects)
  const projectsDir = path.join(root, 'projects')
  const logs: string[] = []
  for (const project of fs.readdirSync(projectsDir)) {
    for (const name of fs.readdirSync(path.join(projectsDir, project, 'sessions'))) logs.push(path.join(projectsDir, project, 'sessions', name))
  }
  const readAll = () => {
    let n = 0
    for (const file of logs) for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line !== '') { JSON.parse(line); n++ }
    return n
  }
  const walk = () => {
    let n = 0
    for (const project of fs.readdirSync(projectsDir)) {
      const dir = path.join(projectsDir, project, 'sessions')
      for (const name of fs.readdirSync(dir)) { fs.statSync(path.join(dir, name)); n++ }
    }
    return n
  }
  // Then `sync`: right after thousands of files are written, the kernel's writeback makes every
  // file creation several times slower for a while, and the index writes would measure that.
  const dropCaches = () => {
    for (const project of fs.readdirSync(projectsDir)) fs.rmSync(path.join(projectsDir, project, 'index.json'), { force: true })
    fs.rmSync(path.join(root, 'packed-index.json'), { force: true })
    execFileSync('sync')
  }
  let wrong = 0
  // Interleaved like sideBySide(), the caches deleted before each cold list (untimed).
  const coldTimes: number[] = []
  const readTimes: number[] = []
  for (let i = 0; i < rounds; i++) {
    const listCold = async () => {
      dropCaches()
      const start = process.hrtime.bigint()
      const rows = await new Journal({ root }).list()
      coldTimes.push(Number(process.hrtime.bigint() - start) / 1e6)
      if (rows.length !== sessions || rows.at(-1)?.title !== 'session 0') wrong++
    }
    if (i % 2) await listCold()
    readTimes.push(await timed(readAll))
    if (i % 2 === 0) await listCold()
  }
  const cold = { journal: median(coldTimes), baseline: median(readTimes) }
  const journal = new Journal({ root })
  // Folders nobody changed in the last seconds, the usual case: their marks are kept (folder-mark.ts).
  await settle()
  await journal.list()
  const warm = await sideBySide(rounds, walk, () => journal.list())
  // The same with every folder just changed (an entry made and removed): no mark is trusted, every log is stat'ed.
  for (const project of fs.readdirSync(projectsDir)) {
    const probe = path.join(projectsDir, project, 'sessions', '.touch')
    fs.writeFileSync(probe, '')
    fs.rmSync(probe)
  }
  const unmarked = await sideBySide(rounds, walk, () => journal.list())
  fs.rmSync(root, { recursive: true, force: true })
  return [{
    scenario: `cold list() ${sessions} sessions in ${projects} projects`,
    target: '<= 3x sync read + parse, rows right',
    ratio: cold.journal / cold.baseline,
    ok: cold.journal / cold.baseline <= 3 && wrong === 0,
    journal: `${cold.journal.toFixed(0)} ms${wrong ? `, ${wrong} wrong listings` : ''}`,
    baseline: `${cold.baseline.toFixed(0)} ms (readFileSync + JSON.parse every line)`,
  }, {
    scenario: `warm list() ${sessions} sessions in ${projects} projects`,
    target: '<= 1.25x readdir + stat walk',
    ratio: warm.journal / warm.baseline,
    ok: warm.journal / warm.baseline <= 1.25,
    journal: `${warm.journal.toFixed(0)} ms (folders changed in the last 3 s, unmarked: ${unmarked.journal.toFixed(0)} ms, ${(unmarked.journal / unmarked.baseline).toFixed(2)}x)`,
    baseline: `${warm.baseline.toFixed(0)} ms`,
  }]
}
