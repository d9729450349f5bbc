/**
 * loadConfig() of a project file of ~200 KB holding thousands of unknown keys (each one a
 * warning) against JSON.parse of the same bytes: locating the warnings must stay linear.
 */
import fs from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../lib/index.js'
import { sideBySide, tempRoot, type Row } from './util.js'

export async function configScenario(kib: number, rounds: number): Promise<Row> {
  const root = tempRoot('config')
  const project = path.join(root, 'repo')
  fs.mkdirSync(path.join(project, '.git'), { recursive: true })
  const lines = ['{', '  "share": "disabled",']
  for (let i = 0, size = 0; size < kib * 1024 - 64; i++) {
    lines.push(`  "stray-key-${i}": "value ${i}",`)
    size += lines[lines.length - 1]!.length + 1
  }
  lines.push('  "last": true', '}', '')
  const file = path.join(project, 'session-journal.jsonc')
  fs.writeFileSync(file, lines.join('\n'))
  const keys = lines.length - 4
  const options = { project, configDir: path.join(root, 'global'), env: {} }
  const r = await sideBySide(rounds, () => JSON.parse(fs.readFileSync(file, 'utf8')), () => loadConfig(options))
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.baseline / r.journal
  const ms = (value: number) => `${value.toFixed(2)} ms`
  return {
    scenario: `loadConfig(), ${kib} KiB project file of ${keys} unknown keys, vs JSON.parse`,
    target: '>= 0.05x',
    ratio,
    ok: ratio >= 0.05,
    journal: ms(r.journal),
    baseline: ms(r.baseline),
  }
}
