/**
 * `import --from claude-code` over many generated transcripts. First import against reading and
 * parsing every line of the same files; re-import of the unchanged tree (the origin index lets
 * it skip each file on its fingerprint) against the least any change check costs: finding and
 * stat'ing the files. The note gives the same re-import without the index (a scan of the logs'
 * heads, then every file read and compared): the figure behind keeping the index.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Journal } from '../lib/index.js'
import { findFiles } from '../lib/import/files.js'
import { median, sideBySide, tempRoot, text, timed, type Row } from './util.js'

function transcript(session: number, turns: number): string {
  const id = `${String(session).padStart(8, '0')}-0000-4000-8000-000000000000`
  const lines: string[] = []
  let parent: string | null = null
  for (let t = 0; t < turns; t++) {
    const ts = new Date(Date.UTC(2025, 0, 1, 0, session % 60, t)).toISOString()
    const base = { isSidechain: false, userType: 'external', cwd: `/home/dev/project-${session % 20}`, sessionId: id, version: '2.1.9', gitBranch: 'main' }
    const u = `u${session}-${t}`
    lines.push(JSON.stringify({ parentUuid: parent, ...base, type: 'user', message: { role: 'user', content: text(200, session * 31 + t) }, uuid: u, timestamp: ts }))
    const a1 = `a${session}-${t}-1`
    const a2 = `a${session}-${t}-2`
    const message = (content: unknown, output: number) => ({ id: `msg_${session}_${t}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [content],
      stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: output, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50 } })
    lines.push(JSON.stringify({ parentUuid: u, ...base, type: 'assistant', message: message({ type: 'thinking', thinking: text(300, t), signature: 'sig' }, 3), requestId: `req_${session}_${t}`, uuid: a1, timestamp: ts }))
    lines.push(JSON.stringify({ parentUuid: a1, ...base, type: 'assistant', message: message({ type: 'text', text: text(800, session + t) }, 120), requestId: `req_${session}_${t}`, uuid: a2, timestamp: ts }))
    parent = a2
  }
  return `${lines.join('\n')}\n`
}

export async function importScenario(sessions: number, rounds: number): Promise<Row[]> {
  const dir = tempRoot('import')
  const source = path.join(dir, 'claude', 'projects')
  for (let s = 0; s < sessions; s++) {
    const folder = path.join(source, `-home-dev-project-${s % 20}`)
    fs.mkdirSync(folder, { recursive: true })
    fs.writeFileSync(path.join(folder, `${String(s).padStart(8, '0')}-0000-4000-8000-000000000000.jsonl`), transcript(s, 20))
  }
  let fresh = 0
  const importInto = async () => {
    const journal = new Journal({ root: path.join(dir, `root-${fresh++}`), fsync: 'never', env: {} })
    const result = await journal.importFrom('claude-code', [source])
    if (result.imported.length !== sessions) throw new Error(`imported ${result.imported.length} of ${sessions}`)
  }
  const parseAll = async () => {
    for (const file of await findFiles([source], f => f.endsWith('.jsonl'))) {
      for (const line of (await fs.promises.readFile(file, 'utf8')).split('\n')) if (line) JSON.parse(line)
    }
  }
  const first = await sideBySide(rounds, parseAll, importInto)
  for (let i = 0; i < fresh; i++) fs.rmSync(path.join(dir, `root-${i}`), { recursive: true, force: true })

  const root = path.join(dir, 'root')
  const journal = new Journal({ root, fsync: 'never', env: {} })
  await journal.importFrom('claude-code', [source])
  const statAll = async () => {
    for (const file of await findFiles([source], f => f.endsWith('.jsonl'))) await fs.promises.stat(file)
  }
  let skipped = 0
  const again = await sideBySide(rounds, statAll, async () => { skipped = (await journal.importFrom('claude-code', [source])).skipped.length })
  const cache = path.join(root, 'imports', 'claude-code.json')
  const kept = fs.readFileSync(cache)
  const withoutIndex: number[] = []
  for (let i = 0; i < Math.min(rounds, 3); i++) {
    fs.rmSync(cache)
    withoutIndex.push(await timed(() => journal.importFrom('claude-code', [source])))
  }
  fs.writeFileSync(cache, kept)
  fs.rmSync(dir, { recursive: true, force: true })
  const firstRatio = first.journal / first.baseline
  const againRatio = again.journal / again.baseline
  const noIndex = median(withoutIndex)
  return [{
    scenario: `import --from claude-code, ${sessions} transcripts x 60 lines`,
    target: '<= 40x reading and parsing them',
    ratio: firstRatio,
    ok: firstRatio <= 40,
    journal: `${first.journal.toFixed(0)} ms`,
    baseline: `${first.baseline.toFixed(0)} ms read + JSON.parse`,
    note: `${(first.journal / sessions).toFixed(1)} ms a session, most of it the core's importLog (claim lock, staged log, the appender's batch timer at close), not the mapping`,
  }, {
    scenario: `re-import of the ${sessions} unchanged transcripts`,
    target: '<= 5x stat of every file, all skipped',
    ratio: againRatio,
    ok: againRatio <= 5 && skipped === sessions,
    journal: `${again.journal.toFixed(0)} ms, ${skipped} skipped`,
    baseline: `${again.baseline.toFixed(0)} ms find + stat`,
    note: `without the origin index (heads of every log scanned, every file read and compared, nothing written) the re-import takes ${noIndex.toFixed(0)} ms: ${(noIndex / again.journal).toFixed(1)}x the indexed one`,
  }]
}
