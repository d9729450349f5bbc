/**
 * read() of a session whose messages are each sent 10 times (a host re-sending a message
 * as it changes), at three sizes, against chunked JSON.parse of the same lines. A fold that
 * searched its messages for each repeated id would fall behind more at every doubling; a
 * linear one keeps the same ratio.
 */
import fs from 'node:fs'
import { Journal } from '../lib/index.js'
import { rawParse } from './read.js'
import { sideBySide, tempRoot, text, type Row } from './util.js'

const RESENDS = 10

async function resentSession(root: string, messages: number): Promise<{ id: string, path: string }> {
  const journal = new Journal({ root, fsync: 'never' })
  const s = await journal.create({ project: `${root}/project`, title: `${messages} x ${RESENDS}` })
  for (let round = 0; round < RESENDS; round++) {
    let pending: Promise<unknown>[] = []
    for (let i = 0; i < messages; i++) {
      pending.push(s.message({ id: `m${i}`, role: i % 2 ? 'assistant' : 'user', parts: [{ id: 'a', type: 'text', text: text(60, i + round) }] }))
      if (pending.length === 512) { await Promise.all(pending); pending = [] }
    }
    await Promise.all(pending)
  }
  await s.close()
  return { id: s.id, path: s.path }
}

/** One row per size: `messages`, twice and four times as many. */
export async function foldScenario(messages: number, rounds: number): Promise<Row[]> {
  const rows: Row[] = []
  for (const n of [messages, messages * 2, messages * 4]) {
    const root = tempRoot('fold')
    try {
      const { id, path: file } = await resentSession(root, n)
      const journal = new Journal({ root })
      const r = await sideBySide(rounds, () => rawParse(file), () => journal.read(id))
      const lines = n * RESENDS + 1
      const rate = (ms: number) => `${Math.round(lines / (ms / 1000)).toLocaleString('en-US')} lines/s (${ms.toFixed(0)} ms)`
      const ratio = r.journal / r.baseline
      rows.push({
        scenario: `read() ${n} messages x ${RESENDS} resends`,
        target: '<= 3x time',
        ratio,
        ok: ratio <= 3,
        journal: rate(r.journal),
        baseline: rate(r.baseline),
        note: `${(fs.statSync(file).size / 1048576).toFixed(1)} MB log, ${lines} lines`,
      })
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
  return rows
}
