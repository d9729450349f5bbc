import { OUTPUT_LINES, redactSecrets, redactValue, type History, type Message } from '../index.js'
import { intOption } from './args.js'
import type { Command, Context } from './command.js'
import { renderPart } from './parts.js'
import { oneLine } from './text.js'

export const showCommand: Command = {
  name: 'show',
  summary: 'Print a session as a readable transcript',
  usage: '<id> [--max-output N] [--redact] [--json]',
  description: [
    'Prints session <id> (or a unique start of it, in any case): its title and times, then',
    'each message with its role and time, text in full, tool calls summarized on one line',
    `(with the error text of a failed one) and the first N lines of their output (default ${OUTPUT_LINES};`,
    '0: none), then how many more lines there were. Times are local with their offset. Control',
    'characters are shown, never sent to the terminal (ESC as ␛). With --json: the folded',
    'history ({ info, messages, damage }) as one JSON document, outputs whole.',
    '--redact replaces API keys, tokens and private keys with [REDACTED] in everything printed.',
  ].join('\n'),
  options: {
    'max-output': { type: 'string', value: 'N', description: `Lines shown of each tool output (default ${OUTPUT_LINES}; 0: none)` },
    redact: { type: 'boolean', description: 'Replace API keys, tokens and private keys with [REDACTED]' },
  },
  args: { min: 1, max: 1 },
  takesId: true,
  async run(ctx) {
    const id = ctx.positionals[0]!
    const maxOutput = intOption('show', 'max-output', ctx.string('max-output'), 0) ?? OUTPUT_LINES
    const read = await ctx.journal.read(id)
    // Every string of the history, before anything is rendered from it: titles, text, tool input and output.
    const history: History = ctx.flag('redact') ? redactValue(read, redactSecrets) : read
    if (ctx.json) {
      await ctx.outJson(history, 2)
      return 0
    }
    const { info, messages, damage } = history
    const head = [
      oneLine(info.title ?? '(untitled)'),
      `id       ${oneLine(info.id)}`,
      `project  ${oneLine(info.projectPath)}`,
      `created  ${ctx.time(info.created)}   updated ${ctx.time(info.updated)}`,
      ...(info.share ? [`shared   ${oneLine(info.share.url)}`] : []),
      `${messages.length} message(s)`,
    ]
    await ctx.out(`${head.join('\n')}\n`)
    for (const message of messages) await ctx.out(`\n${renderMessage(ctx, message, maxOutput)}`)
    if (damage.length > 0) {
      await ctx.err(`warning: session ${id} has ${damage.length} damaged line(s); run 'session-journal verify ${id}'\n`)
    }
    return 0
  },
}

function renderMessage(ctx: Context, message: Message, maxOutput: number): string {
  const lines = [`── ${oneLine(String(message.role))} · ${ctx.time(message.created)} ──`]
  for (const part of message.parts) lines.push(renderPart(part, maxOutput))
  if (message.parts.length === 0) lines.push('(empty)')
  return `${lines.join('\n')}\n`
}
