/** Runs main() with captured streams; tests never touch the real terminal or data folder. */
import { PassThrough, Readable } from 'node:stream'
import { main } from '../../lib/cli/main.js'

export interface Run {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  root: string
  stdin?: string
  isTTY?: boolean
  stderrIsTTY?: boolean
  cwd?: string
  signal?: AbortSignal
  /** More environment (config dir, share server). */
  env?: Record<string, string>
  /** Sees stdout as it is written (for --follow). */
  onStdout?: (all: string) => void
}

export async function run(argv: string[], options: RunOptions): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); options.onStdout?.(out) })
  stderr.on('data', (c: Buffer) => { err += c.toString('utf8') })
  const code = await main(argv, {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: { SESSION_JOURNAL_HOME: options.root, ...options.env },
    isTTY: options.isTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  stdout.end()
  stderr.end()
  await new Promise(resolve => setImmediate(resolve))
  return { code, stdout: out, stderr: err }
}

export function ndjsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter(Boolean).map(line => JSON.parse(line) as Record<string, unknown>)
}
