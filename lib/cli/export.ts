import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { Command, Context } from './command.js'
import { UsageError } from '../index.js'
import { oneLine } from './text.js'

type Written = { messages: number, events: number, bytes: number }
type Options = { events: boolean, redact: boolean }

/** Each --format: how it writes session `id` to `out`. */
const FORMATS: Record<string, (ctx: Context, id: string, out: Writable, options: Options) => Promise<Written>> = {
  json: (ctx, id, out, options) => ctx.journal.exportTo(id, out, options),
  // OpenCode's export document, for `opencode import` (docs/import.md#opencode-export).
  opencode: async (ctx, id, out, options) => {
    const doc = await ctx.journal.exportOpenCode(id, { redact: options.redact })
    const text = `${JSON.stringify(doc, null, 2)}\n`
    if (!out.write(text)) await once(out, 'drain')
    return { messages: doc.messages.length, events: 0, bytes: Buffer.byteLength(text) }
  },
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a session as one JSON document (docs/export.md)',
  usage: '<id> [--out FILE] [--format json|opencode] [--events] [--redact]',
  description: [
    'Writes session <id> as pretty JSON to stdout, or to FILE with --out (written to a',
    'temporary file beside it, then renamed, mode 0600). Status goes to stderr, never stdout.',
    'The document is streamed: a large session is never held as one string.',
    '--format opencode writes OpenCode\'s export document instead, for `opencode import`.',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of stdout' },
    format: { type: 'string', value: 'FORMAT', description: `The document's format: ${Object.keys(FORMATS).join(', ')} (default json)` },
    events: { type: 'boolean', description: 'Include the raw log events' },
    redact: { type: 'boolean', description: 'Replace API keys, tokens and private keys with [REDACTED]' },
  },
  args: { min: 1, max: 1 },
  takesId: true,
  async run(ctx) {
    const id = ctx.positionals[0]!
    const options = { events: ctx.flag('events'), redact: ctx.flag('redact') }
    const format = ctx.string('format') ?? 'json'
    const write = Object.hasOwn(FORMATS, format) ? FORMATS[format]! : undefined
    if (write === undefined) throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}, got ${JSON.stringify(format)}`)
    if (format !== 'json' && options.events) throw new UsageError('--events applies to --format json only')
    const file = ctx.string('out')
    if (file === undefined) {
      await write(ctx, id, ctx.io.stdout, options)
      return 0
    }
    return toFile(ctx, id, path.resolve(ctx.io.cwd ?? process.cwd(), file), options, write)
  },
}

async function toFile(ctx: Context, id: string, file: string, options: Options, write: NonNullable<typeof FORMATS[string]>): Promise<number> {
  // Locate first: a bad id must not leave a temporary file behind.
  await ctx.journal.locate(id)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  // Private like the logs it comes from.
  const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 })
  try {
    await once(out, 'open')
    const result = await write(ctx, id, out, options)
    out.end()
    await once(out, 'finish')
    await fs.promises.rename(tmp, file)
    const status = { id, file, ...result }
    if (ctx.json) await ctx.outJson(status)
    else {
      await ctx.err(`exported session ${id} to ${oneLine(file)}: ${result.messages} message(s)${options.events ? `, ${result.events} event(s)` : ''}, ${result.bytes} bytes\n`)
    }
    return 0
  } catch (error) {
    out.destroy()
    await fs.promises.rm(tmp, { force: true })
    throw error
  }
}
