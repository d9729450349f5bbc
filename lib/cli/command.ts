/**
 * What a command is, and what it is handed when it runs. A command is one module exporting a
 * `Command`; registering it is one line in commands.ts. Parsing, --help, --json errors and
 * exit codes are main.ts's, so a command only does its one job.
 */
import { once } from 'node:events'
import type { Readable, Writable } from 'node:stream'
import { Journal } from '../index.js'
import { safeJson } from './text.js'
import { defaultTimeZone, localTime } from './time.js'

export interface CliIO {
  stdout: Writable
  stderr: Writable
  stdin: Readable
  /** `SESSION_JOURNAL_HOME` here selects the root. */
  env: Record<string, string | undefined>
  /** stdout is a terminal: human output may align columns. */
  isTTY?: boolean
  /** stderr is a terminal: progress may be drawn there. */
  stderrIsTTY?: boolean
  /** The folder relative paths and `list --project` start from (default: process.cwd()). */
  cwd?: string
  /** IANA time zone of the times in human output (default: the process's, which follows $TZ). */
  timeZone?: string
  /** Stops long-running commands (`tail --follow`); the bin aborts it on SIGINT. */
  signal?: AbortSignal
}

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Shown after the flag in help: `--limit N`. */
  value?: string
  /** The value taken when the flag is given without one (`--project` alone: `.`). */
  optional?: string
  description: string
}

export interface Command {
  name: string
  /** One line, for the command list. */
  summary: string
  /** Arguments after the name, for help: `<id> [--out FILE]`. */
  usage: string
  /** Paragraphs shown by --help after the usage line. */
  description: string
  options: Record<string, OptionSpec>
  /** How many positional arguments it takes. */
  args: { min: number, max: number }
  /**
   * The first argument is a session id: main() resolves lower case and unique prefixes to the
   * full id (ids.ts) before run(), so every such command accepts them alike.
   */
  takesId?: boolean
  run(ctx: Context): Promise<number>
}

export type Values = Record<string, string | boolean | undefined>

export class Context {
  private opened: Journal | undefined
  private zone: string | undefined

  constructor(readonly io: CliIO, readonly values: Values, readonly positionals: string[], readonly json: boolean) {}

  /** `ts` as local time with its offset, for human output. */
  time(ts: string): string {
    // Asked once: resolving the default zone costs more than formatting a time.
    this.zone ??= this.io.timeZone ?? defaultTimeZone()
    return localTime(ts, this.zone)
  }

  /** Opened on first use, so --help and usage errors never touch the root. */
  get journal(): Journal {
    // io.env also selects the config ($SESSION_JOURNAL_CONFIG_DIR, _SHARE, _SHARE_SERVER).
    this.opened ??= new Journal({ env: this.io.env })
    return this.opened
  }

  string(name: string): string | undefined {
    const v = this.values[name]
    return typeof v === 'string' ? v : undefined
  }

  flag(name: string): boolean {
    return this.values[name] === true
  }

  /** Writes to stdout, waiting when the reader is slower than we are. */
  out(text: string): Promise<void> {
    return write(this.io.stdout, text)
  }

  err(text: string): Promise<void> {
    return write(this.io.stderr, text)
  }

  /** One JSON value on stdout (C1 controls escaped: see safeJson). */
  outJson(value: unknown, indent?: number): Promise<void> {
    return this.out(`${safeJson(value, indent)}\n`)
  }

  /** One JSON value per line on stdout (an NDJSON stream). */
  ndjson(): NdjsonOut {
    return new NdjsonOut(this.io.stdout)
  }
}

export async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain')
}

/** NDJSON on a stream it must not end (stdout outlives the command). */
export class NdjsonOut {
  constructor(private readonly out: Writable) {}

  write(value: unknown): Promise<void> {
    return write(this.out, `${safeJson(value)}\n`)
  }
}
