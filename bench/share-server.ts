/**
 * The share server under the load that used to kill it: 500 concurrent GETs of a 16 MB share
 * and 300 concurrent syncs with a wrong secret, all on loopback, while a small share is read
 * again and again. The server runs in a child process (bench/share-server-child.ts) so its peak
 * RSS is its own. Baseline, same run, same load: a bare node:http server streaming the same bytes.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { request } from 'node:http'
import path from 'node:path'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { DiskShareStore } from '../lib/server/index.js'
import { emptySessionUsage } from '../lib/core/usage.js'
import type { ShareDocument } from '../lib/share/document.js'
import { median, tempRoot, text, type Row } from './util.js'

const CHILD = fileURLToPath(new URL('./share-server-child.js', import.meta.url))

/** ~`bytes` of conversation: messages of prose and tool output, the shape hosts send. */
function conversation(bytes: number): ShareDocument {
  const created = '2024-05-01T12:00:00.000Z'
  const messages: ShareDocument['messages'] = []
  for (let i = 0, size = 0; size < bytes; i++) {
    const prose = text(1500, i)
    const output = text(2500, i + 7).replace(/ /g, '\n')
    const message: ShareDocument['messages'][number] = {
      id: `m${i}`, role: i % 2 === 0 ? 'user' : 'assistant', created,
      parts: [{ id: `p${i}a`, type: 'text', text: prose }, { id: `p${i}b`, type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: 'ls' }, output } }],
    }
    messages.push(message)
    size += Buffer.byteLength(JSON.stringify(message)) + 1
  }
  return {
    format: 'session-journal', version: 1, messages,
    info: { id: '01J0000000000000000000000', projectId: 'bench-000000000000', projectPath: 'bench', created, updated: created, title: 'load', parentId: null, share: null, usage: emptySessionUsage(), meta: { host: null, events: [] } },
  }
}

interface Outcome { statuses: Record<string, number>, smallMs: number[], seconds: number, maxRssMB: number, startRssMB: number }

function get(url: string, sink: (bytes: number) => void): Promise<string> {
  return new Promise(resolve => {
    const req = request(url, { agent: false }, res => {
      res.on('data', (chunk: Buffer) => sink(chunk.length))
      res.on('end', () => resolve(String(res.statusCode)))
      res.on('error', () => resolve('reset'))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    req.end()
  })
}

function wrongSync(url: string): Promise<string> {
  return new Promise(resolve => {
    const req = request(url, { method: 'POST', agent: false, headers: { authorization: 'Bearer wrong', 'content-type': 'application/json', 'content-length': 0 } }, res => {
      res.resume()
      res.on('end', () => resolve(String(res.statusCode)))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    req.end()
  })
}

/** Starts the child, fires the load, reads the small share every 50 ms until the load is done. */
async function underLoad(args: string[], paths: { big: string, small: string, sync: string }, gets: number, syncs: number): Promise<Outcome> {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => { out += chunk })
  while (!out.includes('\n')) await once(child.stdout, 'data')
  const { url } = JSON.parse(out.split('\n')[0]!) as { url: string }
  const statuses: Record<string, number> = {}
  const count = (status: string): void => { statuses[status] = (statuses[status] ?? 0) + 1 }
  let received = 0
  const start = performance.now()
  const load = Promise.all([
    ...Array.from({ length: gets }, () => get(`${url}${paths.big}`, n => { received += n }).then(s => count(`GET ${s}`))),
    ...Array.from({ length: syncs }, () => wrongSync(`${url}${paths.sync}`).then(s => count(`sync ${s}`))),
  ])
  let done = false
  void load.then(() => { done = true })
  const smallMs: number[] = []
  // Bounded: the load either finishes or the child died (then every request failed fast).
  while (!done && performance.now() - start < 180_000) {
    const t0 = performance.now()
    const status = await get(`${url}${paths.small}`, () => undefined)
    if (status === '200') smallMs.push(performance.now() - t0)
    else count(`small ${status}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  await load
  const seconds = (performance.now() - start) / 1000
  const exited = child.exitCode !== null
  child.stdin.end()
  if (!exited) while (out.split('\n').filter(Boolean).length < 2) await once(child.stdout, 'data')
  const report = exited ? { maxRssMB: Infinity, startRssMB: 0 } : JSON.parse(out.split('\n').filter(Boolean)[1]!) as { maxRssMB: number, startRssMB: number }
  await once(child, 'exit').catch(() => undefined)
  if (received === 0) count('no bytes received')
  return { statuses, smallMs, seconds, ...report }
}

export async function shareServerScenario(docMB: number, gets: number, syncs: number): Promise<Row> {
  const root = tempRoot('share-server')
  try {
    const dir = path.join(root, 'store')
    const store = new DiskShareStore(dir)
    await store.init()
    const doc = conversation(docMB * 2 ** 20)
    const big = await store.create(doc)
    const small = await store.create({ ...doc, messages: doc.messages.slice(0, 2) })
    const bigRecord = (await store.record(big.id))!
    const sizeMB = bigRecord.jsonBytes / 2 ** 20
    const files = fs.readdirSync(dir)
    const file = (id: string): string => path.join(dir, files.find(f => f.startsWith(`${id}.`) && f.endsWith('.document'))!)

    const journal = await underLoad(['share', dir], { big: `/api/share/${big.id}`, small: `/api/share/${small.id}`, sync: `/api/share/${big.id}/sync` }, gets, syncs)
    const baseline = await underLoad(['raw', file(big.id), file(small.id)], { big: '/big', small: '/small', sync: '/sync' }, gets, syncs)

    const limitMB = 4 * sizeMB + 100
    const answered = (o: Outcome): number => (o.statuses['GET 200'] ?? 0) + (o.statuses['GET 503'] ?? 0)
    const ok = journal.maxRssMB <= limitMB && journal.smallMs.length > 0 && answered(journal) === gets && journal.statuses['sync 403'] === syncs
    const describe = (o: Outcome): string => `peak RSS ${o.maxRssMB.toFixed(0)} MB, small GET p50 ${median(o.smallMs).toFixed(0)} ms / max ${Math.max(...o.smallMs).toFixed(0)} ms, all done in ${o.seconds.toFixed(1)} s`
    return {
      scenario: `share server: ${gets} GETs of a ${sizeMB.toFixed(0)} MB share + ${syncs} wrong-secret syncs`,
      target: `no crash, RSS <= 4x doc + 100 MB (${limitMB.toFixed(0)} MB), small GET answered`,
      // Time to serve the whole load, raw static server over share server: 1.00x is "as fast as streaming the file".
      ratio: baseline.seconds / journal.seconds,
      ok,
      journal: describe(journal),
      baseline: describe(baseline),
      note: `one round each; server answers ${JSON.stringify(journal.statuses)}, baseline ${JSON.stringify(baseline.statuses)}; ` +
        `server RSS at start ${journal.startRssMB.toFixed(0)} MB; small GETs sampled every 50 ms (${journal.smallMs.length} answered)`,
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}
