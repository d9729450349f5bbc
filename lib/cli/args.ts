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
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true }) as { values: Values, positionals: string[] }
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

/** A whole number option: `--limit 5`. */
export function intOption(command: string, name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${command}: --${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`)
  }
  return Number(value)
}

export function helpText(command: Command): string {
  const rows = Object.entries({ ...command.options, ...COMMON }).map(([name, spec]) =>
    [`${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.description] as const)
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
