/**
 * Argument parsing shared by every command: node:util parseArgs in strict mode, plus the two
 * options every command has (--help, --json), with errors turned into ERR_USAGE.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../index.js'
import type { Command, OptionSpec, Values } from './command.js'

export const COMMON: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Machine-readable output (NDJSON for streams); errors as JSON on stderr' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
}

export interface Parsed {
  values: Values
  positionals: string[]
}

export function parseCommandArgs(command: Command, argv: string[]): Parsed {
  const options: NonNullable<ParseArgsConfig['options']> = {}
  for (const [name, spec] of Object.entries({ ...command.options, ...COMMON })) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) }
  }
  let parsed: { values: Values, positionals: string[] }
  try {
    parsed = parseArgs({ args: attachValues(command, argv), options, strict: true, allowPositionals: true }) as { values: Values, positionals: string[] }
  } catch (error) {
    // parseArgs' first sentence is the useful part ("Unknown option '--x'"); main adds our --help hint.
    throw new UsageError(`${command.name}: ${(error as Error).message.split('\n')[0]!.split(/\.\s/)[0]!.replace(/\.$/, '')}`)
  }
  if (parsed.values.help) return parsed
  const n = parsed.positionals.length
  if (n < command.args.min) throw new UsageError(`${command.name}: missing argument (usage: ${command.name} ${command.usage})`)
  if (n > command.args.max) throw new UsageError(`${command.name}: unexpected argument ${JSON.stringify(parsed.positionals[command.args.max])}`)
  return parsed
}

/**
 * Rewrites `--opt VALUE` as `--opt=VALUE` where parseArgs would refuse it: a value that starts
 * with `-` and is a number (`-n -1`: parseArgs calls it "ambiguous", and the user never
 * learns what was expected; as `--limit=-1` it reaches intOption, which says), and fills in
 * the default of an option whose value may be left out (`list --project`).
 */
function attachValues(command: Command, argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') { out.push(...argv.slice(i)); break }
    const name = optionNamed(command, arg)
    const spec = name === undefined ? undefined : command.options[name]
    if (name === undefined || spec?.type !== 'string') { out.push(arg); continue }
    const next = argv[i + 1]
    if (next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--${name}=${next}`)
      i++
    } else if (spec.optional !== undefined && (next === undefined || (next.startsWith('-') && next !== '-'))) {
      out.push(`--${name}=${spec.optional}`)
    } else {
      out.push(arg)
    }
  }
  return out
}

function optionNamed(command: Command, arg: string): string | undefined {
  if (arg.startsWith('--')) return Object.hasOwn(command.options, arg.slice(2)) ? arg.slice(2) : undefined
  if (/^-[^-]$/.test(arg)) return Object.entries(command.options).find(([, spec]) => spec.short === arg.slice(1))?.[0]
  return undefined
}

/** A whole number option: `--limit 5`. The error names the flag, what it takes and what it got. */
export function intOption(command: string, name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined
  const shown = /^\S+$/.test(value) ? value : JSON.stringify(value)
  const wanted = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${command}: --${name} must be ${wanted}, got ${shown}`)
  }
  if (Number(value) > max) {
    throw new UsageError(`${command}: --${name} must be ${wanted}, got ${shown} (too large)`)
  }
  return Number(value)
}

export function helpText(command: Command): string {
  const rows = Object.entries({ ...command.options, ...COMMON }).map(([name, spec]) =>
    [`${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.optional === undefined ? spec.value : `[${spec.value}]`}` : ''}`, spec.description] as const)
  const width = Math.max(...rows.map(([flag]) => flag.length))
  return [
    `Usage: session-journal ${command.name} ${command.usage}`.trimEnd(),
    '',
    command.description.trim(),
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
  ].join('\n')
}
