/**
 * The measurements behind the design choices (docs/performance.md): each required dependency
 * on the hot path it would sit on, against what the journal does there instead.
 */
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import fg from 'fast-glob'
import ndjson from 'ndjson'
import lockfile from 'proper-lockfile'
import { monotonicFactory } from 'ulid'
import { Journal } from '../lib/index.js'
import { newId } from '../lib/core/ids.js'
import { scanLog, type ScanState } from '../lib/core/reader.js'
import { bigSession } from './data.js'
import { median, tempRoot, timed } from './util.js'

export interface Choice { what: string, figure: string }

async function perOp(n: number, rounds: number, fn: () => unknown): Promise<number> {
  const t: number[] = []
  for (let r = 0; r < rounds; r++) t.push(await timed(async () => { for (let i = 0; i < n; i++) await fn() }))
  return (median(t) / n) * 1000 // µs
}

/** Ids made one per millisecond: the case where ulid's default PRNG pays for fresh randomness. */
async function ids(rounds: number): Promise<Choice[]> {
  const plain = monotonicFactory()
  const spread = async (make: () => string) => {
    const t: number[] = []
    for (let r = 0; r < rounds; r++) {
      let total = 0
      for (let i = 0; i < 200; i++) {
        const ms = Date.now()
        while (Date.now() === ms) { /* wait for the next millisecond */ }
        total += await timed(make)
      }
      t.push(total / 200)
    }
    return median(t) * 1000
  }
  // The timing itself costs a few µs: measured on an empty call and taken off both.
  const overhead = await spread(() => '')
  return [
    { what: 'ulid monotonicFactory(), default PRNG, first id of a millisecond', figure: `${(await spread(plain) - overhead).toFixed(1)} µs` },
    { what: 'newId(): same factory, pooled crypto bytes', figure: `${(await spread(newId) - overhead).toFixed(1)} µs` },
  ]
}

async function locks(rounds: number): Promise<Choice[]> {
  const dir = tempRoot('lock')
  const file = path.join(dir, 'x.ndjson')
  const us = await perOp(200, rounds, async () => { const release = await lockfile.lock(file, { realpath: false }); await release() })
  fs.rmSync(dir, { recursive: true, force: true })
  return [{ what: 'proper-lockfile lock + unlock (held for a writer\'s lifetime, never per append)', figure: `${(us / 1000).toFixed(2)} ms` }]
}

async function parsers(mb: number, rounds: number): Promise<Choice[]> {
  const root = tempRoot('parse')
  const { path: file } = await bigSession(root, mb * 2 ** 20)
  const size = fs.statSync(file).size
  const rate = async (fn: () => Promise<unknown>) => {
    const t: number[] = []
    for (let r = 0; r < rounds; r++) t.push(await timed(fn))
    return `${(size / 2 ** 20 / (median(t) / 1000)).toFixed(0)} MB/s`
  }
  const viaNdjson = async () => { for await (const _ of fs.createReadStream(file).pipe(ndjson.parse())) { /* count */ } }
  const viaReadline = async () => { for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) JSON.parse(line) }
  const viaScan = async () => { const s: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }; for await (const _ of scanLog(file, s)) { /* batches */ } }
  const text = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
  const bare = async () => { for (const line of text) JSON.parse(line) }
  const out = [
    { what: `ndjson.parse() stream of a ${Math.round(size / 2 ** 20)} MB log`, figure: await rate(viaNdjson) },
    { what: 'readline + JSON.parse', figure: await rate(viaReadline) },
    { what: 'scanLog(): 1 MiB Buffer chunks, split on 0x0A, JSON.parse, event checks', figure: await rate(viaScan) },
    { what: 'bare JSON.parse of lines already in memory (upper bound)', figure: await rate(bare) },
  ]
  fs.rmSync(root, { recursive: true, force: true })
  return out
}

async function walks(sessions: number, projects: number, rounds: number): Promise<Choice[]> {
  const root = tempRoot('walk')
  const journal = new Journal({ root, fsync: 'never' })
  for (let i = 0; i < sessions; i++) await (await journal.create({ project: path.join(root, 'work', `p${i % projects}`) })).close()
  const projectsDir = path.join(root, 'projects')
  const readdir = () => {
    const out: string[] = []
    for (const p of fs.readdirSync(projectsDir)) for (const f of fs.readdirSync(path.join(projectsDir, p, 'sessions'))) if (f.endsWith('.ndjson')) out.push(f)
    return out
  }
  const glob = () => fg.sync('*/sessions/*.ndjson', { cwd: projectsDir })
  const globStats = () => fg.sync('*/sessions/*.ndjson', { cwd: projectsDir, stats: true })
  const a = await perOp(1, rounds, readdir)
  const b = await perOp(1, rounds, glob)
  const c = await perOp(1, rounds, globStats)
  fs.rmSync(root, { recursive: true, force: true })
  return [
    { what: `two-level readdirSync of ${sessions} logs in ${projects} projects`, figure: `${(a / 1000).toFixed(1)} ms` },
    { what: 'fast-glob sync \'*/sessions/*.ndjson\'', figure: `${(b / 1000).toFixed(1)} ms (${(b / a).toFixed(1)}x)` },
    { what: 'fast-glob sync with stats: true', figure: `${(c / 1000).toFixed(1)} ms (${(c / a).toFixed(1)}x)` },
  ]
}

export async function choices(rounds: number, mb: number): Promise<Choice[]> {
  return [...await ids(rounds), ...await locks(rounds), ...await parsers(mb, rounds), ...await walks(5000, 500, rounds)]
}
