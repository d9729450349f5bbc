/** Append scenarios: throughput of the writer against raw writeSync/fdatasync on the same lines. */
import fs from 'node:fs'
import path from 'node:path'
import { Journal } from '../lib/index.js'
import { sideBySide, tempRoot, text, type Row } from './util.js'

/** ~200-byte part events, the commonest line a streaming host writes. */
function partEvents(count: number, messageId: string): Array<{ id: string, type: string, text: string }> {
  return Array.from({ length: count }, (_, i) => ({ id: `p${i % 50}`, type: 'text', text: text(120, i) }))
}

/** What the baseline writes: the same events as full lines, the way the journal would shape them. */
function rawLine(seq: number, messageId: string, part: object): string {
  return `${JSON.stringify({ seq, ts: new Date().toISOString(), type: 'part', messageId, part })}\n`
}

export async function appendNever(count: number, rounds: number): Promise<Row> {
  const root = tempRoot('append-never')
  const parts = partEvents(count, 'm')
  const baseline = () => {
    const fd = fs.openSync(path.join(root, `raw-${Math.random()}.ndjson`), 'a')
    let batch = ''
    for (let i = 0; i < parts.length; i++) {
      batch += rawLine(i + 1, 'm', parts[i]!)
      if (batch.length >= 65536) { fs.writeSync(fd, batch); batch = '' }
    }
    if (batch) fs.writeSync(fd, batch)
    fs.closeSync(fd)
  }
  const journal = new Journal({ root, fsync: 'never' })
  const run = async () => {
    const s = await journal.create({ project: root })
    // A host streaming a reply does not await each part; it awaits the burst.
    for (let i = 0; i < parts.length; i += 1000) {
      await Promise.all(parts.slice(i, i + 1000).map(p => s.part('m', p)))
    }
    await s.close()
  }
  const r = await sideBySide(rounds, baseline, run)
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.baseline / r.journal
  return row(`append ${count} events, fsync 'never', a burst awaited`, '>= 0.6x', ratio, ratio >= 0.6, count, r)
}

/** One producer awaiting each append; 'batch' syncs on a timer, 'never' not at all (the baseline never syncs). */
export async function appendAwaited(count: number, rounds: number, fsync: 'batch' | 'never'): Promise<Row> {
  const root = tempRoot(`append-${fsync}-awaited`)
  const parts = partEvents(count, 'm')
  const baseline = () => {
    const fd = fs.openSync(path.join(root, `raw-${Math.random()}.ndjson`), 'a')
    for (let i = 0; i < parts.length; i++) fs.writeSync(fd, rawLine(i + 1, 'm', parts[i]!))
    fs.closeSync(fd)
  }
  const journal = new Journal({ root, fsync })
  const run = async () => {
    const s = await journal.create({ project: root })
    for (const p of parts) await s.part('m', p)
    await s.close()
  }
  const r = await sideBySide(rounds, baseline, run)
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.baseline / r.journal
  const target = fsync === 'never' ? 0.85 : 0.8
  return row(`append ${count}, '${fsync}', 1 producer awaiting each`, `>= ${target}x`, ratio, ratio >= target, count, r)
}

export async function appendAlways(count: number, producers: number, rounds: number): Promise<Row> {
  const root = tempRoot('append-always')
  const parts = partEvents(count, 'm')
  const baseline = () => {
    const fd = fs.openSync(path.join(root, `raw-${Math.random()}.ndjson`), 'a')
    for (let i = 0; i < parts.length; i++) {
      fs.writeSync(fd, rawLine(i + 1, 'm', parts[i]!))
      fs.fdatasyncSync(fd)
    }
    fs.closeSync(fd)
  }
  const journal = new Journal({ root, fsync: 'always' })
  const run = async () => {
    const s = await journal.create({ project: root })
    let next = 0
    await Promise.all(Array.from({ length: producers }, async () => {
      while (next < parts.length) await s.part('m', parts[next++]!)
    }))
    await s.close()
  }
  const r = await sideBySide(rounds, baseline, run)
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = r.baseline / r.journal
  return row(`append ${count}, 'always', ${producers} producers`, '>= 5x', ratio, ratio >= 5, count, r)
}

function row(scenario: string, target: string, ratio: number, ok: boolean, count: number, r: { baseline: number, journal: number }): Row {
  const rate = (ms: number) => `${Math.round(count / (ms / 1000)).toLocaleString('en-US')} ev/s (${ms.toFixed(0)} ms)`
  return { scenario, target, ratio, ok, journal: rate(r.journal), baseline: rate(r.baseline) }
}
