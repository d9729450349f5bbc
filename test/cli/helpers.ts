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
  /** The time zone of human output (default UTC, so expected text does not depend on the machine). */
  timeZone?: string
  /** Sees stdout as it is written (for --follow). */
  onStdout?: (all: string) => void
  /** Sees stderr as it is written (for --follow). */
  onStderr?: (all: string) => void
}

export async function run(argv: string[], options: RunOptions): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); options.onStdout?.(out) })
  stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); options.onStderr?.(err) })
  const code = await main(argv, {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: { SESSION_JOURNAL_HOME: options.root, ...options.env },
    isTTY: options.isTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    timeZone: options.timeZone ?? 'UTC',
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  stdout.end()
  stderr.end()
  await new Promise(resolve => setImmediate(resolve))
  return { code, stdout: out, stderr: err }
}

/** Resolves when a stream's text so far matches: feed it every update, await `until(pattern)`. */
export function watcher(): { update: (all: string) => void, until: (pattern: RegExp) => Promise<void> } {
  let seen = ''
  const waiting: Array<{ pattern: RegExp, resolve: () => void }> = []
  return {
    update(all) {
      seen = all
      for (const w of [...waiting]) if (w.pattern.test(all)) { waiting.splice(waiting.indexOf(w), 1); w.resolve() }
    },
    until: pattern => new Promise<void>(resolve => {
      if (pattern.test(seen)) resolve()
      else waiting.push({ pattern, resolve })
    }),
  }
}

export function ndjsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter(Boolean).map(line => JSON.parse(line) as Record<string, unknown>)
}
