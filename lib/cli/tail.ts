import type { Damage, JournalEvent } from '../index.js'
import { intOption } from './args.js'
import type { Command, Context } from './command.js'
import { brief, oneLine, truncate } from './format.js'

export const tailCommand: Command = {
  name: 'tail',
  summary: 'Print the last events of a session; --follow prints new ones as they come',
  usage: '<id> [-n N] [--follow] [--json]',
  description: [
    'Prints the last N events (default 10) of session <id>, one per line: seq, time, type',
    'and a summary. With --follow, keeps printing events as the writer appends them, whole',
    'events only (a half-written line waits for its newline), until interrupted (Ctrl-C).',
    'With --json: the raw events, one per line (NDJSON).',
  ].join('\n'),
  options: {
    lines: { type: 'string', short: 'n', value: 'N', description: 'How many events (default 10)' },
    follow: { type: 'boolean', short: 'f', description: 'Keep printing new events' },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    const n = intOption('tail', 'lines', ctx.string('lines'), 0) ?? 10
    const follower = await ctx.journal.follow(id)
    // The last N in a ring, streaming: memory is N events, whatever the log's size.
    const last: JournalEvent[] = []
    const { damage } = await follower.read(batch => {
      for (const event of batch) {
        last.push(event)
        if (last.length > n) last.shift()
      }
    })
    const print = printer(ctx)
    await print(last)
    await warn(ctx, id, damage)
    if (ctx.flag('follow')) {
      for await (const { events, damage } of follower.follow(ctx.io.signal)) {
        await print(events)
        await warn(ctx, id, damage)
      }
    }
    await print.end()
    return 0
  },
}

function printer(ctx: Context): ((events: JournalEvent[]) => Promise<void>) & { end: () => Promise<void> } {
  const out = ctx.json ? ctx.ndjson() : undefined
  const print = async (events: JournalEvent[]) => {
    for (const event of events) {
      if (out) await out.write(event)
      else await ctx.out(`${describe(event)}\n`)
    }
  }
  return Object.assign(print, { end: async () => { await out?.end() } })
}

async function warn(ctx: Context, id: string, damage: Damage[]): Promise<void> {
  for (const d of damage) await ctx.err(`warning: session ${id} line ${d.line} (byte ${d.offset}): ${d.kind}: ${d.message}\n`)
}

/** `12  2024-05-01T12:00:00.000Z  message  user: hello` */
export function describe(event: JournalEvent): string {
  const e = event as Record<string, unknown>
  let summary: string
  switch (event.type) {
    case 'session': summary = `${brief(e.title ?? '(untitled)', 60)} in ${oneLine(String(e.projectPath))}`; break
    case 'message': {
      const parts = Array.isArray(e.parts) ? e.parts as Array<Record<string, unknown>> : []
      const text = parts.find(p => typeof p.text === 'string')?.text
      summary = `${String(e.role)}: ${text === undefined ? `${parts.length} part(s)` : brief(text, 70)}`
      break
    }
    case 'part': {
      const part = e.part as Record<string, unknown>
      summary = `${String(e.messageId)} ${String(part.type)}${typeof part.text === 'string' ? `: ${brief(part.text, 60)}` : ''}`
      break
    }
    case 'title': summary = brief(e.title, 70); break
    default: {
      const { seq: _s, ts: _t, type: _y, ...rest } = e
      summary = brief(rest, 80)
    }
  }
  return `${event.seq}  ${event.ts}  ${truncate(oneLine(event.type), 24)}  ${summary}`.trimEnd()
}
