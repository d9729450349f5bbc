/**
 * read(): the folded history of a big session against chunked split + JSON.parse of the same
 * file (nothing kept), and against issue 16's floor: the same bytes already in memory, split,
 * parsed and folded by the public fold() (the result kept, as read() keeps it).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Journal, type JournalEvent } from '../lib/index.js'
import { FoldState } from '../lib/core/fold.js'
import { bigSession } from './data.js'
import { sideBySide, tempRoot, type Row } from './util.js'

/** The raw baseline: 1 MiB chunks, split on \n, JSON.parse each line, nothing else. */
export async function rawParse(file: string): Promise<number> {
  const handle = await fs.promises.open(file, 'r')
  const buf = Buffer.allocUnsafe(1 << 20)
  let carry = Buffer.alloc(0)
  let n = 0
  for (let pos = 0; ;) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, pos)
    if (bytesRead === 0) break
    pos += bytesRead
    let chunk = buf.subarray(0, bytesRead)
    if (carry.length) chunk = Buffer.concat([carry, chunk])
    let at = 0
    for (let nl = chunk.indexOf(10, at); nl !== -1; nl = chunk.indexOf(10, at)) {
      JSON.parse(chunk.toString('utf8', at, nl))
      n++
      at = nl + 1
    }
    carry = Buffer.from(chunk.subarray(at))
  }
  await handle.close()
  return n
}

/**
 * Issue 16's floor for read(): the log's bytes already in memory, split on \n, JSON.parse each
 * line, each event pushed into the fold as parsed (the fold read() uses, without a generator or
 * an array of every event between them).
 */
export function inMemoryFold(bytes: Buffer): number {
  const folder = new FoldState()
  let at = 0
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, at)) {
    folder.push(JSON.parse(bytes.toString('utf8', at, nl)) as JournalEvent)
    at = nl + 1
  }
  return folder.result().messages.length
}

export async function readScenario(bytes: number, rounds: number): Promise<{ row: Row, foldRow: Row, root: string, id: string, file: string }> {
  const root = tempRoot('read')
  const { id, path: file } = await bigSession(root, bytes)
  const size = fs.statSync(file).size
  const journal = new Journal({ root })
  const r = await sideBySide(rounds, () => rawParse(file), () => journal.read(id))
  const logBytes = fs.readFileSync(file)
  const inMemory = await sideBySide(rounds, () => inMemoryFold(logBytes), () => journal.read(id))
  const mbps = (ms: number) => `${(size / 1048576 / (ms / 1000)).toFixed(0)} MB/s (${ms.toFixed(0)} ms)`
  // Peak RSS is per process: measure read() alone in a fresh child.
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./read-child.js', import.meta.url)), root, id], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(`read-child failed: ${child.stderr}`)
  const { maxRssMB, resultMB } = JSON.parse(child.stdout) as { maxRssMB: number, resultMB: number }
  const rssLimit = 2 * resultMB + 64
  const ratio = r.baseline / r.journal
  return {
    row: {
      scenario: `read() ${(size / 1048576).toFixed(0)} MB session`,
      target: '>= 0.7x, RSS <= 2x result + 64 MB',
      ratio,
      ok: ratio >= 0.7 && maxRssMB <= rssLimit,
      journal: `${mbps(r.journal)}, peak RSS ${maxRssMB.toFixed(0)} MB`,
      baseline: mbps(r.baseline),
      note: `folded result ${resultMB.toFixed(1)} MB (JSON), RSS limit ${rssLimit.toFixed(0)} MB`,
    },
    foldRow: {
      scenario: `read() ${(size / 1048576).toFixed(0)} MB session, against its bytes in memory`,
      target: '>= 0.9x split + parse + fold in memory',
      ratio: inMemory.baseline / inMemory.journal,
      ok: inMemory.baseline / inMemory.journal >= 0.9,
      journal: mbps(inMemory.journal),
      baseline: `${mbps(inMemory.baseline)} (bytes already read)`,
    },
    root, id, file,
  }
}
