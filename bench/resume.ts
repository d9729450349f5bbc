/**
 * resume() of a 1 GB session against a 1 KB one. The 1 GB log is sparse (a real header, a
 * hole, a real last line): resume must not read the middle, so it cannot tell, and the
 * disk is spared a 1 GB write on every run.
 */
import fs from 'node:fs'
import { Journal } from '../lib/index.js'
import { median, tempRoot, timed, type Row } from './util.js'

export async function resumeScenario(bigBytes: number, rounds: number): Promise<Row> {
  const root = tempRoot('resume')
  const journal = new Journal({ root, fsync: 'never' })
  const small = await journal.create({ project: `${root}/p`, title: 'small' })
  await small.message({ role: 'user', parts: [{ type: 'text', text: 'hello' }] })
  await small.close()
  const big = await journal.create({ project: `${root}/p`, title: 'big' })
  await big.close()
  const last = `${JSON.stringify({ seq: 1, ts: new Date().toISOString(), type: 'title', title: 'big' })}\n`
  const fd = fs.openSync(big.path, 'r+')
  fs.writeSync(fd, Buffer.from(`\n${last}`), 0, last.length + 1, bigBytes - last.length - 1)
  fs.closeSync(fd)

  const once = async (id: string) => { const s = await journal.resume(id); await s.close() }
  const tSmall: number[] = []
  const tBig: number[] = []
  for (let i = 0; i < rounds; i++) {
    tSmall.push(await timed(() => once(small.id)))
    tBig.push(await timed(() => once(big.id)))
  }
  const size = fs.statSync(big.path).size
  fs.rmSync(root, { recursive: true, force: true })
  const ratio = median(tBig) / median(tSmall)
  return {
    scenario: `resume() ${(size / 2 ** 30).toFixed(1)} GB vs 1 KB session`,
    target: '<= 2x',
    ratio,
    ok: ratio <= 2,
    journal: `${median(tBig).toFixed(2)} ms`,
    baseline: `${median(tSmall).toFixed(2)} ms (1 KB)`,
  }
}
