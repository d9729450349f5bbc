/**
 * search(): a root of `sessions` sessions written the way a streaming host writes them
 * (replies streamed as many growing replacements of one part, tool calls updated from
 * pending to completed), against scanning every log for the words (read + JSON.parse every
 * line + case-insensitive substring match). Rows: a warm query, building the index from
 * nothing (against read() of every session), the index's size, and the search after 1 MB
 * was appended to one session (against a warm query + reading that 1 MB).
 */
import fs from 'node:fs'
import path from 'node:path'
import { Journal, type Session } from '../lib/index.js'
import { median, sideBySide, tempRoot, timed, type Row } from './util.js'

const QUERIES = ['ERR_SESSION_LOCKED', 'flaky monday', '"date parser"', 'resum*', 'test']
const COMMON = ['the', 'test', 'fails', 'on', 'because', 'date', 'week', 'start', 'fix', 'assert', 'value', 'file', 'function', 'return',
  'error', 'build', 'run', 'check', 'a', 'to', 'of', 'in', 'is', 'it', 'we', 'that', 'this', 'with', 'for', 'not', 'and', 'résumé',
  'parser', 'config', 'import', 'export', 'const', 'let', 'await', 'async', 'string', 'number', 'type', 'interface', 'null']

/** A small deterministic PRNG (mulberry32), so every run writes the same corpus. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Words: mostly common ones, a long tail of made-up words and identifiers (a real vocabulary is large). */
function words(rand: () => number, chars: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'ix']
  let out = ''
  while (out.length < chars) {
    const r = rand()
    if (r < 0.7) out += COMMON[Math.floor(rand() * COMMON.length)]
    else {
      let w = ''
      for (let k = 0, n = 2 + Math.floor(rand() * 3); k < n; k++) w += syllables[Math.floor(rand() * syllables.length)]
      out += r < 0.8 ? `${w}_${Math.floor(rand() * 100)}` : r < 0.85 ? `src/${w}/index.ts` : w
    }
    out += rand() < 0.1 ? '.\n' : ' '
  }
  return out.slice(0, chars)
}

async function writeSession(journal: Journal, root: string, i: number, projects: number): Promise<Session> {
  const rand = random(i + 1)
  const s = await journal.create({ project: path.join(root, 'work', `project-${i % projects}`), title: `session ${i}: ${words(rand, 30)}` })
  const turns = 2 + Math.floor(rand() * 6)
  for (let turn = 0; turn < turns; turn++) {
    const pending: Promise<unknown>[] = []
    const needle = turn === 0 ? (i % 100 === 7 ? ' ERR_SESSION_LOCKED ' : i % 50 === 3 ? ' the flaky monday test ' : '') : ''
    pending.push(s.message({ role: 'user', parts: [{ type: 'text', text: words(rand, 200) + needle + words(rand, 100) }] }))
    const reply = `r${turn}`
    pending.push(s.message({ id: reply, role: 'assistant', parts: [] }))
    const thinking = words(rand, 400)
    for (let u = 1; u <= 10; u++) pending.push(s.part(reply, { id: 'think', type: 'reasoning', text: thinking.slice(0, 40 * u) }))
    const answer = words(rand, 1000)
    for (let u = 1; u <= 25; u++) pending.push(s.part(reply, { id: 'answer', type: 'text', text: answer.slice(0, 40 * u) }))
    const input = { command: `npm run ${words(rand, 20)}` }
    pending.push(s.part(reply, { id: 'tool', type: 'tool', tool: 'bash', state: { status: 'pending', input } }))
    pending.push(s.part(reply, { id: 'tool', type: 'tool', tool: 'bash', state: { status: 'running', input } }))
    pending.push(s.part(reply, { id: 'tool', type: 'tool', tool: 'bash', state: { status: 'completed', input, output: words(rand, 1500) } }))
    await Promise.all(pending)
  }
  return s
}

/** The baseline: every log read, every line JSON.parse'd, the words looked for in each line. */
function scan(files: string[], query: string): number {
  const needles = query.replace(/["*]/g, '').toLowerCase().split(/\s+/).filter(Boolean)
  let found = 0
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    let all = true
    const seen = new Set<string>()
    for (const line of lines) {
      if (line === '') continue
      JSON.parse(line)
      const lower = line.toLowerCase()
      for (const n of needles) if (lower.includes(n)) seen.add(n)
    }
    all = seen.size === needles.length
    if (all) found++
  }
  return found
}

function logsOf(root: string): string[] {
  const dir = path.join(root, 'projects')
  return fs.readdirSync(dir).flatMap(p => fs.readdirSync(path.join(dir, p, 'sessions')).filter(n => n.endsWith('.ndjson')).map(n => path.join(dir, p, 'sessions', n)))
}

function bytesOf(files: string[]): number {
  return files.reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0)
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`

/** Writes the corpus: `sessions` sessions in sessions/10 projects. Returns their ids. */
export async function writeCorpus(root: string, sessions: number): Promise<string[]> {
  const journal = new Journal({ root, fsync: 'never' })
  const projects = Math.max(1, Math.round(sessions / 10))
  const ids: string[] = []
  for (let i = 0; i < sessions; i++) {
    const s = await writeSession(journal, root, i, projects)
    await s.close()
    ids.push(s.id)
  }
  return ids
}

export async function searchScenario(sessions: number, rounds: number): Promise<Row[]> {
  const root = tempRoot('search')
  const journal = new Journal({ root, fsync: 'never' })
  const ids = await writeCorpus(root, sessions)
  const files = logsOf(root)
  const logBytes = bytesOf(files)
  const size = `${sessions} sessions (${mb(logBytes)})`

  // Building from nothing, against read() of every session.
  const build = async () => {
    fs.rmSync(path.join(root, 'search'), { recursive: true, force: true })
    await new Journal({ root }).search('test')
  }
  const reader = new Journal({ root })
  const readAll = async () => { for (const id of ids) await reader.read(id) }
  const b = await sideBySide(Math.min(rounds, 3), readAll, build)
  const indexFiles = ['index.sqlite', 'index.sqlite-wal', 'index.sqlite-shm'].map(n => path.join(root, 'search', n))
  const indexBytes = bytesOf(indexFiles)

  // Warm queries: the index is up to date; what is left is the freshness check and the query.
  const warm = new Journal({ root })
  await warm.search('test')
  const perQuery: string[] = []
  let worst = Infinity
  let scanMs = 0
  const queryMs: number[] = []
  for (const q of QUERIES) {
    const r = await sideBySide(rounds, () => scan(files, q), () => warm.search(q, { limit: 20 }))
    const ratio = r.baseline / r.journal
    worst = Math.min(worst, ratio)
    scanMs = r.baseline
    queryMs.push(r.journal)
    perQuery.push(`${q} ${r.journal.toFixed(1)} ms (${ratio.toFixed(0)}x)`)
  }
  // The freshness floor: a stat of every log, against the walk search does (marks: one stat per project folder).
  const statAll = () => { for (const f of logsOf(root)) fs.statSync(f) }
  const floor = median(await Promise.all([0, 1, 2, 3, 4].map(() => timed(statAll))))
  const fresh = await sideBySide(rounds, statAll, () => warm.search('ERR_SESSION_LOCKED'))

  // Appending 1 MB (streamed, like the corpus) to one session, then searching.
  const appendMs: number[] = []
  const baseMs: number[] = []
  let appended = 0
  for (let r = 0; r < rounds; r++) {
    const s = await journal.resume(ids[r % ids.length]!)
    const before = fs.statSync(s.path).size
    for (let turn = 0; fs.statSync(s.path).size - before < 1 << 20; turn++) {
      const reply = `append-${r}-${turn}`
      await s.message({ id: reply, role: 'assistant', parts: [] })
      const text = words(random(r * 1000 + turn), 2000)
      const pending = []
      for (let u = 1; u <= 50; u++) pending.push(s.part(reply, { id: 'answer', type: 'text', text: text.slice(0, 40 * u) }))
      await Promise.all(pending)
    }
    await s.close()
    appended = fs.statSync(s.path).size - before
    const readAppended = () => {
      const fd = fs.openSync(s.path, 'r')
      const buf = Buffer.allocUnsafe(appended)
      fs.readSync(fd, buf, 0, appended, before)
      fs.closeSync(fd)
      for (const line of buf.toString('utf8').split('\n')) if (line) JSON.parse(line)
    }
    appendMs.push(await timed(() => warm.search('flaky monday')))
    baseMs.push(await timed(() => warm.search('flaky monday')) + await timed(readAppended))
  }
  fs.rmSync(root, { recursive: true, force: true })

  const buildRatio = b.baseline / b.journal
  const sizeRatio = indexBytes / logBytes
  const slowest = Math.max(...queryMs)
  const appendRatio = median(appendMs) / median(baseMs)
  const rate = (ms: number) => `${(logBytes / 1048576 / (ms / 1000)).toFixed(0)} MB/s (${ms.toFixed(0)} ms)`
  return [
    {
      scenario: `search() warm query, ${size}`, target: '>= 50x the scan', ratio: worst, ok: worst >= 50,
      journal: `${median(queryMs).toFixed(1)} ms median, ${slowest.toFixed(1)} ms slowest`, baseline: `${scanMs.toFixed(0)} ms`,
      note: `${perQuery.join('; ')}. Freshness: a stat of every log ${floor.toFixed(1)} ms (scan/${(scanMs / floor).toFixed(0)}); a whole warm search for a rare word ${fresh.journal.toFixed(1)} ms (${(fresh.journal / fresh.baseline).toFixed(2)}x the stat of every log)`,
    },
    {
      scenario: `search index build from nothing, ${size}`, target: '>= 0.5x read() of every session', ratio: buildRatio, ok: buildRatio >= 0.5,
      journal: rate(b.journal), baseline: rate(b.baseline),
    },
    {
      scenario: `search index size, ${size}`, target: '<= 0.5x the logs', ratio: sizeRatio, ok: sizeRatio <= 0.5,
      journal: mb(indexBytes), baseline: mb(logBytes),
    },
    {
      scenario: `search() after appending ${mb(appended)} to one session`, target: '<= 2x warm query + reading it', ratio: appendRatio, ok: appendRatio <= 2,
      journal: `${median(appendMs).toFixed(1)} ms`, baseline: `${median(baseMs).toFixed(1)} ms`,
    },
  ]
}
