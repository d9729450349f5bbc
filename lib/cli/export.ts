import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import type { Writable } from 'node:stream'
import { OUTPUT_LINES, toMarkdown, UsageError } from '../index.js'
import { intOption } from './args.js'
import type { Command, Context } from './command.js'
import { oneLine } from './text.js'

/** What one format writes to `out`, and the counts its status line reports. */
type Writer = (ctx: Context, id: string, out: Writable) => Promise<{ messages: number, events?: number, bytes: number }>

/** The formats: one entry each (json streams the export document; markdown renders the transcript). */
const FORMATS: Record<string, Writer> = {
  json: (ctx, id, out) => ctx.journal.exportTo(id, out, { events: ctx.flag('events'), redact: ctx.flag('redact') }),
  markdown: async (ctx, id, out) => {
    const maxOutputLines = intOption('export', 'max-output', ctx.string('max-output'), 0) ?? OUTPUT_LINES
    const history = await ctx.journal.read(id)
    const text = toMarkdown(history, { redact: ctx.flag('redact'), maxOutputLines })
    if (!out.write(text)) await once(out, 'drain')
    return { messages: history.messages.length, bytes: Buffer.byteLength(text) }
  },
  // OpenCode's export document, for `opencode import` (docs/import.md#opencode-export).
  opencode: async (ctx, id, out) => {
    const doc = await ctx.journal.exportOpenCode(id, { redact: ctx.flag('redact') })
    const text = `${JSON.stringify(doc, null, 2)}\n`
    if (!out.write(text)) await once(out, 'drain')
    return { messages: doc.messages.length, bytes: Buffer.byteLength(text) }
  },
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a session as one JSON document, or as a Markdown transcript (docs/export.md)',
  usage: '<id> [--format json|markdown|opencode] [--out FILE] [--events] [--redact] [--max-output N]',
  description: [
    'Writes session <id> as pretty JSON to stdout, or to FILE with --out (written to a',
    'temporary file beside it, then renamed, mode 0600). Status goes to stderr, never stdout.',
    'The document is streamed: a large session is never held as one string.',
    '--format markdown writes a readable transcript instead: a heading per message, text as',
    `written, each tool call on one line with its output folded away, cut at N lines (--max-output, default ${OUTPUT_LINES}).`,
    '--format opencode writes OpenCode\'s export document, for `opencode import`.',
  ].join('\n'),
  options: {
    format: { type: 'string', value: 'FORMAT', description: 'json (default: the export document), markdown (a transcript) or opencode (for `opencode import`)' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of stdout' },
    events: { type: 'boolean', description: 'Include the raw log events (json)' },
    redact: { type: 'boolean', description: 'Replace API keys, tokens and private keys with [REDACTED]' },
    'max-output': { type: 'string', value: 'N', description: `Lines kept of each tool output (markdown; default ${OUTPUT_LINES})` },
  },
  args: { min: 1, max: 1 },
  takesId: true,
  async run(ctx) {
    const id = ctx.positionals[0]!
    const format = ctx.string('format') ?? 'json'
    const write = Object.hasOwn(FORMATS, format) ? FORMATS[format]! : undefined
    if (!write) throw new UsageError(`export: --format must be one of ${Object.keys(FORMATS).join(', ')}, got ${JSON.stringify(format)}`)
    if (ctx.flag('events') && format !== 'json') throw new UsageError('export: --events goes with --format json only')
    if (ctx.string('max-output') !== undefined && format !== 'markdown') throw new UsageError('export: --max-output goes with --format markdown only')
    const file = ctx.string('out')
    if (file === undefined) {
      await write(ctx, id, ctx.io.stdout)
      return 0
    }
    return toFile(ctx, id, path.resolve(ctx.io.cwd ?? process.cwd(), file), write)
  },
}

async function toFile(ctx: Context, id: string, file: string, write: Writer): Promise<number> {
  // Locate first: a bad id must not leave a temporary file behind.
  await ctx.journal.locate(id)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  // Private like the logs it comes from.
  const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 })
  try {
    await once(out, 'open')
    const result = await write(ctx, id, out)
    out.end()
    await once(out, 'finish')
    await fs.promises.rename(tmp, file)
    const status = { id, file, ...result }
    if (ctx.json) await ctx.outJson(status)
    else {
      await ctx.err(`exported session ${id} to ${oneLine(file)}: ${result.messages} message(s)${ctx.flag('events') ? `, ${result.events} event(s)` : ''}, ${result.bytes} bytes\n`)
    }
    return 0
  } catch (error) {
    out.destroy()
    await fs.promises.rm(tmp, { force: true })
    throw error
  }
}
