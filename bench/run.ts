/**
 * `npm run bench [-- --json] [--rounds N] [--only ROW,ROW…] [--<size option> N …]`: the rows and
 * their size options are the tables below (`scenarios`, `parseArgs`); docs/performance.md lists them.
 * Every figure is a ratio against a raw baseline run side by side, in the same process, on
 * the same data, interleaved over several rounds (median), so it holds on a noisy machine.
 */
import fs from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { appendAlways, appendAwaited, appendNever } from './append.js'
import { choices, type Choice } from './choices.js'
import { cliListScenario } from './cli-list.js'
import { coldListScenario } from './cold-list.js'
import { configScenario } from './config.js'
import { exportScenario } from './export.js'
import { foldScenario } from './fold.js'
import { listScenario } from './list.js'
import { mcpScenario } from './mcp.js'
import { locateScenario } from './locate.js'
import { usageScenario } from './usage.js'
import { readScenario } from './read.js'
import { redactScenario } from './redact.js'
import { resumeScenario } from './resume.js'
import { shareServerScenario } from './share-server.js'
import { sharePgScenario } from './share-pg.js'
import { searchScenario } from './search.js'
import { importScenario } from './import.js'
import { viewerScenario } from './viewer.js'
import type { Row } from './util.js'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    events: { type: 'string', default: '200000' },
    'always-events': { type: 'string', default: '4000' },
    'read-mb': { type: 'string', default: '100' },
    sessions: { type: 'string', default: '10000' },
    projects: { type: 'string', default: '1000' },
    'resume-gb': { type: 'string', default: '1' },
    'fold-messages': { type: 'string', default: '16000' },
    'redact-kib': { type: 'string', default: '512' },
    'config-kib': { type: 'string', default: '200' },
    'share-mb': { type: 'string', default: '16' },
    'share-gets': { type: 'string', default: '500' },
    'share-syncs': { type: 'string', default: '300' },
    'search-sessions': { type: 'string', default: '1000' },
    'import-sessions': { type: 'string', default: '500' },
    'markdown-kib': { type: 'string', default: '128' },
    'pg-kb': { type: 'string', default: '256' },
    'pg-viewers': { type: 'string', default: '200' },
    'pg-gets': { type: 'string', default: '25' },
    'locate-projects': { type: 'string', default: '1000,10000' },
    'cli-sessions': { type: 'string', default: '1000,10000' },
    'cold-sessions': { type: 'string', default: '1000,10000,50000' },
    only: { type: 'string' },
  },
})
const n = (key: keyof typeof values) => Number(values[key])
// `--read-mb 10,100,500` prints the read row at each size (how it grows); export and choices use the first.
const readMb = String(values['read-mb']).split(',').map(Number)
const rounds = n('rounds')
const log = (line: string) => { if (!values.json) process.stderr.write(`${line}\n`) }

const scenarios: Array<[string, () => Promise<Row | Row[]>]> = [
  ['append-never', () => appendNever(n('events'), rounds)],
  ['append-batch', () => appendAwaited(Math.min(n('events'), 50_000), rounds, 'batch')],
  ['append-awaited', () => appendAwaited(Math.min(n('events'), 50_000), rounds, 'never')],
  ['append-always', () => appendAlways(n('always-events'), 16, rounds)],
  ['read', async () => {
    const rows: Row[] = []
    for (const mb of readMb) {
      const r = await readScenario(mb * 2 ** 20, rounds)
      fs.rmSync(r.root, { recursive: true, force: true })
      rows.push(r.row, r.foldRow)
    }
    return rows
  }],
  ['list', () => listScenario(n('sessions'), n('projects'), rounds)],
  ['usage', () => usageScenario(n('sessions'), n('projects'), rounds)],
  ['resume', () => resumeScenario(n('resume-gb') * 2 ** 30, Math.max(rounds, 9))],
  ['export', () => exportScenario(readMb[0]! * 2 ** 20, rounds)],
  ['fold', () => foldScenario(n('fold-messages'), rounds)],
  ['redact', () => redactScenario(n('redact-kib'), rounds)],
  ['config', () => configScenario(n('config-kib'), rounds)],
  ['share-server', () => shareServerScenario(n('share-mb'), n('share-gets'), n('share-syncs'))],
  ['share-pg', () => sharePgScenario(n('pg-kb'), n('pg-viewers'), n('pg-gets'), Math.min(rounds, 3))],
  ['search', () => searchScenario(n('search-sessions'), rounds)],
  ['import', () => importScenario(n('import-sessions'), rounds)],
  ['viewer', () => viewerScenario(n('markdown-kib'), rounds)],
  ['mcp', () => mcpScenario(n('sessions'), n('projects'), rounds)],
  ['cli-list', async () => { const rows: Row[] = []; for (const k of String(values['cli-sessions']).split(',')) rows.push(await cliListScenario(Number(k), Math.max(1, Number(k) / 10), rounds)); return rows }],
  ['cold-list', async () => { const rows: Row[] = []; for (const k of String(values['cold-sessions']).split(',')) rows.push(...await coldListScenario(Number(k), rounds)); return rows }],
  ['locate', async () => { const rows: Row[] = []; for (const p of String(values['locate-projects']).split(',')) rows.push(await locateScenario(Number(p), rounds)); return rows }],
]

const rows: Row[] = []
for (const [name, run] of scenarios) {
  if (values.only && !values.only.split(',').includes(name)) continue
  log(`running ${name}…`)
  rows.push(...[await run()].flat())
}
// The measurements behind the design choices: only when asked (`--only choices`).
let measured: Choice[] = []
if (values.only?.split(',').includes('choices')) {
  log('running choices…')
  measured = await choices(rounds, readMb[0]!)
}

const machine = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()} ${os.release()}` }
if (values.json) {
  process.stdout.write(`${JSON.stringify({ machine, rounds, rows, choices: measured })}\n`)
} else {
  const table = [['scenario', 'target', 'ratio', 'met', 'journal', 'baseline'],
    ...rows.map(r => [r.scenario, r.target, `${r.ratio.toFixed(2)}x`, r.ok ? 'yes' : 'NO', r.journal, r.baseline])]
  const widths = table[0]!.map((_, c) => Math.max(...table.map(row => row[c]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`
  console.log(`Node ${machine.node}, ${machine.cpu} x${machine.cores}, ${machine.platform}; median of ${rounds} interleaved rounds`)
  if (rows.length > 0) {
    console.log(line(table[0]!))
    console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`)
    for (const row of table.slice(1)) console.log(line(row))
  }
  for (const r of rows) if (r.note) console.log(`- ${r.scenario}: ${r.note}`)
  if (rows.length > 0) console.log(`${rows.filter(r => r.ok).length} of ${rows.length} targets met`)
  if (measured.length > 0) {
    console.log('\nDesign choices:')
    for (const c of measured) console.log(`- ${c.what}: ${c.figure}`)
  }
}
