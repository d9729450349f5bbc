/**
 * The floor for `session-journal list`: a minimal node script that reads the same listing
 * cache files (each project's index.json: its first line, the rows, list-cache.ts; else the
 * project's entry in the root's packed-index.json, list-pack.ts) and prints the same
 * tab-separated rows, newest first, with nothing else loaded.
 * `node dist/bench/list-minimal.js <root>`.
 */
import fs from 'node:fs'
import path from 'node:path'

// One array per session (list-cache.ts's `Encoded`): 0 stands for the project's own path.
type Encoded = [number, number, number, string | null | 0, string | null, string | null, string | null, string | null, 0 | 1, 0 | 1, number, number, number, ...unknown[]]
interface Cached { title: string | null, created: string | null, updated: string | null, messages: number, shared: boolean, damaged: boolean }

type Index = { projectPath: string, sessions: Record<string, Encoded> }
const projectsDir = path.join(process.argv[2]!, 'projects')
const packedFile = path.join(process.argv[2]!, 'packed-index.json')
// After a header line, one line per project: its id, a tab, its rows.
const packed = new Map<string, string>()
if (fs.existsSync(packedFile)) {
  for (const line of fs.readFileSync(packedFile, 'utf8').split('\n').slice(1)) if (line !== '') packed.set(line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1))
}
const rows: Array<{ id: string, projectPath: string, c: Cached }> = []
for (const project of fs.readdirSync(projectsDir)) {
  const own = path.join(projectsDir, project, 'index.json')
  const text = fs.existsSync(own) ? fs.readFileSync(own, 'utf8') : null
  const index = JSON.parse(text === null ? packed.get(project)! : text.slice(0, text.indexOf('\n'))) as Index
  for (const [id, e] of Object.entries(index.sessions)) {
    rows.push({ id, projectPath: e[3] === 0 || e[3] === null ? index.projectPath : e[3], c: { title: e[4], created: e[6], updated: e[7], messages: e[10] + e[11] + e[12], shared: e[8] === 1, damaged: e[9] === 1 } })
  }
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
process.stdout.write(rows.map(({ id, projectPath, c }) => [id, projectPath, c.title ?? '', time(c.created!), time(c.updated!), String(c.messages), flags(c)].join('\t')).join('\n') + '\n')
