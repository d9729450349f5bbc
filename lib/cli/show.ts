import type { Message, Part } from '../index.js'
import type { Command } from './command.js'
import { brief, oneLine, printable, shortTime } from './format.js'

export const showCommand: Command = {
  name: 'show',
  summary: 'Print a session as a readable transcript',
  usage: '<id> [--json]',
  description: [
    'Prints session <id>: its title and times, then each message with its role and time,',
    'text in full, tool calls summarized on one line. With --json: the folded history',
    '({ info, messages, damage }) as one JSON document.',
  ].join('\n'),
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    const history = await ctx.journal.read(id)
    if (ctx.json) {
      await ctx.out(`${JSON.stringify(history, null, 2)}\n`)
      return 0
    }
    const { info, messages, damage } = history
    const head = [
      oneLine(info.title ?? '(untitled)'),
      `id       ${info.id}`,
      `project  ${oneLine(info.projectPath)}`,
      `created  ${shortTime(info.created)}   updated ${shortTime(info.updated)}`,
      ...(info.share ? [`shared   ${oneLine(info.share.url)}`] : []),
      `${messages.length} message(s)`,
    ]
    await ctx.out(`${head.join('\n')}\n`)
    for (const message of messages) await ctx.out(`\n${renderMessage(message)}`)
    if (damage.length > 0) {
      await ctx.err(`warning: session ${id} has ${damage.length} damaged line(s); run 'session-journal verify ${id}'\n`)
    }
    return 0
  },
}

function renderMessage(message: Message): string {
  const lines = [`── ${message.role} · ${shortTime(message.created)} ──`]
  for (const part of message.parts) lines.push(renderPart(part))
  if (message.parts.length === 0) lines.push('(empty)')
  return `${lines.join('\n')}\n`
}

const TOOL_TYPES = new Set(['tool', 'tool-call', 'tool_call', 'tool-use', 'tool_use', 'tool-result', 'tool_result'])

/** Text in full; tool calls as `[tool name] input -> status, n lines of output`; the rest in brief. */
export function renderPart(part: Part): string {
  const p = part as Record<string, unknown>
  if (part.type === 'text' && typeof p.text === 'string') return printable(p.text)
  if (part.type === 'reasoning' && typeof p.text === 'string') return `(reasoning) ${brief(p.text, 100)}`
  if (TOOL_TYPES.has(part.type)) {
    const state = (typeof p.state === 'object' && p.state !== null ? p.state : {}) as Record<string, unknown>
    const name = [p.tool, p.name, p.toolName].find(v => typeof v === 'string') ?? part.type
    const input = p.input ?? p.args ?? p.arguments ?? state.input
    const output = p.output ?? p.result ?? state.output
    const status = p.status ?? state.status
    const inputText = isObject(input) && Object.keys(input).length === 1 ? brief(Object.values(input)[0], 80) : brief(input, 80)
    const outcome = [
      typeof status === 'string' ? status : '',
      typeof output === 'string' ? `${output === '' ? 0 : output.split('\n').length} line(s) of output` : output === undefined ? '' : 'output',
    ].filter(Boolean).join(', ')
    return `  [${oneLine(String(name))}] ${inputText}${outcome ? ` -> ${outcome}` : ''}`
  }
  const { id: _id, type: _type, ...rest } = p
  return `  [${oneLine(part.type)}] ${brief(rest, 100)}`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
