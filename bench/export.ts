/** export() of a big session to a file against read() + JSON.stringify of the same history. */
import fs from 'node:fs'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { Journal } from '../lib/index.js'
import { bigSession } from './data.js'
import { sideBySide, tempRoot, type Row } from './util.js'

export async function exportScenario(bytes: number, rounds: number): Promise<Row> {
  const root = tempRoot('export')
  const { id, path: log } = await bigSession(root, bytes)
  const size = fs.statSync(log).size
  const journal = new Journal({ root })
  const out = path.join(root, 'out.json')
  const baseline = async () => {
    const { info, messages } = await journal.read(id)
    await fs.promises.writeFile(out, `${JSON.stringify({ format: 'session-journal', version: 1, info, messages }, null, 2)}\n`)
  }
  const run = async () => {
    const stream = fs.createWriteStream(out)
    await journal.exportTo(id, stream)
    stream.end()
    await finished(stream)
  }
  const r = await sideBySide(rounds, baseline, run)
  fs.rmSync(root, { recursive: true, force: true })
  const mbps = (ms: number) => `${(size / 1048576 / (ms / 1000)).toFixed(0)} MB/s (${ms.toFixed(0)} ms)`
  const ratio = r.baseline / r.journal
  return { scenario: `export() ${(size / 1048576).toFixed(0)} MB session to a file`, target: '>= 0.7x', ratio, ok: ratio >= 0.7, journal: mbps(r.journal), baseline: mbps(r.baseline) }
}
