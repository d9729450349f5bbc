/** Measuring helpers: interleaved rounds, medians, a data generator shared by the scenarios. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export async function timed(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/**
 * Runs baseline and journal alternately (which goes first alternates too), `rounds` times
 * each, so a noisy neighbour hurts both alike. Returns the median ms of each.
 */
export async function sideBySide(rounds: number, baseline: () => unknown, journal: () => unknown): Promise<{ baseline: number, journal: number }> {
  const b: number[] = []
  const j: number[] = []
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      b.push(await timed(baseline))
      j.push(await timed(journal))
    } else {
      j.push(await timed(journal))
      b.push(await timed(baseline))
    }
  }
  return { baseline: median(b), journal: median(j) }
}

export function tempRoot(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sj-bench-${prefix}-`))
}

/** ~`bytes` of printable text that varies, so nothing compresses or caches unrealistically. */
export function text(bytes: number, seed: number): string {
  const words = ['the', 'test', 'fails', 'on', 'mondays', 'because', 'date', 'week', 'start', 'fix', 'assert', 'value', 'ünïcode', '🚀']
  let out = ''
  let i = seed
  while (out.length < bytes) out += `${words[(i = (i * 1103515245 + 12345) >>> 0) % words.length]} `
  return out.slice(0, bytes)
}

export interface Row {
  scenario: string
  target: string
  ratio: number
  ok: boolean
  journal: string
  baseline: string
  note?: string
}

/**
 * Waits until folders written just now are older than the listing's racy window (folder-mark.ts,
 * 3 s): a warm listing of folders nobody touched in the last seconds, the usual case.
 */
export function settle(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 3100))
}
