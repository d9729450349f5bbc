/**
 * The floor for `session-journal list`: a minimal node script that reads the same listing
 * cache files (each project's index.json) and prints the same tab-separated rows, newest
 * first, with nothing else loaded. `node dist/bench/list-minimal.js <root>`.
 */
import fs from 'node:fs'
import path from 'node:path'

interface Cached { title: string | null, created: string | null, updated: string | null, ids: unknown[], shared: boolean, damaged: boolean, projectPath: string | null }

const projectsDir = path.join(process.argv[2]!, 'projects')
const rows: Array<{ id: string, projectPath: string, c: Cached }> = []
for (const project of fs.readdirSync(projectsDir)) {
  const index = JSON.parse(fs.readFileSync(path.join(projectsDir, project, 'index.json'), 'utf8')) as { projectPath: string, sessions: Record<string, Cached> }
  for (const [id, c] of Object.entries(index.sessions)) rows.push({ id, projectPath: c.projectPath ?? index.projectPath, c })
}
rows.sort((a, b) => (a.c.updated! < b.c.updated! ? 1 : a.c.updated! > b.c.updated! ? -1 : a.id < b.id ? 1 : -1))
const format = new Intl.DateTimeFormat('en-US', { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
// Rows come in bursts within one second, as the CLI knows too: format each second once.
const seconds = new Map<number, string>()
const time = (ts: string) => {
  const ms = Math.floor(Date.parse(ts) / 1000) * 1000
  let text = seconds.get(ms)
  if (text === undefined) seconds.set(ms, text = wallClock(ms))
  return text
}
const wallClock = (ms: number) => {
  const p: Record<string, string> = {}
  for (const { type, value } of format.formatToParts(ms)) p[type] = value
  const zone = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.slice(3)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zone}`
}
const flags = (c: Cached) => [c.shared ? 'shared' : '', c.damaged ? 'damaged' : ''].filter(Boolean).join(',')
process.stdout.write(rows.map(({ id, projectPath, c }) => [id, projectPath, c.title ?? '', time(c.created!), time(c.updated!), String(c.ids.length), flags(c)].join('\t')).join('\n') + '\n')
