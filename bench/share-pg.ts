/**
 * Several share servers as one service: N concurrent viewers of one share spread over two
 * server processes (bench/share-server-child.ts, each alone in its process so its peak RSS is
 * its own), every viewer reading the page again and again over keep-alive. Journal: two servers
 * over one PostgreSQL (a throwaway cluster started here, as the tests do); baseline, same run,
 * same load: two servers over one disk store folder (read-only traffic, which one folder serves).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import { Agent, request } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DiskShareStore, PgShareStore } from '../lib/server/index.js'
import { emptySessionUsage } from '../lib/core/usage.js'
import type { ShareDocument } from '../lib/share/document.js'
import { startPgCluster } from '../test/server/pg-cluster.js'
import { median, tempRoot, text, type Row } from './util.js'

const CHILD = fileURLToPath(new URL('./share-server-child.js', import.meta.url))

/** About `bytes` of conversation in messages of prose. */
function conversation(bytes: number): ShareDocument {
  const created = '2024-05-01T12:00:00.000Z'
  const messages: ShareDocument['messages'] = []
  for (let i = 0; i * 2000 < bytes; i++) {
    messages.push({ id: `m${i}`, role: i % 2 === 0 ? 'user' : 'assistant', created, parts: [{ id: `p${i}`, type: 'text', text: text(2000, i) }] })
  }
  return {
    format: 'session-journal', version: 1, messages,
    info: { id: '01J0000000000000000000000', projectId: 'bench-000000000000', projectPath: 'bench', created, updated: created, title: 'viewers', parentId: null, share: null, usage: emptySessionUsage(), meta: { host: null, events: [] } },
  }
}

interface Server { url: string, done: () => Promise<number> }

/** A share server in its own process over `where`; done() stops it and resolves to its peak RSS in MB. */
async function child(where: string): Promise<Server> {
  const proc = spawn(process.execPath, [CHILD, 'share', where], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  proc.stdout.setEncoding('utf8')
  proc.stdout.on('data', (chunk: string) => { out += chunk })
  while (!out.includes('\n')) await once(proc.stdout, 'data')
  const { url } = JSON.parse(out.split('\n')[0]!) as { url: string }
  return {
    url,
    async done() {
      proc.stdin.end()
      while (out.split('\n').filter(Boolean).length < 2) await once(proc.stdout, 'data')
      await once(proc, 'exit').catch(() => undefined)
      return (JSON.parse(out.split('\n').filter(Boolean)[1]!) as { maxRssMB: number }).maxRssMB
    },
  }
}

function get(agent: Agent, url: string): Promise<string> {
  return new Promise(resolve => {
    const req = request(url, { agent }, res => {
      res.resume()
      res.on('end', () => resolve(String(res.statusCode)))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    req.end()
  })
}

interface Outcome { perSecond: number, statuses: Record<string, number>, rssMB: number[] }

/** `viewers` at once, half on each server, each reading the page `each` times in a row. */
async function viewers(servers: Server[], id: string, count: number, each: number): Promise<Outcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: count })
  const statuses: Record<string, number> = {}
  const start = performance.now()
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    for (let n = 0; n < each; n++) {
      const status = await get(agent, `${servers[i % servers.length]!.url}/s/${id}`)
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }))
  const seconds = (performance.now() - start) / 1000
  agent.destroy()
  const rssMB = await Promise.all(servers.map(s => s.done()))
  return { perSecond: (count * each) / seconds, statuses, rssMB }
}

function merge(all: Array<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = {}
  for (const statuses of all) for (const [status, n] of Object.entries(statuses)) sum[status] = (sum[status] ?? 0) + n
  return sum
}

export async function sharePgScenario(docKB: number, count: number, each: number, rounds: number): Promise<Row> {
  const root = tempRoot('share-pg')
  const cluster = await startPgCluster()
  try {
    const doc = conversation(docKB * 1024)
    const dir = path.join(root, 'store')
    const disk = new DiskShareStore(dir)
    await disk.init()
    const onDisk = await disk.create(doc)
    const database = await cluster.createDatabase()
    const pg = await PgShareStore.connect(database)
    const inPg = await pg.create(doc).finally(() => pg.close())
    const pageKB = ((await disk.record(onDisk.id))!.htmlBytes / 1024).toFixed(0)

    // Interleaved, which goes first alternating, so a noisy neighbour hurts both alike; fresh server processes each run.
    const disks: Outcome[] = []
    const pgs: Outcome[] = []
    for (let round = 0; round < rounds; round++) {
      const runDisk = async (): Promise<void> => { disks.push(await viewers([await child(dir), await child(dir)], onDisk.id, count, each)) }
      const runPg = async (): Promise<void> => { pgs.push(await viewers([await child(database), await child(database)], inPg.id, count, each)) }
      if (round % 2 === 0) await runDisk().then(runPg)
      else await runPg().then(runDisk)
    }
    const typical = (all: Outcome[]): Outcome => {
      const mid = median(all.map(o => o.perSecond))
      return { ...all.find(o => o.perSecond === mid) ?? all[0]!, perSecond: mid, statuses: merge(all.map(o => o.statuses)) }
    }
    const baseline = typical(disks)
    const journal = typical(pgs)

    const all = count * each * rounds
    const ok = journal.statuses['200'] === all && baseline.statuses['200'] === all
    const describe = (o: Outcome): string => `${o.perSecond.toFixed(0)} req/s, peak RSS ${o.rssMB.map(mb => mb.toFixed(0)).join(' + ')} MB`
    return {
      scenario: `share servers x2: ${count} concurrent viewers x ${each} GETs of one ${pageKB} KB page, PostgreSQL vs disk store`,
      target: 'every request answered 200 (ratio: requests/s on PostgreSQL over the disk store)',
      ratio: journal.perSecond / baseline.perSecond,
      ok,
      journal: describe(journal),
      baseline: describe(baseline),
      note: `median of ${rounds} interleaved rounds (req/s: ${pgs.map(o => o.perSecond.toFixed(0)).join(', ')} vs ${disks.map(o => o.perSecond.toFixed(0)).join(', ')}); PostgreSQL ${JSON.stringify(journal.statuses)}, disk ${JSON.stringify(baseline.statuses)}; `
        + 'on PostgreSQL every GET waits for a read of the share\'s head that started after it arrived (concurrent GETs share one), the page bytes come from the server\'s cache once read',
    }
  } finally {
    await cluster.destroy()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
