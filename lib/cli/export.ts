import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import type { Command, Context } from './command.js'
import { oneLine } from './text.js'

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a session as one JSON document (docs/export.md)',
  usage: '<id> [--out FILE] [--events] [--redact]',
  description: [
    'Writes session <id> as pretty JSON to stdout, or to FILE with --out (written to a',
    'temporary file beside it, then renamed, mode 0600). Status goes to stderr, never stdout.',
    'The document is streamed: a large session is never held as one string.',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of stdout' },
    events: { type: 'boolean', description: 'Include the raw log events' },
    redact: { type: 'boolean', description: 'Replace API keys, tokens and private keys with [REDACTED]' },
  },
  args: { min: 1, max: 1 },
  takesId: true,
  async run(ctx) {
    const id = ctx.positionals[0]!
    const options = { events: ctx.flag('events'), redact: ctx.flag('redact') }
    const file = ctx.string('out')
    if (file === undefined) {
      await ctx.journal.exportTo(id, ctx.io.stdout, options)
      return 0
    }
    return toFile(ctx, id, path.resolve(ctx.io.cwd ?? process.cwd(), file), options)
  },
}

async function toFile(ctx: Context, id: string, file: string, options: { events: boolean, redact: boolean }): Promise<number> {
  // Locate first: a bad id must not leave a temporary file behind.
  await ctx.journal.locate(id)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  // Private like the logs it comes from.
  const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 })
  try {
    await once(out, 'open')
    const result = await ctx.journal.exportTo(id, out, options)
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
