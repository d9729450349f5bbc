/**
 * `session-journal list --all` as a whole process (start-up, module loading, listing,
 * printing) against list-minimal.ts, a node script that reads the same cache files and
 * prints the same rows. Both warm (the index built), alternately, output to /dev/null.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Journal } from '../lib/index.js'
import { writeLogs } from './cold-list.js'
import { settle, sideBySide, tempRoot, type Row } from './util.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const bin = path.join(here, '..', 'lib', 'cli', 'bin.js')
const minimal = path.join(here, 'list-minimal.js')

export async function cliListScenario(sessions: number, projects: number, rounds: number): Promise<Row> {
  const root = tempRoot('cli-list')
  writeLogs(root, sessions, projects)
  // Warm: both read the caches; the folders settled, so the index keeps their marks (folder-mark.ts).
  await settle()
  await new Journal({ root }).list()
  const out = fs.openSync('/dev/null', 'w')
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', out, 'pipe'], env: { ...process.env, SESSION_JOURNAL_HOME: root, TZ: 'UTC' } })
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  const same = spawnSync(process.execPath, [bin, 'list', '--all'], { env: { ...process.env, SESSION_JOURNAL_HOME: root, TZ: 'UTC' }, maxBuffer: 2 ** 30 }).stdout.toString()
    === spawnSync(process.execPath, [minimal, root], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 2 ** 30 }).stdout.toString()
  const r = await sideBySide(rounds * 2, () => run([minimal, root]), () => run([bin, 'list', '--all']))
  fs.closeSync(out)
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.journal / r.baseline
  return {
    scenario: `session-journal list --all, ${sessions} sessions, whole process`,
    target: '<= 1.5x, same output',
    ratio,
    ok: ratio <= 1.5 && same,
    journal: `${r.journal.toFixed(0)} ms${same ? '' : ', OUTPUT DIFFERS'}`,
    baseline: `${r.baseline.toFixed(0)} ms (node script reading the caches)`,
  }
}
