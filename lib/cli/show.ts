import type { Message } from '../index.js'
import type { Command, Context } from './command.js'
import { renderPart } from './parts.js'
import { oneLine } from './text.js'

export const showCommand: Command = {
  name: 'show',
  summary: 'Print a session as a readable transcript',
  usage: '<id> [--json]',
  description: [
    'Prints session <id> (or a unique start of it, in any case): its title and times, then',
    'each message with its role and time, text in full, tool calls summarized on one line',
    '(with the error text of a failed one). Times are local with their offset. Control',
    'characters are shown, never sent to the terminal (ESC as ␛). With --json: the folded',
    'history ({ info, messages, damage }) as one JSON document.',
  ].join('\n'),
  options: {},
  args: { min: 1, max: 1 },
  takesId: true,
  async run(ctx) {
    const id = ctx.positionals[0]!
    const history = await ctx.journal.read(id)
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
    for (const message of messages) await ctx.out(`\n${renderMessage(ctx, message)}`)
    if (damage.length > 0) {
      await ctx.err(`warning: session ${id} has ${damage.length} damaged line(s); run 'session-journal verify ${id}'\n`)
    }
    return 0
  },
}

function renderMessage(ctx: Context, message: Message): string {
  const lines = [`── ${oneLine(String(message.role))} · ${ctx.time(message.created)} ──`]
  for (const part of message.parts) lines.push(renderPart(part))
  if (message.parts.length === 0) lines.push('(empty)')
  return `${lines.join('\n')}\n`
}
