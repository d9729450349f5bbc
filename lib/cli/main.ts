/**
 * The command line: `main(argv, io)` resolves to the exit code and never exits the process
 * (bin.ts does), so tests drive it with captured streams. Here: dispatch, --help, --version,
 * and the one place errors become a message (or JSON with --json) on stderr and an exit code
 * by kind (exit.ts).
 */
import fs from 'node:fs'
import { errorKind, JournalError } from '../index.js'
import { helpText, parseCommandArgs } from './args.js'
import { Context, write, type CliIO } from './command.js'
import { findCommand, loadCommands } from './commands.js'
import { EXIT } from './exit.js'
import { resolveId } from './ids.js'
import { oneLine, safeJson } from './text.js'

export type { CliIO } from './command.js'

const NAME = 'session-journal'

async function generalHelp(): Promise<string> {
  const commands = await loadCommands()
  const width = Math.max(...commands.map(c => c.name.length))
  return [
    `Usage: ${NAME} <command> [options]`,
    '',
    'Append-only session logs of AI coding agents: list, read, export, import and check them.',
    'The root is $SESSION_JOURNAL_HOME, else the platform data folder.',
    '',
    'Commands:',
    ...commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${NAME} <command> --help' for a command's options.`,
    '',
  ].join('\n')
}

function version(): string {
  try {
    // dist/lib/cli/main.js -> package.json three folders up.
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const json = argv.includes('--json')
  const [name, ...rest] = argv
  if (name === undefined) {
    await write(io.stderr, await generalHelp())
    return EXIT.usage
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    await write(io.stdout, await generalHelp())
    return 0
  }
  if (name === '--version' || name === '-V') {
    await write(io.stdout, `${version()}\n`)
    return 0
  }
  const command = await findCommand(name === 'help' ? rest[0]! : name)
  if (!command) {
    const shown = name === 'help' ? rest[0]! : name
    return fail(io, json, 'ERR_USAGE', `unknown command ${JSON.stringify(shown)}`, `Run '${NAME} --help' for the list of commands.`)
  }
  if (name === 'help') {
    await write(io.stdout, helpText(command))
    return 0
  }
  try {
    const { values, positionals } = parseCommandArgs(command, rest)
    if (values.help) {
      await write(io.stdout, helpText(command))
      return 0
    }
    const ctx = new Context(io, values, positionals, json)
    if (command.takesId && positionals[0] !== undefined) positionals[0] = await resolveId(ctx.journal, positionals[0], command.name)
    return await command.run(ctx)
  } catch (error) {
    const code = error instanceof JournalError ? error.code : systemCode(error) ?? 'ERR_UNEXPECTED'
    const message = error instanceof Error ? error.message : String(error)
    return fail(io, json, code, message, code === 'ERR_USAGE' ? `Run '${NAME} ${command.name} --help' for usage.` : undefined)
  }
}

/**
 * One line (JSON with --json) on stderr; the exit code says the kind. Nothing ever goes to
 * stdout. Messages may quote a log or a document (a bad line, an id typed), so they are sanitized.
 */
async function fail(io: CliIO, json: boolean, code: string, message: string, hint?: string): Promise<number> {
  await write(io.stderr, json
    ? `${safeJson({ error: { code, message: message.replace(/\s*\n\s*/g, ' ') } })}\n`
    : `${NAME}: ${oneLine(message)}\n${hint ? `${hint}\n` : ''}`)
  return EXIT[errorKind(code)]
}

/** Node's system errors (ENOENT, EACCES...) carry their code: shown as it is. */
function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' ? code : undefined
}
